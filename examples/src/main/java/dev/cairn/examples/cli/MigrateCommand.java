package dev.cairn.examples.cli;

import picocli.CommandLine.Command;

@Command(name = "migrate", description = "Needs the backup module (cairn-backup).")
final class MigrateCommand extends StoreCommand {

  @Override
  public Integer call() {
    throw new CliException(CairnCli.ERROR, "migrate needs the backup module, which is not installed");
  }
}
