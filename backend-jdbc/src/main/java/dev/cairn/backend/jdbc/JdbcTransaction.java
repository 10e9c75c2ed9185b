package dev.cairn.backend.jdbc;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.TransactionConflictException;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * A backend transaction on one JDBC connection, with everything that does not depend on the
 * database: the operations over {@link KeyspaceSql}, the cursors, the states and their checks,
 * and the bookkeeping of failures, commit, rollback and close. A backend subclasses it and says,
 * through the hooks below, how its connection runs a statement, commits, rolls back and goes
 * back to the backend; its {@link JdbcStore} supplies the keyspaces' SQL and maps failures.
 *
 * <p>Every public method is synchronized: the owner thread is the only user, but the backend's
 * {@code close()} may roll the transaction back from another thread ({@link #abortForClose()})
 * and must not interleave with a running statement. Cursors lock the transaction too.
 *
 * <p>After a statement fails, the transaction can only end: {@link #commit} refuses (and rolls
 * back, naming the first failure) so that no partial change is ever committed. After a commit that
 * failed, {@link #rollback()} is a harmless no-op so callers' error paths stay simple; after a
 * successful commit it throws {@link IllegalStateException}.
 *
 * <p>The connection is given back exactly once ({@link #release}), whichever way the
 * transaction ends.
 */
public abstract class JdbcTransaction implements BackendTransaction {

  /** The start of the message of a commit refused after a failed statement. */
  static final String COMMIT_REFUSED = "commit refused: an earlier operation of this"
      + " write transaction failed, so it was rolled back instead";

  private enum State {
    OPEN,
    COMMITTED,
    ROLLED_BACK,
    CLOSED,
    ABORTED_BY_BACKEND_CLOSE
  }

  private final JdbcStore store;
  private final SqlDialect dialect;
  private final boolean readOnly;
  private final List<JdbcCursor> cursors = new ArrayList<>();
  private State state = State.OPEN;
  /** The first failure of a statement, if any: the transaction can then only end. */
  private StorageException failure;
  private boolean commitFailed;

  /**
   * A transaction of {@code store}, open until it commits, rolls back or is closed.
   *
   * @param store the backend that begins the transaction
   * @param readOnly whether this is a read transaction (puts and deletes are refused)
   */
  protected JdbcTransaction(JdbcStore store, boolean readOnly) {
    this.store = store;
    this.dialect = store.dialect();
    this.readOnly = readOnly;
  }

  // ------------------------------------------------------------------------------- hooks

  /**
   * A prepared statement for {@code sql}, for one operation; given back with {@link #done}.
   *
   * @param sql the statement's SQL, from {@link KeyspaceSql}
   * @return a statement on this transaction's connection
   * @throws SQLException if the statement cannot be prepared
   */
  protected abstract PreparedStatement statement(String sql) throws SQLException;

  /**
   * Gives back a statement of {@link #statement} after its operation. Closes it by default.
   *
   * @param statement a statement {@link #statement} returned
   * @throws SQLException if closing it fails
   */
  protected void done(PreparedStatement statement) throws SQLException {
    statement.close();
  }

  /**
   * A prepared statement for a scan, held by its cursor until the cursor is closed or the
   * transaction ends, then given back with {@link #doneScanning}. {@link #statement} by
   * default.
   *
   * @param sql the scan's SQL, from {@link KeyspaceSql}
   * @return a statement on this transaction's connection
   * @throws SQLException if the statement cannot be prepared
   */
  protected PreparedStatement scanStatement(String sql) throws SQLException {
    return statement(sql);
  }

  /**
   * Gives back a statement of {@link #scanStatement}. {@link #done} by default.
   *
   * @param statement a statement {@link #scanStatement} returned
   * @throws SQLException if giving it back fails
   */
  protected void doneScanning(PreparedStatement statement) throws SQLException {
    done(statement);
  }

  /**
   * Commits the database transaction. If it throws, the transaction is rolled back
   * ({@link #rollbackQuietly}), the connection given back, and the failure thrown as
   * {@link JdbcStore#map mapped}.
   *
   * @param durability the commit's durability
   * @throws SQLException if the database refuses or fails the commit
   */
  protected abstract void commitInDatabase(Durability durability) throws SQLException;

  /**
   * Rolls back the database transaction, if one is open; returns whether the connection is
   * still usable (false: the backend discards it). Never throws.
   *
   * @return {@code true} if the connection may be used again
   */
  protected abstract boolean rollbackQuietly();

  /**
   * Gives the connection back to the backend; called exactly once, when the transaction ends.
   *
   * @param healthy {@code false} if the connection must be discarded, not reused
   */
  protected abstract void release(boolean healthy);

  /**
   * The statement of a put; the keyspace's upsert ({@link SqlDialect#upsert}) by default.
   *
   * @param ks the keyspace's SQL
   * @return the SQL of a put, with the key as parameter 1 and the value as parameter 2
   */
  protected String putSql(KeyspaceSql ks) {
    return ks.put();
  }

  /**
   * The statement of {@link #putIfAbsent}, with the key as parameter 1 and the value as
   * parameter 2, which inserts and changes nothing if the key is present
   * ({@link KeyspaceSql#insertIfAbsent()}); or {@code null}, the default, for the interface's
   * {@link #get} followed by {@link #put}. A backend returns one only where a {@link #get} right
   * after a failed insert is sure to see the row that stopped it.
   *
   * @param ks the keyspace's SQL
   * @return the SQL of the insert, or {@code null}
   */
  protected String insertIfAbsentSql(KeyspaceSql ks) {
    return null;
  }

  /**
   * The statement of a delete; the keyspace's {@code DELETE ... WHERE k = ?} by default.
   *
   * @param ks the keyspace's SQL
   * @return the SQL of a delete, with the key as parameter 1
   */
  protected String deleteSql(KeyspaceSql ks) {
    return ks.delete();
  }

  /**
   * Called after a put, and after a delete that removed a row. Does nothing by default.
   *
   * @param keyspace the keyspace written
   * @param key the key put or deleted
   */
  protected void written(String keyspace, byte[] key) {}

  /**
   * Called after {@link #commitInDatabase} succeeded, before the connection is given back (a
   * write transaction only). Does nothing by default. An exception it throws reaches the
   * caller of {@link #commit}; the transaction stays committed.
   *
   * @param durability the commit's durability
   */
  protected void committed(Durability durability) {}

  /**
   * Called after the transaction ended by {@link #commit}, {@link #rollback} or {@link #close}
   * and gave its connection back, also when the commit failed in the database; not after a
   * refused commit, a failed begin or {@link #abortForClose()}. Does nothing by default.
   */
  protected void ended() {}

  /**
   * Whether the connection may be kept once rolled back after {@link #commitInDatabase} failed.
   * True by default.
   *
   * @return {@code true} if the connection may be used again
   */
  protected boolean reusableAfterFailedCommit() {
    return true;
  }

  /**
   * The exception of a commit refused because a statement had failed ({@code firstFailure}, as
   * mapped): {@link #COMMIT_REFUSED} with the first failure's message appended and as cause, a
   * {@link TransactionConflictException} if the first failure was one (so it stays retryable),
   * else a {@link BackendException}. The same on every JDBC backend: a caller that caught and
   * dropped the first failure still learns what it was.
   */
  private static StorageException commitRefused(StorageException firstFailure) {
    String msg = COMMIT_REFUSED + " (" + firstFailure.getMessage() + ")";
    return firstFailure instanceof TransactionConflictException
        ? new TransactionConflictException(msg, firstFailure)
        : new BackendException(msg, firstFailure);
  }

  // ---------------------------------------------------------------------- the transaction

  @Override
  public final boolean readOnly() {
    return readOnly;
  }

  @Override
  public final synchronized byte[] get(String keyspace, byte[] key) {
    byte[][] row = row(keyspace, key);
    return row == null ? null : whole(row[0], row[1]);
  }

  /**
   * {@inheritDoc} A keyspace with a body column ({@link KeyspaceSql#body()}) hands its
   * {@code b} over as the body, the driver's array as it is.
   */
  @Override
  public final synchronized <T> T readParts(String keyspace, byte[] key, PartsReader<T> reader) {
    byte[][] row = row(keyspace, key);
    return row == null ? null : reader.read(ByteBuffer.wrap(row[0]), row[1]);
  }

  /** The row of {@code key}: {@code v} and {@code b} (null without a body column), or null. */
  private byte[][] row(String keyspace, byte[] key) {
    KeyspaceSql ks = prepare(keyspace);
    requireBytes(key, "key");
    try (Borrowed s = new Borrowed(ks.get())) {
      PreparedStatement ps = s.statement;
      ps.setBytes(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new byte[][] {notNull(rs.getBytes(1)), ks.body() ? rs.getBytes(2) : null};
      }
    } catch (SQLException e) {
      throw fail(e, "get from keyspace " + keyspace);
    }
  }

  @Override
  public final synchronized void put(String keyspace, byte[] key, byte[] value) {
    KeyspaceSql ks = prepare(keyspace);
    requireWritable("put");
    write(putSql(ks), ks, key, value, null);
    written(keyspace, key);
  }

  /**
   * {@inheritDoc} A keyspace with a body column ({@link KeyspaceSql#body()}) keeps
   * {@code head} in {@code v} and {@code body} in {@code b}; others store the concatenation.
   */
  @Override
  public final synchronized void put(String keyspace, byte[] key, byte[] head, byte[] body) {
    KeyspaceSql ks = prepare(keyspace);
    if (!ks.body()) {
      BackendTransaction.super.put(keyspace, key, head, body);
      return;
    }
    requireWritable("put");
    requireBytes(body, "body");
    write(putSql(ks), ks, key, head, body);
    written(keyspace, key);
  }

  /** {@inheritDoc} Kept as {@link #put(String, byte[], byte[], byte[])} keeps the parts. */
  @Override
  public final synchronized byte[] putIfAbsent(
      String keyspace, byte[] key, byte[] head, byte[] body) {
    KeyspaceSql ks = prepare(keyspace);
    if (!ks.body()) {
      return BackendTransaction.super.putIfAbsent(keyspace, key, head, body);
    }
    requireWritable("putIfAbsent");
    requireBytes(body, "body");
    return insertIfAbsent(ks, key, head, body);
  }

  /**
   * {@inheritDoc} With {@link #insertIfAbsentSql} one statement when the key is absent, and a
   * {@link #get} after it when the key is present.
   */
  @Override
  public final synchronized byte[] putIfAbsent(String keyspace, byte[] key, byte[] value) {
    KeyspaceSql ks = prepare(keyspace);
    requireWritable("putIfAbsent");
    return insertIfAbsent(ks, key, value, null);
  }

  /**
   * {@link #putIfAbsent} of {@code value}, or of a head ({@code value}) and a {@code body} in a
   * keyspace with a body column.
   */
  private byte[] insertIfAbsent(KeyspaceSql ks, byte[] key, byte[] value, byte[] body) {
    String keyspace = ks.name();
    String sql = insertIfAbsentSql(ks);
    if (sql == null) {
      byte[] old = get(keyspace, key);
      if (old == null) {
        write(putSql(ks), ks, key, value, body);
        written(keyspace, key);
      }
      return old;
    }
    if (write(sql, ks, key, value, body) > 0) {
      written(keyspace, key);
      return null;
    }
    byte[] present = get(keyspace, key);
    if (present == null) { // the database broke its own contract: end rather than guess
      BackendException e = new BackendException("put into keyspace " + keyspace
          + ": the insert found the key present but a read of it found nothing");
      if (failure == null) {
        failure = e;
      }
      throw e;
    }
    return present;
  }

  /**
   * Runs {@code sql}, a put or an insert of one row with the key as parameter 1 and the value as
   * parameter 2 — in a keyspace with a body column, the head as parameter 2 and {@code body}
   * (null for a value written whole) as parameter 3; returns how many rows it changed.
   */
  private int write(String sql, KeyspaceSql ks, byte[] key, byte[] value, byte[] body) {
    requireBytes(key, "key");
    requireBytes(value, "value");
    try (Borrowed s = new Borrowed(sql)) {
      PreparedStatement ps = s.statement;
      ps.setBytes(1, key);
      ps.setBytes(2, value);
      if (ks.body()) {
        if (body == null) {
          ps.setNull(3, Types.BLOB);
        } else {
          ps.setBytes(3, body);
        }
      }
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw fail(e, "put into keyspace " + ks.name());
    }
  }

  @Override
  public final synchronized boolean delete(String keyspace, byte[] key) {
    KeyspaceSql ks = prepare(keyspace);
    requireWritable("delete");
    requireBytes(key, "key");
    boolean existed;
    try (Borrowed s = new Borrowed(deleteSql(ks))) {
      PreparedStatement ps = s.statement;
      ps.setBytes(1, key);
      existed = ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw fail(e, "delete from keyspace " + keyspace);
    }
    if (existed) {
      written(keyspace, key);
    }
    return existed;
  }

  @Override
  public final synchronized BackendCursor scan(
      String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    KeyspaceSql ks = prepare(keyspace);
    return scan(ks, ks.scan(fromInclusive, toExclusive), fromInclusive, toExclusive);
  }

  /** {@inheritDoc} Natively: {@code ORDER BY k DESC}. */
  @Override
  public final synchronized BackendCursor scanDescending(
      String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    KeyspaceSql ks = prepare(keyspace);
    return scan(ks, ks.scanDescending(fromInclusive, toExclusive), fromInclusive, toExclusive);
  }

  /** Runs a scan's {@code sql} (from {@link KeyspaceSql}) with the range's bounds. */
  private BackendCursor scan(KeyspaceSql ks, String sql, byte[] fromInclusive,
      byte[] toExclusive) {
    PreparedStatement ps = null;
    try {
      ps = scanStatement(sql);
      if (dialect.scanFetchSize() > 0) {
        ps.setFetchSize(dialect.scanFetchSize());
      }
      bindRange(ps, fromInclusive, toExclusive);
      JdbcCursor cursor = new JdbcCursor(this, ps, ps.executeQuery(), ks.body());
      cursors.add(cursor);
      return cursor;
    } catch (SQLException e) {
      if (ps != null) {
        try {
          doneScanning(ps);
        } catch (SQLException ce) {
          e.addSuppressed(ce);
        }
      }
      throw fail(e, "scan of keyspace " + ks.name());
    }
  }

  @Override
  public final synchronized long count(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    KeyspaceSql ks = prepare(keyspace);
    try (Borrowed s = new Borrowed(ks.count(fromInclusive, toExclusive))) {
      PreparedStatement ps = s.statement;
      bindRange(ps, fromInclusive, toExclusive);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw fail(e, "count of keyspace " + keyspace);
    }
  }

  @Override
  public final synchronized void commit(Durability durability) {
    checkOpen();
    if (durability == null) {
      throw new IllegalArgumentException("durability must not be null");
    }
    if (readOnly) {
      end(State.COMMITTED);
      return;
    }
    if (failure != null) {
      commitFailed = true;
      finish(State.ROLLED_BACK);
      throw commitRefused(failure);
    }
    closeCursors();
    try {
      commitInDatabase(durability);
    } catch (SQLException e) {
      commitFailed = true;
      state = State.ROLLED_BACK;
      boolean healthy = rollbackQuietly() && reusableAfterFailedCommit();
      release(healthy);
      ended();
      throw store.map(e, "commit");
    }
    state = State.COMMITTED;
    try {
      committed(durability);
    } finally {
      release(true);
    }
    ended();
  }

  @Override
  public final synchronized void rollback() {
    if (state != State.OPEN && commitFailed) {
      return;
    }
    checkOpen();
    end(State.ROLLED_BACK);
  }

  @Override
  public final synchronized void close() {
    if (state == State.OPEN) {
      end(State.CLOSED);
    }
  }

  /**
   * Rolls back an open transaction because the backend is closing; any thread, for the backend
   * that began it. Its methods then throw {@link IllegalStateException}.
   */
  public final synchronized void abortForClose() {
    if (state == State.OPEN) {
      LoggerFactory.getLogger(getClass()).warn(
          "rolling back an open {} transaction because the {} backend is closing",
          readOnly ? "read" : "write", dialect.databaseName());
      finish(State.ABORTED_BY_BACKEND_CLOSE);
    }
  }

  /**
   * Ends the transaction, rolled back, because a statement of its begin failed (one the
   * subclass runs before handing the transaction out); returns the mapped failure to throw.
   *
   * @param e the statement's failure
   * @param what the operation that failed, which starts the message
   * @return the mapped failure, to throw
   */
  protected final synchronized StorageException failBegin(SQLException e, String what) {
    StorageException mapped = fail(e, what);
    finish(State.ROLLED_BACK);
    return mapped;
  }

  // ------------------------------------------------------------------------------ inside

  /** Marks the transaction failed (the first failure is kept) and maps the error. */
  final StorageException fail(SQLException e, String what) {
    StorageException mapped = store.map(e, what);
    if (failure == null) {
      failure = mapped;
    }
    return mapped;
  }

  /** Throws {@link IllegalStateException} unless the transaction is open. */
  final void checkOpen() {
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
        throw new IllegalStateException("transaction was rolled back because the "
            + dialect.databaseName() + " backend was closed");
    }
  }

  /** Called by a cursor closed by its user. */
  final void forget(JdbcCursor cursor) {
    cursors.remove(cursor);
  }

  /** Ends the transaction by commit, rollback or close, and tells the subclass. */
  private void end(State end) {
    finish(end);
    ended();
  }

  /** Ends the transaction without committing and gives the connection back. */
  private void finish(State end) {
    closeCursors();
    state = end;
    release(rollbackQuietly());
  }

  private void closeCursors() {
    for (JdbcCursor c : cursors) {
      c.release();
    }
    cursors.clear();
  }

  private KeyspaceSql prepare(String keyspace) {
    checkOpen();
    return store.keyspace(keyspace);
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

  /** A value kept as {@code v} and {@code b} (null: none), whole. */
  static byte[] whole(byte[] v, byte[] b) {
    if (b == null || b.length == 0) {
      return v;
    }
    byte[] w = java.util.Arrays.copyOf(v, v.length + b.length);
    System.arraycopy(b, 0, w, v.length, b.length);
    return w;
  }

  /** Columns are NOT NULL; a driver may hand out null for a zero-length value. */
  static byte[] notNull(byte[] b) {
    return b == null ? new byte[0] : b;
  }

  /** A statement of {@link #statement} for one operation; closing it gives it back. */
  private final class Borrowed implements AutoCloseable {
    final PreparedStatement statement;

    Borrowed(String sql) throws SQLException {
      statement = statement(sql);
    }

    @Override
    public void close() throws SQLException {
      done(statement);
    }
  }
}
