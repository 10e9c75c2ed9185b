package dev.cairn.backend.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.TransactionConflictException;
import dev.cairn.storage.spi.BackendCursor;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The transaction skeleton on a third database, H2 in memory, with a dialect of its own (MERGE
 * instead of ON CONFLICT): what the SQLite and PostgreSQL backends inherit, checked without
 * either of them.
 */
final class JdbcTransactionTest {

  private static final SqlDialect H2 = new SqlDialect() {
    @Override
    public String databaseName() {
      return "H2";
    }

    @Override
    public String table(String keyspace) {
      return "ks_" + keyspace;
    }

    @Override
    public String createTable(String table) {
      return "CREATE TABLE IF NOT EXISTS " + table
          + " (k VARBINARY(256) PRIMARY KEY, v VARBINARY NOT NULL)";
    }

    @Override
    public String upsert(String table) {
      return "MERGE INTO " + table + " (k, v) KEY (k) VALUES (?, ?)";
    }

    @Override
    public int scanFetchSize() {
      return 2;
    }
  };

  private static final AtomicInteger DATABASES = new AtomicInteger();
  /** Longer than the key column: the database refuses the statement. */
  private static final byte[] TOO_LONG = new byte[300];

  private String url;
  private Connection keeper;
  private Store store;

  @BeforeEach
  void createDatabase() throws SQLException {
    url = "jdbc:h2:mem:jdbc-tx-" + DATABASES.incrementAndGet();
    keeper = DriverManager.getConnection(url); // keeps the in-memory database alive
    store = new Store();
    try (Statement st = keeper.createStatement()) {
      st.execute(store.keyspace("records").create());
    }
  }

  @AfterEach
  void dropDatabase() throws SQLException {
    keeper.close();
  }

  @Test
  void writesAreVisibleInTheirTransactionAndAfterCommitOnly() throws SQLException {
    Tx w = begin(false);
    w.put("records", b("a"), b("1"));
    w.put("records", b("a"), b("2"));
    assertThat(w.get("records", b("a"))).isEqualTo(b("2"));
    try (Tx r = begin(true)) {
      assertThat(r.get("records", b("a"))).isNull();
    }
    w.commit(Durability.SYNC);
    try (Tx r = begin(true)) {
      assertThat(r.get("records", b("a"))).isEqualTo(b("2"));
      assertThat(r.count("records", null, null)).isEqualTo(1);
    }
    assertThat(w.released).containsExactly(true);
    assertThat(w.ended).isEqualTo(1);
  }

  @Test
  void emptyValuesAndKeysComeBackAsEmptyArraysNeverNull() throws SQLException {
    try (Tx w = begin(false)) {
      w.put("records", new byte[0], new byte[0]);
      assertThat(w.get("records", new byte[0])).isEmpty();
      try (BackendCursor c = w.scan("records", null, null)) {
        assertThat(c.next()).isTrue();
        assertThat(c.key()).isEmpty();
        assertThat(c.value()).isEmpty();
      }
    }
  }

  @Test
  void scansReturnTheRangeInKeyOrderAcrossFetchPages() throws SQLException {
    try (Tx w = begin(false)) {
      for (String k : new String[] {"e", "a", "c", "b", "d"}) {
        w.put("records", b(k), b("v" + k));
      }
      assertThat(keys(w.scan("records", b("b"), b("e")))).containsExactly("b", "c", "d");
      assertThat(keys(w.scan("records", null, b("c")))).containsExactly("a", "b");
      assertThat(keys(w.scan("records", b("d"), null))).containsExactly("d", "e");
      assertThat(w.count("records", b("b"), b("e"))).isEqualTo(3);
    }
  }

  @Test
  void deleteSaysWhetherARowWentAndOnlyThenCountsAsAWrite() throws SQLException {
    try (Tx w = begin(false)) {
      w.put("records", b("a"), b("1"));
      assertThat(w.delete("records", b("a"))).isTrue();
      assertThat(w.delete("records", b("a"))).isFalse();
      assertThat(w.written).containsExactly("records/a", "records/a");
    }
  }

