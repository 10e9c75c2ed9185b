package dev.cairn.examples.cli;

import picocli.CommandLine.Command;

@Command(name = "backup", description = "Needs the backup module (cairn-backup).")
final class BackupCommand extends StoreCommand {

  @Override
  public Integer call() {
    throw new CliException(CairnCli.ERROR, "backup needs the backup module, which is not installed");
  }
}
