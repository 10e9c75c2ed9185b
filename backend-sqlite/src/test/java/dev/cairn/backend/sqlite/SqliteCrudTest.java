package dev.cairn.backend.sqlite;

import static dev.cairn.backend.sqlite.SqliteTestSupport.b;
import static dev.cairn.backend.sqlite.SqliteTestSupport.get;
import static dev.cairn.backend.sqlite.SqliteTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SqliteCrudTest {

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

  @Test
  void putReplacesAnExistingValue() {
    SqliteTestSupport.put(backend, "records", "k", "old");
    SqliteTestSupport.put(backend, "records", "k", "new");
    assertThat(get(backend, "records", "k")).isEqualTo("new");
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(tx.count("records", null, null)).isEqualTo(1);
    }
  }

  @Test
  void emptyValuesAndEmptyKeysRoundTripAsEmptyArraysNotNull() {
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put("meta", b("empty"), new byte[0]);
      tx.put("meta", new byte[0], b("under the empty key"));
      tx.commit(Durability.SYNC);
    }
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(tx.get("meta", b("empty"))).isNotNull().isEmpty();
      assertThat(s(tx.get("meta", new byte[0]))).isEqualTo("under the empty key");
      var c = tx.scan("meta", null, null);
      assertThat(c.next()).isTrue();
      assertThat(c.key()).isNotNull().isEmpty();
      assertThat(c.next()).isTrue();
      assertThat(c.value()).isNotNull().isEmpty();
    }
  }

  @Test
  void everyMethodThrowsIllegalStateAfterCommit() {
    BackendTransaction tx = backend.beginWrite();
    tx.put("records", b("a"), b("1"));
    tx.commit(Durability.SYNC);
    assertThatThrownBy(() -> tx.get("records", b("a"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tx.put("records", b("a"), b("2")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tx.delete("records", b("a")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tx.scan("records", null, null))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tx.count("records", null, null))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tx.commit(Durability.SYNC)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(tx::rollback).isInstanceOf(IllegalStateException.class);
    tx.close();
    tx.close();
    assertThat(get(backend, "records", "a")).isEqualTo("1");
  }

  @Test
  void everyMethodThrowsIllegalStateAfterRollbackAndClose() {
    BackendTransaction rolledBack = backend.beginWrite();
    rolledBack.rollback();
    assertThatThrownBy(() -> rolledBack.get("records", b("a")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(rolledBack::rollback).isInstanceOf(IllegalStateException.class);
    rolledBack.close();

    BackendTransaction closed = backend.beginRead();
    closed.close();
    assertThatThrownBy(() -> closed.get("records", b("a")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> closed.commit(Durability.SYNC))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void unknownKeyspaceIsAnIllegalArgumentNamingIt() {
    try (BackendTransaction tx = backend.beginWrite()) {
      assertThatThrownBy(() -> tx.put("nope", b("a"), b("1")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'nope'")
          .hasMessageContaining("records");
      assertThatThrownBy(() -> tx.get(null, b("a"))).isInstanceOf(IllegalArgumentException.class);
      // a caller mistake does not poison the transaction
      tx.put("records", b("a"), b("1"));
      tx.commit(Durability.SYNC);
    }
    assertThat(get(backend, "records", "a")).isEqualTo("1");
  }

  @Test
  void maliciousKeyspaceNamesNeverReachSql() {
    String[] evil = {
      "records\"; DROP TABLE \"ks_records", "records' OR 1=1 --", "RECORDS", "ks_records",
      "records\u0000", "../records", ""
    };
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put("records", b("a"), b("1"));
      for (String name : evil) {
        assertThatThrownBy(() -> tx.put(name, b("x"), b("y")))
            .as(name)
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.scan(name, null, null))
            .as(name)
            .isInstanceOf(IllegalArgumentException.class);
      }
      tx.commit(Durability.SYNC);
    }
    assertThat(get(backend, "records", "a")).isEqualTo("1");
  }

  @Test
  void nullKeysAndValuesAreIllegalArguments() {
    try (BackendTransaction tx = backend.beginWrite()) {
      assertThatThrownBy(() -> tx.put("records", null, b("v")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key");
      assertThatThrownBy(() -> tx.put("records", b("k"), null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value");
      assertThatThrownBy(() -> tx.get("records", null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> tx.commit(null)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void commitAfterAFailedStatementIsRefusedAndRollsBack() throws Exception {
    // Drop the table behind the backend's back so the next statement fails inside SQLite.
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put("records", b("kept"), b("1"));
      tx.commit(Durability.SYNC);
    }
    try (var c = java.sql.DriverManager.getConnection(
        "jdbc:sqlite:" + dir.resolve("store.sqlite"))) {
      c.createStatement().execute("DROP TABLE ks_blobs");
    }
    BackendTransaction tx = backend.beginWrite();
    tx.put("records", b("partial"), b("1"));
    Throwable first = org.assertj.core.api.Assertions.catchThrowable(
        () -> tx.put("blobs", b("h"), b("2")));
    assertThat(first).isInstanceOf(BackendException.class).hasMessageContaining("ks_blobs");
    // the refusal names the first failure and carries it, for a caller that dropped it
    assertThatThrownBy(() -> tx.commit(Durability.SYNC))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("commit refused: an earlier operation of this write transaction"
            + " failed, so it was rolled back instead (" + first.getMessage() + ")")
        .hasCause(first);
    tx.rollback(); // harmless after a failed commit
    tx.close();
    assertThat(get(backend, "records", "partial")).isNull();
    assertThat(get(backend, "records", "kept")).isEqualTo("1");
    assertThat(backend.writerAvailable()).isTrue();
  }
}
