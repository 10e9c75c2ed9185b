package dev.cairn.examples.cli;

import dev.cairn.backup.BackupKind;
import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupManifest;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "migrate", description = {
    "Copy the store to another backend through a logical backup.",
    "Takes a logical backup of --store (kept in --via, else a temporary directory), restores it",
    "into --target with backend --to (verified on the way), and checks the record counts.",
    "The source store is not changed."})
final class MigrateCommand extends StoreCommand {

  @Option(names = "--to", required = true, paramLabel = "BACKEND", description = "The target backend.")
  String toBackend;

  @Option(names = "--target", required = true, paramLabel = "DIR", description = "The new store (absent or empty).")
  Path target;

  @Option(names = "--via", paramLabel = "DIR", description = "Keep the logical backup in DIR (default: temporary).")
  Path via;

  @Override
  public Integer call() {
    String backend = checkedBackend(toBackend);
    Path store = storeDir();
    requireStore(store);
    backendsOpened = Set.copyOf(List.of(backendFor(store), backend));
    if (Files.exists(target) && !(Files.isDirectory(target) && isEmptyDirectory(target))) {
      throw CliException.usage("--target " + target + " must be absent or an empty directory");
    }
    Path backups = via != null ? via : tempDir();
    try (Progress progress = new Progress(err(), cli.terminal)) {
      BackupManager manager = Backups.manager(backups, progress);
      BackupManifest set;
      String from;
      Map<String, Long> before = new LinkedHashMap<>();
      try (Storage source = openExisting()) {
        from = source.admin().backendName();
        set = manager.backup(source, BackupKind.LOGICAL);
        source.collections().forEach(c -> before.put(c, source.count(c)));
      }
      manager.restoreTo(set.setId(), target, builder(target, backend));
      Map<String, Long> after = new LinkedHashMap<>();
      try (Storage migrated = builder(target, backend).open()) {
        migrated.collections().forEach(c -> after.put(c, migrated.count(c)));
      }
      if (!after.equals(before)) {
        throw new CliException(CairnCli.ERROR,
            "migration check failed: records per collection " + before + " became " + after);
      }
      long records = after.values().stream().mapToLong(Long::longValue).sum();
      if (cli.json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("from", from);
        j.put("to", backend);
        j.put("target", target.toString());
        j.put("setId", set.setId());
        j.put("records", records);
        j.put("recordsPerCollection", after);
        json(j);
      } else {
        out().printf("migrated %,d records in %d collection(s) from %s to %s: %s%n", records,
            after.size(), from, backend, target);
      }
      return CairnCli.OK;
    } finally {
      if (via == null) {
        deleteTree(backups);
      }
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("cairn-migrate");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
