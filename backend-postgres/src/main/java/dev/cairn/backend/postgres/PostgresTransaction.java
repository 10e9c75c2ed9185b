package dev.cairn.backend.postgres;

import dev.cairn.backend.jdbc.JdbcTransaction;
import dev.cairn.backend.jdbc.KeyspaceSql;
import dev.cairn.storage.Durability;
import dev.cairn.storage.TransactionConflictException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transaction on one pooled connection: a reader ({@code REPEATABLE READ}, read only) or a
 * writer ({@code SERIALIZABLE}). The operations, states and failure rules are
 * {@link JdbcTransaction}'s; what is PostgreSQL's here: the write gate (see
 * {@link PostgresBackend#beginWrite}), the pinned snapshot of a reader, {@code ASYNC} commits
 * without the WAL flush, and the change notification and fence of {@link ExternalWatch}.
 *
 * <p>PostgreSQL aborts a transaction at its first failed statement, so after one fails
 * {@link #commit} refuses and rolls back, throwing the same kind of exception as the failure:
 * a {@link TransactionConflictException} stays retryable.
 */
final class PostgresTransaction extends JdbcTransaction {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresTransaction.class);

  /** How this transaction holds the store's write gate (see {@link PostgresBackend#beginWrite}). */
  enum Gate {
    /** Takes none: a reader, or a writer nested in another of its thread. */
    NONE,
    /** Takes it in shared mode with its first write (until then it is not taken). */
    AT_FIRST_WRITE,
    /** Holds it exclusively from before its snapshot: runs alone. */
    EXCLUSIVE
  }

  private final PostgresBackend backend;
  private final Connection conn;
  private final Gate gate;
  private final Thread owner = Thread.currentThread();
  /** Whether the next put or delete must take the gate (shared). */
  private boolean gateAtNextWrite;
  /** Keys written in watched keyspaces, for the commit's notification. */
  private Map<String, List<byte[]>> changed;

  PostgresTransaction(PostgresBackend backend, Connection conn, boolean readOnly, Gate gate) {
    super(backend, readOnly);
    this.backend = backend;
    this.conn = conn;
    this.gate = gate;
    this.gateAtNextWrite = gate == Gate.AT_FIRST_WRITE;
  }

  Gate gate() {
    return gate;
  }

  /** The thread that began the transaction. */
  Thread owner() {
    return owner;
  }

  /**
   * Takes the write gate exclusively (session-level, outside a transaction) before anything
   * else: the transaction's snapshot, taken by its first query afterwards, then holds every
   * commit of the writers waited for. Released by {@link PostgresBackend#release}.
   */
  synchronized void takeGateAlone() {
    try {
      conn.setAutoCommit(true);
      try (Statement st = conn.createStatement()) {
        st.execute("SELECT " + backend.writeGate("pg_advisory_lock"));
      }
      conn.setAutoCommit(false);
    } catch (SQLException e) {
      throw failBegin(e, "beginWriteAlone");
    }
  }

  /** Runs a first query so that the REPEATABLE READ snapshot is taken at begin. */
  synchronized void pinSnapshot() {
    try (Statement st = conn.createStatement()) {
      st.execute("SELECT 1");
    } catch (SQLException e) {
      throw failBegin(e, "beginRead");
    }
  }

  @Override
  protected PreparedStatement statement(String sql) throws SQLException {
    return conn.prepareStatement(sql);
  }

  /** The gated put until the gate is taken. */
  @Override
  protected String putSql(KeyspaceSql ks) {
    return gateAtNextWrite ? backend.gatedWrites(ks).put() : super.putSql(ks);
  }

  /** The gated delete until the gate is taken. */
  @Override
  protected String deleteSql(KeyspaceSql ks) {
    return gateAtNextWrite ? backend.gatedWrites(ks).delete() : super.deleteSql(ks);
  }

  /**
   * The gate is now held (a delete that found nothing may not have taken it, so this is not
   * called for one); notes the key for the commit's notification.
   */
  @Override
  protected void written(String keyspace, byte[] key) {
    gateAtNextWrite = false;
    ExternalWatch w = backend.watch();
    if (w != null && w.watches(keyspace)) {
      if (changed == null) {
        changed = new HashMap<>();
      }
      changed.computeIfAbsent(keyspace, k -> new ArrayList<>()).add(key.clone());
    }
  }

  @Override
  protected void commitInDatabase(Durability durability) throws SQLException {
    if (durability == Durability.ASYNC) {
      try (Statement st = conn.createStatement()) {
        // acknowledged before the WAL flush; the server flushes within wal_writer_delay x 3
        st.execute("SET LOCAL synchronous_commit TO off");
      }
    }
    ExternalWatch w = backend.watch();
    if (w != null && changed != null) {
      w.notifyInTransaction(conn, changed); // delivered to the others iff this commits
    }
    conn.commit();
  }

  @Override
  protected boolean rollbackQuietly() {
    try {
      conn.rollback();
      return true;
    } catch (SQLException e) {
      LOG.debug("rollback failed; the connection is discarded", e);
      return false;
    }
  }

  @Override
  protected void release(boolean healthy) {
    backend.release(this, conn, healthy);
  }

  /** Tells the watch's listener what this transaction's snapshot saw of other instances. */
  @Override
  protected void ended() {
    ExternalWatch w = backend.watch();
    if (w != null) {
      w.fence();
    }
  }
}