  @Test
  void aFailedStatementMakesCommitRefuseRollBackAndLeaveRollbackANoOp() throws SQLException {
    Tx w = begin(false);
    w.put("records", b("a"), b("1"));
    assertThatThrownBy(() -> w.put("records", TOO_LONG, b("2")))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("put into keyspace records failed");
    assertThatThrownBy(() -> w.commit(Durability.SYNC))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith(JdbcTransaction.COMMIT_REFUSED + " (put into keyspace records")
        .hasCauseInstanceOf(BackendException.class);
    w.rollback();
    w.close();
    assertThat(w.released).containsExactly(true);
    assertThat(w.ended).isZero();
    try (Tx r = begin(true)) {
      assertThat(r.get("records", b("a"))).isNull();
    }
  }

  @Test
  void aRefusedCommitStaysRetryableWhenTheFirstFailureWasAConflict() throws SQLException {
    store.conflicts = true;
    Tx w = begin(false);
    assertThatThrownBy(() -> w.put("records", TOO_LONG, b("1")))
        .isInstanceOf(TransactionConflictException.class);
    assertThatThrownBy(() -> w.commit(Durability.SYNC))
        .isInstanceOf(TransactionConflictException.class)
        .hasMessageStartingWith(JdbcTransaction.COMMIT_REFUSED);
  }

  @Test
  void aCommitThatFailsInTheDatabaseRollsBackAndGivesTheConnectionBackOnce() throws SQLException {
    Tx w = begin(false);
    w.put("records", b("a"), b("1"));
    w.failCommit = true;
    assertThatThrownBy(() -> w.commit(Durability.SYNC))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("commit failed");
    w.rollback(); // a no-op after a failed commit
    assertThat(w.released).containsExactly(true);
    assertThat(w.ended).isEqualTo(1);
    try (Tx r = begin(true)) {
      assertThat(r.get("records", b("a"))).isNull();
    }
  }

