package dev.cairn.backend.lmdb;

import static dev.cairn.backend.lmdb.LmdbTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kills a real JVM (SIGKILL) while it commits, then checks every acknowledged commit survived. */
final class LmdbCrashTest {

  @TempDir Path dir;
  @TempDir Path childTmp;

  /** The child: commits key i with SYNC (every 3rd with ASYNC) and acknowledges on stdout. */
  static final class Child {
    public static void main(String[] args) {
      try (Backend backend =
          LmdbTestSupport.open(Paths.get(args[0]), Map.of("lmdb.mapSize", "1m"))) {
        for (int i = 0; ; i++) {
          try (BackendTransaction tx = backend.beginWrite()) {
            tx.put("records", b(String.format("k%07d", i)), new byte[1000 + i % 3000]);
            tx.commit(i % 3 == 0 ? Durability.ASYNC : Durability.SYNC);
          }
          System.out.println("acked " + i);
          System.out.flush();
        }
      }
    }
  }

  @Test
  void everySyncCommitAcknowledgedBeforeKillNineSurvives() throws Exception {
    for (int cycle = 0; cycle < 2; cycle++) {
      Process child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                  "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                  // lmdbjava extracts its native library there; a killed JVM leaves it behind
                  "-Djava.io.tmpdir=" + childTmp,
                  "-cp", System.getProperty("java.class.path"),
                  Child.class.getName(),
                  dir.toString())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      int lastAcked = -1;
      List<String> unexpected = new ArrayList<>();
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("acked ")) {
            lastAcked = Integer.parseInt(line.substring(6));
            if (lastAcked >= 150 + cycle * 1000) {
              child.destroyForcibly(); // SIGKILL
              break;
            }
          } else {
            unexpected.add(line);
          }
        }
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(lastAcked).as("child output %s", unexpected).isGreaterThanOrEqualTo(150);
      try (Backend backend = LmdbTestSupport.open(dir);
          BackendTransaction tx = backend.beginRead()) {
        for (int i = 0; i <= lastAcked; i++) {
          assertThat(tx.get("records", b(String.format("k%07d", i))))
              .as("cycle %d key %d (last acked %d)", cycle, i, lastAcked)
              .isNotNull()
              .hasSize(1000 + i % 3000);
        }
      }
    }
  }
}
