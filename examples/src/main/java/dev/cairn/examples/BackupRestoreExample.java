package dev.cairn.examples;

import dev.cairn.backup.BackupKind;
import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupManifest;
import dev.cairn.backup.VerifyReport;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Backup and restore with {@link BackupManager}: a backup taken while the store is open, a
 * verification (never trust a backup nobody restored), a restore into a new directory, and a
 * restore over the running store that swaps directories only once the restored copy checked out.
 */
public final class BackupRestoreExample {

  private BackupRestoreExample() {}

  /** Runs the example under {@code args[0]} (default {@code cairn-data/backup-example}). */
  public static void main(String[] args) {
    run(Path.of(args.length > 0 ? args[0] : "cairn-data/backup-example"), System.out);
  }

  /** Backs up, verifies and restores twice; returns the value read after the in-place restore. */
  public static String run(Path root, PrintStream out) {
    BackupManager backups = BackupManager.builder()
        .target(root.resolve("backups"))   // a local directory; any BackupTarget works
        .retainLast(7)                       // applyRetention() keeps the newest 7 sets
        .listener(p -> {
          if (p.phase() == dev.cairn.backup.BackupProgress.Phase.DONE) {
            out.println("  " + p.operation() + " of " + p.setId() + " done");
          }
        })
        .build();
    StorageBuilder config = Storage.builder().directory(root.resolve("store"));
    Storage storage = config.open();
    try {
      storage.putAll("orders", Map.of("o-1", Map.of("total", 120), "o-2", Map.of("total", 75)));

      BackupManifest set = backups.backup(storage, BackupKind.LOGICAL);   // the store stays usable
      out.printf("backup %s: %d records%n", set.setId(), set.records());

      VerifyReport report = backups.verify(set.setId());                  // never throws for findings
      out.println("verified: " + (report.ok() ? "ok" : report.problems()));

      backups.restoreTo(set.setId(), root.resolve("copy"));                // a new directory
      try (Storage copy = Storage.builder().directory(root.resolve("copy")).open()) {
        out.println("copy holds " + copy.count("orders") + " orders");
      }

      storage.delete("orders", "o-1");                                     // an accident...
      storage = backups.restoreOver(set.setId(), storage, config);         // ...undone in place
      String o1 = new String(storage.getBytes("orders", "o-1").orElseThrow(),
          java.nio.charset.StandardCharsets.UTF_8);
      out.println("after restoreOver, o-1 = " + o1);
      return o1;
    } finally {
      storage.close();
    }
  }
}
