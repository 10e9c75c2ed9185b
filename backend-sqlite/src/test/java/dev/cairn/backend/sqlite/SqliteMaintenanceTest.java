package dev.cairn.backend.sqlite;

import static dev.cairn.backend.sqlite.SqliteTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SqliteMaintenanceTest {

  @TempDir Path dir;

  @Test
  void optimizeGivesSpaceOfDeletedDataBackAndTruncatesTheWal() throws Exception {
    try (SqliteBackend backend = SqliteTestSupport.open(dir)) {
      try (BackendTransaction tx = backend.beginWrite()) {
        for (int i = 0; i < 2000; i++) {
          tx.put("blobs", b("k" + i), new byte[1024]);
        }
        tx.put("records", b("keep"), b("me"));
        tx.commit(Durability.SYNC);
      }
      backend.optimize();
      long full = backend.sizeOnDisk();
      assertThat(full).isGreaterThan(2000L * 1024);
      assertThat(Files.size(dir.resolve("store.sqlite-wal"))).isZero();

      try (BackendTransaction tx = backend.beginWrite()) {
        for (int i = 0; i < 2000; i++) {
          tx.delete("blobs", b("k" + i));
        }
        tx.commit(Durability.SYNC);
      }
      backend.optimize();
      long after = backend.sizeOnDisk();
      assertThat(after).as("size after delete + optimize vs %d", full).isLessThan(full / 4);
      assertThat(SqliteTestSupport.get(backend, "records", "keep")).isEqualTo("me");
    }
  }

  @Test
  void sizeOnDiskCountsTheDatabaseWalAndSharedMemoryFiles() throws Exception {
    try (SqliteBackend backend = SqliteTestSupport.open(dir)) {
      SqliteTestSupport.put(backend, "records", "k", "v");
      long expected = 0;
      for (String f : new String[] {"store.sqlite", "store.sqlite-wal", "store.sqlite-shm"}) {
        expected += Files.size(dir.resolve(f));
      }
      assertThat(backend.sizeOnDisk()).isEqualTo(expected);
    }
  }

  @Test
  void optimizeWhileAReaderHoldsAnOldSnapshotKeepsThatSnapshotIntact() {
    try (SqliteBackend backend = SqliteTestSupport.open(dir, "sqlite.busyTimeoutMs", "100")) {
      SqliteTestSupport.put(backend, "records", "k", "old");
      try (BackendTransaction reader = backend.beginRead()) {
        SqliteTestSupport.put(backend, "records", "k", "new");
        backend.optimize(); // the checkpoint cannot pass the reader; it must not fail
        assertThat(SqliteTestSupport.s(reader.get("records", b("k")))).isEqualTo("old");
      }
      assertThat(SqliteTestSupport.get(backend, "records", "k")).isEqualTo("new");
    }
  }
}
