package dev.cairn.backend.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SqliteDurabilityTest {

  @TempDir Path dir;

  @Test
  void closeCheckpointsAndRemovesTheWal() {
    try (SqliteBackend backend = SqliteTestSupport.open(dir)) {
      SqliteTestSupport.put(backend, "records", "k", "v");
      assertThat(dir.resolve("store.sqlite-wal")).exists();
    }
    assertThat(dir.resolve("store.sqlite-wal")).doesNotExist();
    assertThat(dir.resolve("store.sqlite-shm")).doesNotExist();
  }

  @Test
  void syncCommitsSyncTheWalThatANewWriterCreated() throws Exception {
    Path wal = dir.resolve("store.sqlite-wal");
    try (SqliteBackend backend = SqliteTestSupport.open(dir)) {
      SqliteTestSupport.put(backend, "records", "k", "v1");
      Object first = fileKey(wal);
      assertThat(backend.walSyncFileKey()).isEqualTo(first);

      backend.discardConnections(); // the last connection closed: SQLite removed the WAL
      assertThat(wal).doesNotExist();
      SqliteTestSupport.put(backend, "records", "k", "v2");

      assertThat(wal).exists();
      assertThat(backend.walSyncFileKey()).isNotNull().isEqualTo(fileKey(wal));
      assertThat(SqliteTestSupport.get(backend, "records", "k")).isEqualTo("v2");
    }
  }

  /**
   * A thread interrupted while it commits closes the WAL channel it syncs through (an
   * interruptible channel closes itself when a blocked thread is interrupted): its own commit
   * may report the failed sync, but every later SYNC commit, on any thread, syncs again.
   */
  @Test
  void aSyncCommitOfAnInterruptedThreadLeavesLaterCommitsSyncing() throws Exception {
    try (SqliteBackend backend = SqliteTestSupport.open(dir)) {
      SqliteTestSupport.put(backend, "records", "k", "v1");
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put("records", SqliteTestSupport.b("k"), SqliteTestSupport.b("v2"));
        Thread.currentThread().interrupt(); // as if it arrived during the commit
        tx.commit(Durability.SYNC);
      } catch (BackendException e) {
        assertThat(e).hasMessageContaining("fsync of the SQLite WAL");
      } finally {
        Thread.interrupted();
      }
      assertThat(SqliteTestSupport.get(backend, "records", "k")).isEqualTo("v2");
      for (int i = 3; i < 6; i++) {
        SqliteTestSupport.put(backend, "records", "k", "v" + i);
      }
      Thread other = new Thread(() -> SqliteTestSupport.put(backend, "records", "k", "v6"));
      other.start();
      other.join();
      assertThat(SqliteTestSupport.get(backend, "records", "k")).isEqualTo("v6");
      assertThat(backend.walSyncFileKey()).isEqualTo(fileKey(dir.resolve("store.sqlite-wal")));
    }
  }

  private static Object fileKey(Path file) throws Exception {
    return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
  }
}