  @Test
  void everyMethodOfAnEndedTransactionSaysHowItEnded() throws SQLException {
    Tx committed = begin(false);
    committed.commit(Durability.ASYNC);
    assertThatThrownBy(() -> committed.get("records", b("a")))
        .isInstanceOf(IllegalStateException.class).hasMessage("transaction already committed");
    assertThatThrownBy(committed::rollback)
        .isInstanceOf(IllegalStateException.class).hasMessage("transaction already committed");

    Tx rolledBack = begin(false);
    rolledBack.rollback();
    assertThatThrownBy(() -> rolledBack.put("records", b("a"), b("1")))
        .isInstanceOf(IllegalStateException.class).hasMessage("transaction already rolled back");

    Tx closed = begin(true);
    closed.close();
    closed.close();
    assertThatThrownBy(() -> closed.commit(Durability.SYNC))
        .isInstanceOf(IllegalStateException.class).hasMessage("transaction is closed");

    Tx aborted = begin(true);
    aborted.abortForClose();
    assertThatThrownBy(() -> aborted.count("records", null, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("transaction was rolled back because the H2 backend was closed");
    assertThat(aborted.released).containsExactly(true);
    assertThat(aborted.ended).isZero();
  }

  @Test
  void aReadTransactionRefusesWritesAndCommitsByEnding() throws SQLException {
    Tx r = begin(true);
    assertThatThrownBy(() -> r.put("records", b("a"), b("1")))
        .isInstanceOf(IllegalStateException.class).hasMessage("put in a read-only transaction");
    assertThatThrownBy(() -> r.delete("records", b("a")))
        .isInstanceOf(IllegalStateException.class).hasMessage("delete in a read-only transaction");
    r.commit(Durability.SYNC);
    assertThat(r.released).containsExactly(true);
    assertThat(r.ended).isEqualTo(1);
  }

  @Test
  void cursorsEndWithTheirTransactionAndGiveTheirStatementsBack() throws SQLException {
    Tx w = begin(false);
    w.put("records", b("a"), b("1"));
    BackendCursor open = w.scan("records", null, null);
    BackendCursor closed = w.scan("records", null, null);
    closed.close();
    assertThatThrownBy(closed::next)
        .isInstanceOf(IllegalStateException.class).hasMessage("cursor is closed");
    assertThat(open.next()).isTrue();
    assertThat(open.next()).isFalse();
    assertThatThrownBy(open::key)
        .isInstanceOf(IllegalStateException.class).hasMessage("cursor is exhausted");
    w.commit(Durability.SYNC); // closes the cursor still open
    assertThatThrownBy(open::next)
        .isInstanceOf(IllegalStateException.class).hasMessage("cursor is closed");
    assertThat(w.scansGivenBack).isEqualTo(2);
  }

  @Test
  void argumentsAreCheckedBeforeAnythingRuns() throws SQLException {
    try (Tx w = begin(false)) {
      assertThatThrownBy(() -> w.get("nope", b("a")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
      assertThatThrownBy(() -> w.put("records", null, b("1")))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("key must not be null");
      assertThatThrownBy(() -> w.put("records", b("a"), null))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("value must not be null");
      assertThatThrownBy(() -> w.commit(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("durability must not be null");
      assertThat(w.written).isEmpty();
    }
  }

  private Tx begin(boolean readOnly) throws SQLException {
    Connection c = DriverManager.getConnection(url);
    c.setAutoCommit(false);
    return new Tx(store, c, readOnly);
  }

  private static List<String> keys(BackendCursor c) {
    List<String> keys = new ArrayList<>();
    try (c) {
      while (c.next()) {
        keys.add(new String(c.key(), StandardCharsets.UTF_8));
      }
    }
    return keys;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** One keyspace; every failure a BackendException, or a conflict when told so. */
  private static final class Store implements JdbcStore {
    private final Map<String, KeyspaceSql> keyspaces = Map.of("records", KeyspaceSql.of(H2, "records"));
    boolean conflicts;

    @Override
    public SqlDialect dialect() {
      return H2;
    }

    @Override
    public KeyspaceSql keyspace(String name) {
      KeyspaceSql ks = keyspaces.get(name);
      if (ks == null) {
        throw new IllegalArgumentException("unknown keyspace '" + name + "'");
      }
      return ks;
    }

    @Override
    public StorageException map(SQLException e, String what) {
      return conflicts
          ? new TransactionConflictException(what + " conflicted", e)
          : new BackendException(what + " failed: " + e.getMessage(), e);
    }
  }

  /** Plain JDBC with auto-commit off, recording what the skeleton asks of it. */
  private static final class Tx extends JdbcTransaction {
    private final Connection conn;
    final List<Boolean> released = new ArrayList<>();
    final List<String> written = new ArrayList<>();
    int ended;
    int scansGivenBack;
    boolean failCommit;

    Tx(Store store, Connection conn, boolean readOnly) {
      super(store, readOnly);
      this.conn = conn;
    }

    @Override
    protected PreparedStatement statement(String sql) throws SQLException {
      return conn.prepareStatement(sql);
    }

    @Override
    protected void doneScanning(PreparedStatement statement) throws SQLException {
      scansGivenBack++;
      super.doneScanning(statement);
    }

    @Override
    protected void commitInDatabase(Durability durability) throws SQLException {
      if (failCommit) {
        throw new SQLException("the disk went away");
      }
      conn.commit();
    }

    @Override
    protected boolean rollbackQuietly() {
      try {
        conn.rollback();
        return true;
      } catch (SQLException e) {
        return false;
      }
    }

    @Override
    protected void release(boolean healthy) {
      released.add(healthy);
      try {
        conn.close();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    protected void written(String keyspace, byte[] key) {
      written.add(keyspace + "/" + new String(key, StandardCharsets.UTF_8));
    }

    @Override
    protected void ended() {
      ended++;
    }
  }
}
