package dev.cairn.backend.h2;

import static dev.cairn.backend.h2.H2TestSupport.b;
import static dev.cairn.backend.h2.H2TestSupport.get;
import static dev.cairn.backend.h2.H2TestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class H2DurabilityTest {

  @TempDir Path dir;

  @Test
  void everyDurabilitySurvivesCloseAndReopen() {
    try (Backend backend = H2TestSupport.open(dir)) {
      for (Durability d : Durability.values()) {
        try (BackendTransaction tx = backend.beginWrite()) {
          tx.put("records", b(d.name()), b("v-" + d));
          tx.commit(d);
        }
      }
    }
    try (Backend backend = H2TestSupport.open(dir)) {
      for (Durability d : Durability.values()) {
        assertThat(get(backend, "records", d.name())).isEqualTo("v-" + d);
      }
    }
  }

  @Test
  void asyncCommitsWrittenAtCommitTimeWhenFlushDelayIsZero() {
    try (Backend backend = H2TestSupport.open(dir, Map.of("h2.asyncFlushMs", "0"))) {
      for (int i = 0; i < 50; i++) {
        try (BackendTransaction tx = backend.beginWrite()) {
          tx.put("records", b("k" + i), b("v" + i));
          tx.commit(Durability.ASYNC);
        }
      }
    }
    try (Backend backend = H2TestSupport.open(dir)) {
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.count("records", null, null)).isEqualTo(50);
      }
    }
  }

  @Test
  void syncCommitsSurviveKillOfTheWritingJvm() throws Exception {
    Process child = H2ChildProcess.start("commit", dir);
    int lastAcknowledged = -1;
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null) {
        lastAcknowledged = Integer.parseInt(line.substring("committed ".length()));
        if (lastAcknowledged >= 150) {
          break;
        }
      }
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
      child.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(lastAcknowledged).isGreaterThanOrEqualTo(150);
    try (Backend backend = H2TestSupport.open(dir);
        BackendTransaction tx = backend.beginRead()) {
      for (int i = 0; i <= lastAcknowledged; i++) {
        assertThat(s(tx.get("records", b("key" + i)))).as("key%d", i).isEqualTo("value" + i);
      }
      // atomicity: every commit wrote both keyspaces, so their counts match
      assertThat(tx.count("blobs", null, null)).isEqualTo(tx.count("records", null, null));
      assertThat(tx.count("records", null, null)).isGreaterThanOrEqualTo(lastAcknowledged + 1L);
    }
  }
}
