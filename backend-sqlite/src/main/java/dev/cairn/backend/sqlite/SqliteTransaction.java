package dev.cairn.backend.sqlite;

import dev.cairn.backend.jdbc.JdbcTransaction;
import dev.cairn.backend.jdbc.KeyspaceSql;
import dev.cairn.storage.Durability;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A transaction on one borrowed connection: the writer (inside {@code BEGIN IMMEDIATE}) or a
 * pooled reader (inside {@code BEGIN}, with the snapshot pinned by a first read at begin; or,
 * for {@link SqliteBackend#beginReadLatest()}, in autocommit mode). The operations, states and
 * failure rules are {@link JdbcTransaction}'s; what is SQLite's here: statements come from the
 * connection's cache, {@code COMMIT} and {@code ROLLBACK} are statements (SQLite runs the
 * connection in its autocommit mode and the backend issues {@code BEGIN}; the driver adds no
 * statements of its own, see {@code SqliteConnection.open}), the WAL is synced after a
 * {@code SYNC}/{@code GROUP} commit, and a writer whose {@code COMMIT} failed is replaced.
 */
final class SqliteTransaction extends JdbcTransaction {

  private final SqliteBackend backend;
  private final SqliteConnection conn;

  /** False for a read in autocommit mode ({@link SqliteBackend#beginReadLatest()}). */
  private final boolean inSqlTransaction;

  SqliteTransaction(
      SqliteBackend backend, SqliteConnection conn, boolean readOnly, boolean inSqlTransaction) {
    super(backend, readOnly);
    this.backend = backend;
    this.conn = conn;
    this.inSqlTransaction = inSqlTransaction;
  }

  @Override
  protected PreparedStatement statement(String sql) throws SQLException {
    return conn.statement(sql);
  }

  /** Keeps it: the connection caches its statements and closes them with itself. */
  @Override
  protected void done(PreparedStatement statement) {}

  @Override
  protected PreparedStatement scanStatement(String sql) throws SQLException {
    return conn.cursorStatement(sql);
  }

  @Override
  protected void doneScanning(PreparedStatement statement) {
    conn.releaseCursorStatement(statement);
  }

  /**
   * {@code INSERT ... ON CONFLICT DO NOTHING}: one statement for a new key. The writer is alone
   * in its database transaction, so the read after a failed insert sees the row that stopped it.
   */
  @Override
  protected String insertIfAbsentSql(KeyspaceSql ks) {
    return ks.insertIfAbsent();
  }

  @Override
  protected void commitInDatabase(Durability durability) throws SQLException {
    conn.execute("COMMIT");
  }

  /**
   * False: after an I/O error (a full disk) the connection's cached COMMIT statement stays
   * broken, and the next commit would fail with the driver's "statement is not executing"
   * instead of the real cause.
   */
  @Override
  protected boolean reusableAfterFailedCommit() {
    return false;
  }

  /** Syncs the WAL unless {@code ASYNC}: the writer runs {@code synchronous=NORMAL}. */
  @Override
  protected void committed(Durability durability) {
    try {
      if (durability != Durability.ASYNC) {
        backend.syncWal();
      }
    } catch (IOException e) {
      throw SqliteErrors.map(e, "fsync of the SQLite WAL after a " + durability
          + " commit (the commit is applied and visible but may not survive a power loss)");
    }
  }

  @Override
  protected boolean rollbackQuietly() {
    // autocommit reads hold no transaction once their statements are reset (closeCursors)
    return !inSqlTransaction || conn.rollbackQuietly();
  }

  @Override
  protected void release(boolean healthy) {
    backend.release(this, conn, healthy);
  }
}
