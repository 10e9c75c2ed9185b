package dev.cairn.backend.h2;

import static dev.cairn.backend.h2.H2TestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class H2DurabilityTest {

  @TempDir Path dir;

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
}
