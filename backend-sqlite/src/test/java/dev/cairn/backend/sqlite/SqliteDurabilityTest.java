package dev.cairn.backend.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

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

  private static Object fileKey(Path file) throws Exception {
    return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
  }
}
