package dev.cairn.backend.sqlite;

import static dev.cairn.backend.sqlite.SqliteTestSupport.b;
import static dev.cairn.backend.sqlite.SqliteTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SqliteDurabilityTest {

  @TempDir Path dir;

  @Test
  void commitsOfEveryDurabilitySurviveCloseAndReopen() {
    try (SqliteBackend backend = SqliteTestSupport.open(dir)) {
      for (Durability d : Durability.values()) {
        try (BackendTransaction tx = backend.beginWrite()) {
          tx.put("records", b(d.name()), b("v-" + d));
          tx.commit(d);
        }
      }
    }
    try (SqliteBackend backend = SqliteTestSupport.open(dir)) {
      for (Durability d : Durability.values()) {
        assertThat(SqliteTestSupport.get(backend, "records", d.name())).isEqualTo("v-" + d);
      }
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.count("records", null, null)).isEqualTo(3);
      }
    }
  }

  @Test
  void closeCheckpointsAndRemovesTheWal() {
    try (SqliteBackend backend = SqliteTestSupport.open(dir)) {
      SqliteTestSupport.put(backend, "records", "k", "v");
      assertThat(dir.resolve("store.sqlite-wal")).exists();
    }
    assertThat(dir.resolve("store.sqlite-wal")).doesNotExist();
    assertThat(dir.resolve("store.sqlite-shm")).doesNotExist();
  }

  /**
   * Kills a real JVM with SIGKILL while it commits; every commit it acknowledged (printed after
   * {@code commit(SYNC)} returned) must be there, and no transaction may be half applied.
   */
  @Test
  void acknowledgedSyncCommitsSurviveKillDashNine() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
    String tmp = System.getProperty("org.sqlite.tmpdir");
    if (tmp != null) {
      cmd.add("-Dorg.sqlite.tmpdir=" + tmp);
    }
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add(SqliteCrashWriter.class.getName());
    cmd.add(dir.toString());
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    int lastAcked = -1;
    List<String> output = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        output.add(line);
        if (line.startsWith("acked ")) {
          lastAcked = Integer.parseInt(line.substring(6));
          if (lastAcked >= 150) {
            child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no close()
            break;
          }
        }
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(20, TimeUnit.SECONDS);
    }
    assertThat(lastAcked).as("child output: %s", output).isGreaterThanOrEqualTo(150);

    try (SqliteBackend backend = SqliteTestSupport.open(dir);
        BackendTransaction tx = backend.beginRead()) {
      long count = tx.count("records", null, null);
      assertThat(count).as("records after kill").isGreaterThanOrEqualTo(lastAcked + 1);
      for (int i = 0; i < count; i++) {
        // each transaction wrote a record and its twin: both or neither
        String key = String.format("r-%06d", i);
        assertThat(s(tx.get("records", b(key)))).as(key).isEqualTo("v" + i);
        assertThat(s(tx.get("blobs", b(key)))).as("twin of " + key).isEqualTo("v" + i);
      }
      assertThat(tx.count("blobs", null, null)).isEqualTo(count);
    }
  }
}
