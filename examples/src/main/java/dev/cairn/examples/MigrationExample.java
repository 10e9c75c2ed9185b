package dev.cairn.examples;

import dev.cairn.backup.BackupKind;
import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupManifest;
import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.Storage;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Migration between backends through a logical backup: the stream holds raw values with their
 * created and updated times and does not depend on backend, codec or dedup settings, so it
 * restores into any backend. Here: SQLite to H2 (LMDB works the same).
 */
public final class MigrationExample {

  private MigrationExample() {}

  /** Runs the example under {@code args[0]} (default {@code cairn-data/migration}). */
  public static void main(String[] args) {
    run(Path.of(args.length > 0 ? args[0] : "cairn-data/migration"), "h2", System.out);
  }

  /** Copies a SQLite store to {@code targetBackend}; returns a record's metadata in the copy. */
  public static RecordMetadata run(Path root, String targetBackend, PrintStream out) {
    BackupManager backups = BackupManager.builder().target(root.resolve("backups")).build();
    BackupManifest set;
    RecordMetadata before;
    try (Storage sqlite = Storage.builder().directory(root.resolve("sqlite")).backend("sqlite").open()) {
      for (int i = 0; i < 50; i++) {
        sqlite.put("rounds", String.format("round-%03d", i), java.util.Map.of("n", i, "paytable", "v3"));
      }
      before = sqlite.metadata("rounds", "round-007").orElseThrow();
      set = backups.backup(sqlite, BackupKind.LOGICAL);
    }
    Path target = root.resolve(targetBackend);
    backups.restoreTo(set.setId(), target, Storage.builder().backend(targetBackend).codec("zstd"));
    try (Storage copy = Storage.builder().directory(target).backend(targetBackend).open()) {
      RecordMetadata after = copy.metadata("rounds", "round-007").orElseThrow();
      out.printf("%d records moved from sqlite to %s; round-007 created %s (kept: %b)%n",
          copy.count("rounds"), copy.admin().backendName(), after.createdAt(),
          after.createdAt().equals(before.createdAt()));
      return after;
    }
  }
}
