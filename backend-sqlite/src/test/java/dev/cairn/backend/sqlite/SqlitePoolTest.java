package dev.cairn.backend.sqlite;

import static dev.cairn.backend.sqlite.SqliteTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SqlitePoolTest {

  @TempDir Path dir;
  SqliteBackend backend;

  @BeforeEach
  void open() {
    backend = SqliteTestSupport.open(dir, "sqlite.readers", "2", "sqlite.poolTimeoutMs", "200");
  }

  @AfterEach
  void close() {
    backend.close();
  }

  @Test
  void anExhaustedPoolFailsAfterTheTimeoutWithAClearMessage() {
    BackendTransaction a = backend.beginRead();
    BackendTransaction b = backend.beginRead();
    assertThat(backend.availableReaders()).isZero();
    assertThatThrownBy(backend::beginRead)
        .isInstanceOf(BackendException.class)
        .hasMessage("all 2 SQLite reader connections busy for 200 ms; raise sqlite.readers or"
            + " close transactions/streams sooner");
    a.close();
    // a freed connection is immediately usable again
    try (BackendTransaction c = backend.beginRead()) {
      assertThat(c.get("records", b("x"))).isNull();
    }
    b.close();
    assertThat(backend.availableReaders()).isEqualTo(2);
  }

  @Test
  void theDefaultMessageNamesTheDefaults() {
    backend.close();
    backend = SqliteTestSupport.open(dir, "sqlite.poolTimeoutMs", "50");
    List<BackendTransaction> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(backend.beginRead());
    }
    assertThatThrownBy(backend::beginRead)
        .hasMessageStartingWith("all 4 SQLite reader connections busy for 50 ms");
    held.forEach(BackendTransaction::close);
    assertThat(backend.availableReaders()).isEqualTo(4);
  }

  @Test
  void failingReadTransactionsNeverLeakConnections() throws Exception {
    SqliteTestSupport.put(backend, "blobs", "h", "v");
    for (int i = 0; i < 10; i++) {
      // caller mistakes
      try (BackendTransaction tx = backend.beginRead()) {
        assertThatThrownBy(() -> tx.get("unknown", b("k")))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.put("records", b("k"), b("v")))
            .isInstanceOf(IllegalStateException.class);
      }
      // a transaction abandoned with an open cursor, ended by commit
      BackendTransaction tx = backend.beginRead();
      BackendCursor c = tx.scan("blobs", null, null);
      assertThat(c.next()).isTrue();
      tx.commit(Durability.SYNC);
    }
    assertThat(backend.availableReaders()).isEqualTo(2);

    // Native failures: the table disappears behind the backend's back.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.sqlite"))) {
      c.createStatement().execute("DROP TABLE ks_blobs");
    }
    for (int i = 0; i < 10; i++) {
      try (BackendTransaction tx = backend.beginRead()) {
        assertThatThrownBy(() -> tx.get("blobs", b("h"))).isInstanceOf(BackendException.class);
        assertThatThrownBy(() -> tx.scan("blobs", null, null))
            .isInstanceOf(BackendException.class);
        assertThatThrownBy(() -> tx.count("blobs", null, null))
            .isInstanceOf(BackendException.class);
      }
    }
    assertThat(backend.availableReaders()).isEqualTo(2);
    // and every pooled connection still works
    try (BackendTransaction t1 = backend.beginRead(); BackendTransaction t2 = backend.beginRead()) {
      assertThat(t1.count("records", null, null)).isZero();
      assertThat(t2.count("records", null, null)).isZero();
    }
  }

  @Test
  void failingWriteTransactionsNeverKeepTheWriter() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.sqlite"))) {
      c.createStatement().execute("DROP TABLE ks_meta");
    }
    for (int i = 0; i < 10; i++) {
      BackendTransaction tx = backend.beginWrite();
      tx.put("records", b("k" + i), b("v"));
      assertThatThrownBy(() -> tx.put("meta", b("k"), b("v")))
          .isInstanceOf(BackendException.class);
      if (i % 2 == 0) {
        assertThatThrownBy(() -> tx.commit(Durability.SYNC)).isInstanceOf(BackendException.class);
      } else {
        tx.close();
      }
      assertThat(backend.writerAvailable()).isTrue();
    }
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(tx.count("records", null, null)).isZero();
    }
    SqliteTestSupport.put(backend, "records", "ok", "1");
    assertThat(SqliteTestSupport.get(backend, "records", "ok")).isEqualTo("1");
  }
}
