package dev.cairn.examples.cli;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(name = "verify", description = {
    "Check every record and blob of the store.",
    "Headers, checksums (CRC32C, SHA-256), that payloads decode, and the deduplication",
    "reference counts. Exit code 3 if anything is wrong."})
final class VerifyCommand extends StoreCommand {

  @Override
  public Integer call() {
    StorageAdmin.VerificationReport report;
    try (Storage storage = openExisting();
        Progress progress = new Progress(err(), cli.terminal)) {
      progress.update("verify store", 0, 0);
      report = storage.admin().verify();
    }
    if (cli.json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("ok", report.ok());
      j.put("records", report.records());
      j.put("blobs", report.blobs());
      j.put("problems", report.problems());
      json(j);
    } else {
      out().printf("verified %s records and %s blobs: %s%n", Fmt.count(report.records()),
          Fmt.count(report.blobs()), report.ok() ? "ok" : report.problems().size() + " problem(s)");
      report.problems().forEach(p -> out().println("  " + p));
    }
    return report.ok() ? CairnCli.OK : CairnCli.CORRUPT;
  }
}
