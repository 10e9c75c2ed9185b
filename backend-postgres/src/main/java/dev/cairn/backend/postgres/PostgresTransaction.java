package dev.cairn.backend.postgres;

import dev.cairn.backend.jdbc.KeyspaceSql;
import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.TransactionConflictException;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transaction on one pooled connection: a reader ({@code REPEATABLE READ}, read only) or a
 * writer ({@code SERIALIZABLE}).
 *
 * <p>Every method is synchronized: the owner thread is the only user, but
 * {@link PostgresBackend#close()} may roll the transaction back from another thread.
 *
 * <p>PostgreSQL aborts a transaction at its first failed statement, so after one fails
 * {@link #commit} refuses and rolls back, throwing the same kind of exception as the failure:
 * a {@link TransactionConflictException} stays retryable.
 */
final class PostgresTransaction implements BackendTransaction {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresTransaction.class);

  private enum State {
    OPEN,
    COMMITTED,
    ROLLED_BACK,
    CLOSED,
    ABORTED_BY_BACKEND_CLOSE
  }

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
  private final boolean readOnly;
  private final Gate gate;
  private final Thread owner = Thread.currentThread();
  /** Whether the next put or delete must take the gate (shared). */
  private boolean gateAtNextWrite;
  private final List<PostgresCursor> cursors = new ArrayList<>();
  private State state = State.OPEN;
  private StorageException failure;
  private boolean commitFailed;
  /** Keys written in watched keyspaces, for the commit's notification. */
  private java.util.Map<String, List<byte[]>> changed;

  PostgresTransaction(PostgresBackend backend, Connection conn, boolean readOnly, Gate gate) {
    this.backend = backend;
    this.conn = conn;
    this.readOnly = readOnly;
    this.gate = gate;
    this.gateAtNextWrite = gate == Gate.AT_FIRST_WRITE;
  }

  @Override
  public boolean readOnly() {
    return readOnly;
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
      StorageException mapped = fail(e, "beginWriteAlone");
      finish(State.ROLLED_BACK);
      throw mapped;
    }
  }

  /** Runs a first query so that the REPEATABLE READ snapshot is taken at begin. */
  synchronized void pinSnapshot() {
    try (Statement st = conn.createStatement()) {
      st.execute("SELECT 1");
    } catch (SQLException e) {
      StorageException mapped = fail(e, "beginRead");
      finish(State.ROLLED_BACK);
      throw mapped;
    }
  }

  @Override
  public synchronized byte[] get(String keyspace, byte[] key) {
    KeyspaceSql ks = prepare(keyspace);
    requireBytes(key, "key");
    try (PreparedStatement ps = conn.prepareStatement(ks.get())) {
      ps.setBytes(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    } catch (SQLException e) {
      throw fail(e, "get from keyspace " + keyspace);
    }
  }

  @Override
  public synchronized void put(String keyspace, byte[] key, byte[] value) {
    KeyspaceSql ks = prepare(keyspace);
    requireWritable("put");
    requireBytes(key, "key");
    requireBytes(value, "value");
    try (PreparedStatement ps = conn.prepareStatement(
        gateAtNextWrite ? backend.gatedWrites(ks).put() : ks.put())) {
      ps.setBytes(1, key);
      ps.setBytes(2, value);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw fail(e, "put into keyspace " + keyspace);
    }
    gateAtNextWrite = false;
    noteChange(keyspace, key);
  }

  @Override
  public synchronized boolean delete(String keyspace, byte[] key) {
    KeyspaceSql ks = prepare(keyspace);
    requireWritable("delete");
    requireBytes(key, "key");
    try (PreparedStatement ps = conn.prepareStatement(
        gateAtNextWrite ? backend.gatedWrites(ks).delete() : ks.delete())) {
      ps.setBytes(1, key);
      boolean existed = ps.executeUpdate() > 0;
      if (existed) {
        gateAtNextWrite = false; // a delete that found nothing may not have taken the gate
        noteChange(keyspace, key);
      }
      return existed;
    } catch (SQLException e) {
      throw fail(e, "delete from keyspace " + keyspace);
    }
  }

  @Override
  public synchronized BackendCursor scan(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    KeyspaceSql ks = prepare(keyspace);
    PreparedStatement ps = null;
    try {
      ps = conn.prepareStatement(ks.scan(fromInclusive, toExclusive));
      ps.setFetchSize(PostgresDialect.FETCH_SIZE); // a server-side portal: rows arrive in pages, lazily
      bindRange(ps, fromInclusive, toExclusive);
      ResultSet rs = ps.executeQuery();
      PostgresCursor cursor = new PostgresCursor(this, ps, rs);
      cursors.add(cursor);
      return cursor;
    } catch (SQLException e) {
      if (ps != null) {
        try {
          ps.close();
        } catch (SQLException ce) {
          e.addSuppressed(ce);
        }
      }
      throw fail(e, "scan of keyspace " + keyspace);
    }
  }

  @Override
  public synchronized long count(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    KeyspaceSql ks = prepare(keyspace);
    try (PreparedStatement ps = conn.prepareStatement(ks.count(fromInclusive, toExclusive))) {
      bindRange(ps, fromInclusive, toExclusive);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw fail(e, "count of keyspace " + keyspace);
    }
  }

  private void noteChange(String keyspace, byte[] key) {
    ExternalWatch w = backend.watch();
    if (w != null && w.watches(keyspace)) {
      if (changed == null) {
        changed = new java.util.HashMap<>();
      }
      changed.computeIfAbsent(keyspace, k -> new ArrayList<>()).add(key.clone());
    }
  }

  /** Tells the watch's listener what this transaction's snapshot saw of other instances. */
  private void fence() {
    ExternalWatch w = backend.watch();
    if (w != null) {
      w.fence();
    }
  }

  private static void bindRange(PreparedStatement ps, byte[] from, byte[] to) throws SQLException {
    int i = 1;
    if (from != null) {
      ps.setBytes(i++, from);
    }
    if (to != null) {
      ps.setBytes(i, to);
    }
  }

  @Override
  public synchronized void commit(Durability durability) {
    checkOpen();
    if (durability == null) {
      throw new IllegalArgumentException("durability must not be null");
    }
    if (readOnly) {
      finish(State.COMMITTED);
      fence();
      return;
    }
    if (failure != null) {
      commitFailed = true;
      finish(State.ROLLED_BACK);
      String msg = "commit refused: an earlier operation of this write transaction failed, so"
          + " it was rolled back instead (" + failure.getMessage() + ")";
      throw failure instanceof TransactionConflictException
          ? new TransactionConflictException(msg, failure)
          : new BackendException(msg, failure);
    }
    closeCursors();
    try {
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
    } catch (SQLException e) {
      commitFailed = true;
      state = State.ROLLED_BACK;
      boolean healthy = rollbackQuietly();
      backend.release(this, conn, healthy);
      fence();
      throw backend.map(e, "commit");
    }
    state = State.COMMITTED;
    backend.release(this, conn, true);
    fence();
  }

  @Override
  public synchronized void rollback() {
    if (state != State.OPEN && commitFailed) {
      return;
    }
    checkOpen();
    finish(State.ROLLED_BACK);
    fence();
  }

  @Override
  public synchronized void close() {
    if (state == State.OPEN) {
      finish(State.CLOSED);
      fence();
    }
  }

  /** Rolls back an open transaction because the backend is closing (any thread). */
  synchronized void abortForClose() {
    if (state == State.OPEN) {
      LOG.warn("rolling back an open {} transaction because the PostgreSQL backend is closing",
          readOnly ? "read" : "write");
      finish(State.ABORTED_BY_BACKEND_CLOSE);
    }
  }

  private void finish(State end) {
    closeCursors();
    state = end;
    boolean healthy = rollbackQuietly();
    backend.release(this, conn, healthy);
  }

  private boolean rollbackQuietly() {
    try {
      conn.rollback();
      return true;
    } catch (SQLException e) {
      LOG.debug("rollback failed; the connection is discarded", e);
      return false;
    }
  }

  private void closeCursors() {
    for (PostgresCursor c : cursors) {
      c.release();
    }
    cursors.clear();
  }

  void forget(PostgresCursor cursor) {
    cursors.remove(cursor);
  }

  /** Marks the transaction failed and maps the error. */
  StorageException fail(SQLException e, String what) {
    StorageException mapped = backend.map(e, what);
    if (failure == null) {
      failure = mapped;
    }
    return mapped;
  }

  void checkOpen() {
    switch (state) {
      case OPEN:
        return;
      case COMMITTED:
        throw new IllegalStateException("transaction already committed");
      case ROLLED_BACK:
        throw new IllegalStateException("transaction already rolled back");
      case CLOSED:
        throw new IllegalStateException("transaction is closed");
      default:
        throw new IllegalStateException(
            "transaction was rolled back because the PostgreSQL backend was closed");
    }
  }

  private KeyspaceSql prepare(String keyspace) {
    checkOpen();
    return backend.keyspace(keyspace);
  }

  private void requireWritable(String op) {
    if (readOnly) {
      throw new IllegalStateException(op + " in a read-only transaction");
    }
  }

  private static void requireBytes(byte[] b, String name) {
    if (b == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
  }
}
