package dev.cairn.examples.cli;

import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.Storage;
import picocli.CommandLine.Command;

@Command(name = "maintain", description = {
    "Run maintenance now and print its report.",
    "Flushes access statistics, cleans the cache, verifies every record and blob and",
    "optimises the backend. Exit code 1 if a step failed."})
final class MaintainCommand extends StoreCommand {

  @Override
  public Integer call() {
    MaintenanceReport report;
    try (Storage storage = openExisting()) {
      report = storage.maintenance();
    }
    if (cli.json) {
      json(Json.maintenance(report));
    } else {
      Fmt.maintenance(out(), report);
    }
    return report.successful() ? CairnCli.OK : CairnCli.ERROR;
  }
}
