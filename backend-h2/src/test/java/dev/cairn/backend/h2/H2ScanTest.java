package dev.cairn.backend.h2;

import static dev.cairn.backend.h2.H2TestSupport.b;
import static dev.cairn.backend.h2.H2TestSupport.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class H2ScanTest {

  @TempDir Path dir;

  @Test
  void cursorHasNoEntryBeforeNextOrAfterTheEnd() {
    try (Backend backend = H2TestSupport.open(dir)) {
      H2TestSupport.put(backend, "records", "a", "1");
      try (BackendTransaction tx = backend.beginRead();
          BackendCursor c = tx.scan("records", null, null)) {
        assertThatThrownBy(c::key).isInstanceOf(IllegalStateException.class);
        assertThat(c.next()).isTrue();
        assertThat(c.key()).isEqualTo(b("a"));
        assertThat(c.value()).isEqualTo(b("1"));
        assertThat(c.next()).isFalse();
        assertThat(c.next()).isFalse();
        assertThatThrownBy(c::value).isInstanceOf(IllegalStateException.class);
      }
    }
  }

  @Test
  void cursorIsClosedWithItsTransaction() {
    try (Backend backend = H2TestSupport.open(dir)) {
      H2TestSupport.put(backend, "records", "a", "1");
      BackendTransaction tx = backend.beginRead();
      BackendCursor c = tx.scan("records", null, null);
      tx.close();
      assertThatThrownBy(c::next).isInstanceOf(IllegalStateException.class);
      c.close(); // harmless
    }
  }

  @Test
  void writeTransactionScanIncludesItsUncommittedWrites() {
    try (Backend backend = H2TestSupport.open(dir)) {
      H2TestSupport.put(backend, "records", "a", "1");
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put("records", b("b"), b("2"));
        tx.delete("records", b("a"));
        assertThat(keys(tx, "records", null, null)).containsExactly(b("b"));
        tx.rollback();
      }
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(keys(tx, "records", null, null)).containsExactly(b("a"));
      }
    }
  }
}
