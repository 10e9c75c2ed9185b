package dev.cairn.backend.sqlite;

import static dev.cairn.backend.sqlite.SqliteTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A value written in two parts keeps its body in the column {@code b} of a table that has one
 * (every table this build creates), and whole in {@code v} of a table created before the column
 * existed, whose schema opening the store leaves as it was.
 */
final class SqliteValueColumnsTest {

  @TempDir Path dir;

  private static final byte[] HEAD = b("head:");
  private static final byte[] BODY = b("the body");
  private static final byte[] WHOLE = b("head:the body");

  @Test
  void aNewTableKeepsABodyInItsOwnColumnAndHandsItOverAsItIs() throws SQLException {
    try (SqliteBackend backend = SqliteTestSupport.open(dir)) {
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put("records", b("parts"), HEAD, BODY);
        tx.put("records", b("whole"), WHOLE);
        tx.commit(Durability.SYNC);
      }
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.<byte[]>readParts("records", b("parts"), (h, body) -> body)).isEqualTo(BODY);
        assertThat(tx.<byte[]>readParts("records", b("parts"), (h, body) -> bytes(h))).isEqualTo(HEAD);
        assertThat(tx.<byte[]>readParts("records", b("whole"), (h, body) -> body))
            .as("a value written whole has no body").isNull();
        List<byte[]> bodies = new ArrayList<>();
        try (BackendCursor c = tx.scan("records", null, null)) {
          c.forEachParts((k, h, body) -> bodies.add(body));
        }
        assertThat(bodies).containsExactly(BODY, null);
      }
      assertThat(backend.<byte[]>readLatestParts("records", b("parts"), (h, body) -> body))
          .isEqualTo(BODY);
    }
    assertThat(columns("ks_records")).containsExactly("k", "v", "b");
    assertThat(row("SELECT v, b FROM ks_records WHERE k = x'7061727473'"))
        .as("parts: v is the head, b the body").containsExactly(HEAD, BODY);
    assertThat(row("SELECT v, b FROM ks_records WHERE k = x'77686f6c65'"))
        .as("whole: all in v").containsExactly(WHOLE, null);
  }

  @Test
  void aTableWithoutTheBodyColumnStaysAsItWasAndKeepsValuesWhole() throws Exception {
    Files.createDirectories(dir);
    try (Connection c = connect(); Statement st = c.createStatement()) {
      // the schema of every build before store format 4
      for (String t : List.of("ks_records", "ks_blobs", "ks_meta")) {
        st.execute("CREATE TABLE \"" + t
            + "\" (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID");
      }
      st.execute("INSERT INTO ks_records (k, v) VALUES (x'6f6c64', x'6f6c64')");
    }
    try (SqliteBackend backend = SqliteTestSupport.open(dir)) {
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put("records", b("parts"), HEAD, BODY);
        assertThat(tx.putIfAbsent("records", b("new"), HEAD, BODY)).isNull();
        tx.commit(Durability.SYNC);
      }
      try (BackendTransaction tx = backend.beginRead()) {
        for (String k : List.of("parts", "new")) {
          assertThat(tx.<byte[]>readParts("records", b(k), (h, body) -> body == null ? bytes(h) : null))
              .as(k).isEqualTo(WHOLE);
          assertThat(tx.get("records", b(k))).isEqualTo(WHOLE);
        }
        assertThat(tx.get("records", b("old"))).isEqualTo(b("old"));
      }
    }
    assertThat(columns("ks_records")).as("opening did not change the schema")
        .containsExactly("k", "v");
    assertThat(row("SELECT v FROM ks_records WHERE k = x'7061727473'")).containsExactly(WHOLE);
  }

  @Test
  void theEngineKeepsAStoredValueInTheBodyColumn() throws SQLException {
    byte[] value = new byte[1000];
    new java.util.Random(7).nextBytes(value);
    try (Storage s = Storage.builder().directory(dir).backend("sqlite")
        .noScheduledMaintenance().open()) {
      s.putBytes("c", "k", value);
      assertThat(s.getBytes("c", "k")).contains(value);
    }
    assertThat(row("SELECT b FROM ks_records WHERE b IS NOT NULL")).containsExactly(value);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.get(b.position(), a);
    return a;
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.sqlite"));
  }

  private List<String> columns(String table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT name FROM pragma_table_info('" + table + "')")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private List<byte[]> row(String sql) throws SQLException {
    List<byte[]> cols = new ArrayList<>();
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        cols.add(rs.getBytes(i));
      }
    }
    return cols;
  }
}
