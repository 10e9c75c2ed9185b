package dev.cairn.examples.cli;

import dev.cairn.backup.BackupManager;
import dev.cairn.backup.VerifyReport;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify", description = {
    "Check every record and blob of the store, or a backup set.",
    "Store: headers, checksums (CRC32C, SHA-256), that payloads decode, and the deduplication",
    "reference counts. Backup (--backup DIR): every file's SHA-256, then every record decoded",
    "(logical) or the snapshot opened and checked (native). Exit code 3 if anything is wrong,",
    "a set whose manifest is unusable included."})
final class VerifyCommand extends StoreCommand {

  @Option(names = "--backup", paramLabel = "DIR", description = "Verify a backup set in DIR instead of the store.")
  Path backup;

  @Option(names = "--set", paramLabel = "ID", description = "With --backup: the set (default: latest).")
  String set;

  @Override
  public Integer call() {
    if (backup != null) {
      return verifyBackup();
    }
    if (set != null) {
      throw CliException.usage("--set needs --backup DIR");
    }
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

  private int verifyBackup() {
    VerifyReport report;
    try (Progress progress = new Progress(err(), cli.terminal)) {
      BackupManager manager = Backups.manager(Backups.existing(backup, "--backup"), progress);
      report = manager.verify(Backups.toVerify(manager, backup, set));
    }
    if (cli.json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("ok", report.ok());
      j.put("setId", report.setId());
      j.put("kind", report.kind() == null ? null : report.kind().name());
      j.put("files", report.filesChecked());
      j.put("records", report.recordsChecked());
      j.put("blobs", report.blobsChecked());
      j.put("problems", report.problems().stream().map(Object::toString).toList());
      json(j);
    } else {
      out().printf("verified backup %s (%s): %d files, %s records, %s blobs: %s%n", report.setId(),
          report.kind() == null ? "unknown kind" : report.kind().name().toLowerCase(java.util.Locale.ROOT),
          report.filesChecked(),
          Fmt.count(report.recordsChecked()), Fmt.count(report.blobsChecked()),
          report.ok() ? "ok" : report.problems().size() + " problem(s)");
      report.problems().forEach(p -> out().println("  " + p));
    }
    return report.ok() ? CairnCli.OK : CairnCli.CORRUPT;
  }
}
