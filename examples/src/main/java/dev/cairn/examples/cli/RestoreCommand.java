package dev.cairn.examples.cli;

import picocli.CommandLine.Command;

@Command(name = "restore", description = "Needs the backup module (cairn-backup).")
final class RestoreCommand extends StoreCommand {

  @Override
  public Integer call() {
    throw new CliException(CairnCli.ERROR, "restore needs the backup module, which is not installed");
  }
}
