package dev.cairn.backend.sqlite;

import static dev.cairn.backend.sqlite.SqliteTestSupport.b;
import static dev.cairn.backend.sqlite.SqliteTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SqliteScanTest {

  @TempDir Path dir;
  SqliteBackend backend;

  @BeforeEach
  void open() {
    backend = SqliteTestSupport.open(dir);
  }

  @AfterEach
  void close() {
    backend.close();
  }

  private static List<String> keys(BackendTransaction tx, byte[] from, byte[] to) {
    List<String> out = new ArrayList<>();
    try (BackendCursor c = tx.scan("records", from, to)) {
      while (c.next()) {
        out.add(HexFormat.of().formatHex(c.key()));
      }
    }
    return out;
  }

  @Test
  void emptyRangesYieldNothing() {
    SqliteTestSupport.put(backend, "records", "b", "1");
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(keys(tx, b("b"), b("b"))).isEmpty();
      assertThat(keys(tx, b("c"), b("a"))).isEmpty();
      assertThat(keys(tx, b("c"), null)).isEmpty();
      assertThat(keys(tx, null, b("b"))).isEmpty();
      assertThat(tx.count("records", b("c"), b("a"))).isZero();
      try (BackendCursor c = tx.scan("blobs", null, null)) {
        assertThat(c.next()).isFalse();
        assertThat(c.next()).isFalse();
        assertThatThrownBy(c::key).isInstanceOf(IllegalStateException.class);
      }
    }
  }

  @Test
  void keyBeforeTheFirstNextIsIllegalState() {
    SqliteTestSupport.put(backend, "records", "a", "1");
    try (BackendTransaction tx = backend.beginRead();
        BackendCursor c = tx.scan("records", null, null)) {
      assertThatThrownBy(c::key).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(c::value).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void twoCursorsOverOneKeyspaceIterateIndependently() {
    try (BackendTransaction tx = backend.beginWrite()) {
      for (int i = 0; i < 10; i++) {
        tx.put("records", b("k" + i), b("v" + i));
      }
      tx.commit(Durability.SYNC);
    }
    try (BackendTransaction tx = backend.beginRead()) {
      BackendCursor a = tx.scan("records", null, null);
      BackendCursor c = tx.scan("records", null, null);
      assertThat(a.next()).isTrue();
      assertThat(a.next()).isTrue();
      assertThat(c.next()).isTrue();
      assertThat(s(a.key())).isEqualTo("k1");
      assertThat(s(c.key())).isEqualTo("k0");
      a.close();
      assertThatThrownBy(a::next).isInstanceOf(IllegalStateException.class);
      assertThat(c.next()).isTrue();
      assertThat(s(c.key())).isEqualTo("k1");
      // a third cursor reuses the statement the closed one gave back
      try (BackendCursor d = tx.scan("records", b("k5"), null)) {
        assertThat(d.next()).isTrue();
        assertThat(s(d.key())).isEqualTo("k5");
      }
    }
  }

  @Test
  void cursorsAreClosedWhenTheTransactionEnds() {
    SqliteTestSupport.put(backend, "records", "a", "1");
    BackendCursor cursor;
    try (BackendTransaction tx = backend.beginRead()) {
      cursor = tx.scan("records", null, null);
      assertThat(cursor.next()).isTrue();
    }
    assertThatThrownBy(cursor::next).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(cursor::key).isInstanceOf(IllegalStateException.class);
    cursor.close();
    assertThat(backend.availableReaders()).isEqualTo(4);
  }

  @Test
  void aWriteTransactionCanScanItsOwnUncommittedChanges() {
    SqliteTestSupport.put(backend, "records", "a", "1");
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put("records", b("b"), b("2"));
      tx.delete("records", b("a"));
      assertThat(keys(tx, null, null)).containsExactly(HexFormat.of().formatHex(b("b")));
      assertThat(tx.count("records", null, null)).isEqualTo(1);
      BackendCursor open = tx.scan("records", null, null);
      assertThat(open.next()).isTrue();
      tx.commit(Durability.SYNC); // closes the open cursor first
      assertThatThrownBy(open::next).isInstanceOf(IllegalStateException.class);
    }
  }
}
