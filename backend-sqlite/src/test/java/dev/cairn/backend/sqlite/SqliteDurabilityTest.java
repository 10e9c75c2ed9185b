package dev.cairn.backend.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
}
