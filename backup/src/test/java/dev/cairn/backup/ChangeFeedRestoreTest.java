package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Change;
import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.HistoryTruncatedException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restored store's change feed starts again above every position issued before — by the
 * backed-up store after the backup, and by the store a restore replaces — so a resuming reader
 * never gets a position twice, and every reader of the old history gets
 * {@link HistoryTruncatedException} rather than a silent jump back in time.
 */
final class ChangeFeedRestoreTest {

  @TempDir
  Path tmp;

  private static StorageBuilder feed(String backend, Path dir) {
    return Fixtures.builder(backend, dir).changeFeed(ChangeFeedRetention.unlimited());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"sqlite, NATIVE", "sqlite, LOGICAL", "lmdb, NATIVE", "h2, LOGICAL"})
  void restoreOverStartsTheFeedAboveEveryEarlierPosition(String backend, BackupKind kind) {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).build();
    Path dir = tmp.resolve("store");
    Storage live = feed(backend, dir).open();
    Fixtures.fill(live, 5, 40);
    BackupManifest set = backups.backup(live, kind);
    long atBackup = live.changes().head();
    live.putBytes("docs", "after-backup", new byte[] {1});
    live.delete("docs", "after-backup");
    long liveHead = live.changes().head();
    assertThat(liveHead).isEqualTo(atBackup + 2);

    try (Storage restored = backups.restoreOver(set.setId(), live, feed(backend, dir))) {
      long head = restored.changes().head();
      assertThat(head).isGreaterThan(liveHead);
      assertThat(restored.changes().oldest()).isEqualTo(head + 1);
      for (long reader : new long[] {0, atBackup, liveHead}) {
        assertThatThrownBy(() -> restored.changes().read(reader, 10))
            .as("a reader at %d", reader)
            .isInstanceOfSatisfying(HistoryTruncatedException.class,
                e -> assertThat(e.oldestAvailable()).isEqualTo(head + 1));
      }
      restored.putBytes("docs", "new", new byte[] {2});
      assertThat(restored.changes().read(head, 10)).singleElement()
          .satisfies(c -> {
            assertThat(c.position()).isEqualTo(head + 1);
            assertThat(c.key()).isEqualTo("new");
            assertThat(c.kind()).isEqualTo(Change.Kind.PUT);
          });
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"sqlite, NATIVE", "lmdb, LOGICAL"})
  void restoreIntoANewDirectoryStartsAboveTheBackedUpStoresPositions(String backend,
      BackupKind kind) {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).build();
    long sourceHead;
    BackupManifest set;
    try (Storage source = feed(backend, tmp.resolve("source")).open()) {
      Fixtures.fill(source, 6, 30);
      set = backups.backup(source, kind);
      for (int i = 0; i < 50; i++) {
        source.putBytes("docs", "later-" + i, new byte[] {(byte) i}); // after the backup
      }
      sourceHead = source.changes().head();
    }
    Path copy = tmp.resolve("copy");
    backups.restoreTo(set.setId(), copy, feed(backend, copy));
    try (Storage restored = feed(backend, copy).open()) {
      long head = restored.changes().head();
      assertThat(head).as("above what the source issued after the backup").isGreaterThan(sourceHead);
      assertThatThrownBy(() -> restored.changes().read(sourceHead, 1))
          .isInstanceOf(HistoryTruncatedException.class);
      assertThat(restored.count("docs")).isPositive();
    }
  }
}
