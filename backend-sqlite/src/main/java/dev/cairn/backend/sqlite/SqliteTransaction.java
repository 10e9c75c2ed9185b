package dev.cairn.backend.sqlite;

import dev.cairn.backend.jdbc.KeyspaceSql;
import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transaction on one borrowed connection: the writer (inside {@code BEGIN IMMEDIATE}) or a
 * pooled reader (inside {@code BEGIN}, with the snapshot pinned by a first read at begin; or,
 * for {@link SqliteBackend#beginReadLatest()}, in autocommit mode).
 *
 * <p>Every method is synchronized: the owner thread is the only user, but
 * {@link SqliteBackend#close()} may roll the transaction back from another thread and must not
 * interleave with a running statement.
 *
 * <p>After a statement fails, the transaction can only be rolled back: {@link #commit} refuses
 * (and rolls back) so that no partial change is ever committed. After a commit that failed (and
 * rolled back), {@link #rollback()} is a harmless no-op so callers' error paths stay simple; after a
 * successful commit it throws {@link IllegalStateException}.
 */
final class SqliteTransaction implements BackendTransaction {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteTransaction.class);

  private enum State {
    OPEN,
    COMMITTED,
    ROLLED_BACK,
    CLOSED,
    ABORTED_BY_BACKEND_CLOSE
  }

  private final SqliteBackend backend;
  private final SqliteConnection conn;
  private final boolean readOnly;
  private final List<SqliteCursor> cursors = new ArrayList<>();
  private State state = State.OPEN;
  private boolean failed;
  private boolean commitFailed;

  /** False for a read in autocommit mode ({@link SqliteBackend#beginReadLatest()}). */
  private final boolean inSqlTransaction;

  SqliteTransaction(
      SqliteBackend backend, SqliteConnection conn, boolean readOnly, boolean inSqlTransaction) {
    this.backend = backend;
    this.conn = conn;
    this.readOnly = readOnly;
    this.inSqlTransaction = inSqlTransaction;
  }

  @Override
  public boolean readOnly() {
    return readOnly;
  }

  @Override
  public synchronized byte[] get(String keyspace, byte[] key) {
    KeyspaceSql ks = prepare(keyspace);
    requireBytes(key, "key");
    try {
      PreparedStatement ps = conn.statement(ks.get());
      ps.setBytes(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        byte[] v = rs.getBytes(1);
        return v == null ? new byte[0] : v;
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
    try {
      PreparedStatement ps = conn.statement(ks.put());
      ps.setBytes(1, key);
      ps.setBytes(2, value);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw fail(e, "put into keyspace " + keyspace);
    }
  }

  @Override
  public synchronized boolean delete(String keyspace, byte[] key) {
    KeyspaceSql ks = prepare(keyspace);
    requireWritable("delete");
    requireBytes(key, "key");
    try {
      PreparedStatement ps = conn.statement(ks.delete());
      ps.setBytes(1, key);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw fail(e, "delete from keyspace " + keyspace);
    }
  }

  @Override
  public synchronized BackendCursor scan(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    KeyspaceSql ks = prepare(keyspace);
    PreparedStatement ps = null;
    try {
      ps = conn.cursorStatement(ks.scan(fromInclusive, toExclusive));
      bindRange(ps, fromInclusive, toExclusive);
      ResultSet rs = ps.executeQuery();
      SqliteCursor cursor = new SqliteCursor(this, conn, ps, rs);
      cursors.add(cursor);
      return cursor;
    } catch (SQLException e) {
      if (ps != null) {
        conn.releaseCursorStatement(ps);
      }
      throw fail(e, "scan of keyspace " + keyspace);
    }
  }

  @Override
  public synchronized long count(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    KeyspaceSql ks = prepare(keyspace);
    try {
      PreparedStatement ps = conn.statement(ks.count(fromInclusive, toExclusive));
      bindRange(ps, fromInclusive, toExclusive);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw fail(e, "count of keyspace " + keyspace);
    }
  }

  private static void bindRange(PreparedStatement ps, byte[] from, byte[] to)
      throws SQLException {
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
      return;
    }
    if (failed) {
      commitFailed = true;
      finish(State.ROLLED_BACK);
      throw new BackendException(
          "commit refused: an earlier operation of this write transaction failed, so it was"
              + " rolled back instead");
    }
    closeCursors();
    try {
      conn.execute("COMMIT");
    } catch (SQLException e) {
      commitFailed = true;
      state = State.ROLLED_BACK;
      conn.rollbackQuietly();
      // never reuse a connection whose COMMIT failed: after an I/O error (a full disk) its
      // cached COMMIT statement stays broken, and the next commit would fail with the driver's
      // "statement is not executing" instead of the real cause
      backend.release(this, conn, false);
      throw backend.map(e, "commit");
    }
    state = State.COMMITTED;
    try {
      if (durability != Durability.ASYNC) {
        backend.syncWal();
      }
    } catch (IOException e) {
      throw SqliteErrors.map(e, "fsync of the SQLite WAL after a " + durability
          + " commit (the commit is applied and visible but may not survive a power loss)");
    } finally {
      backend.release(this, conn, true);
    }
  }

  @Override
  public synchronized void rollback() {
    if (state != State.OPEN && commitFailed) {
      return;
    }
    checkOpen();
    finish(State.ROLLED_BACK);
  }

  @Override
  public synchronized void close() {
    if (state == State.OPEN) {
      finish(State.CLOSED);
    }
  }

  /** Rolls back an open transaction because the backend is closing (any thread). */
  synchronized void abortForClose() {
    if (state == State.OPEN) {
      LOG.warn("rolling back an open {} transaction because the SQLite backend is closing",
          readOnly ? "read" : "write");
      finish(State.ABORTED_BY_BACKEND_CLOSE);
    }
  }

  /** Ends the transaction without committing and gives the connection back. */
  private void finish(State end) {
    closeCursors();
    state = end;
    // autocommit reads hold no transaction once their statements are reset (closeCursors)
    boolean healthy = !inSqlTransaction || conn.rollbackQuietly();
    backend.release(this, conn, healthy);
  }

  private void closeCursors() {
    for (SqliteCursor c : cursors) {
      c.release();
    }
    cursors.clear();
  }

  /** Called by a cursor closed by its user. */
  void forget(SqliteCursor cursor) {
    cursors.remove(cursor);
  }

  /** Marks the transaction failed and maps the error. */
  StorageException fail(SQLException e, String what) {
    failed = true;
    return backend.map(e, what);
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
            "transaction was rolled back because the SQLite backend was closed");
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
