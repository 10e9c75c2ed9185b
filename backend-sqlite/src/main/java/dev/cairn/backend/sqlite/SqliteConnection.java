package dev.cairn.backend.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.JDBC;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * One JDBC connection with its prepared statements cached by SQL text. Not thread-safe: it is
 * owned by one transaction at a time (the writer lock or the reader pool hands it out).
 */
final class SqliteConnection implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteConnection.class);

  /** The writer truncates a WAL left larger than this after a checkpoint (64 MiB). */
  static final long JOURNAL_SIZE_LIMIT = 64L << 20;

  final String label;
  final boolean readOnly;
  private final Connection connection;
  private final Map<String, PreparedStatement> cache = new HashMap<>();
  /** Cached statements currently held by an open cursor (a second cursor gets its own). */
  private final Map<PreparedStatement, Boolean> inUse = new IdentityHashMap<>();

  private SqliteConnection(String label, boolean readOnly, Connection connection) {
    this.label = label;
    this.readOnly = readOnly;
    this.connection = connection;
  }

  /** Opens a connection and applies the per-connection pragmas. */
  static SqliteConnection open(String url, String label, boolean readOnly, SqliteOptions o)
      throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setReadOnly(readOnly);
    cfg.setBusyTimeout(o.busyTimeoutMs());
    // Nothing here asks for generated keys; with them on (the driver's default) every INSERT is
    // followed by a freshly prepared "SELECT last_insert_rowid()" and a statement object.
    cfg.setGetGeneratedKeys(false);
    Properties props = cfg.toProperties();
    Connection c = JDBC.createConnection(url, props);
    if (c == null) {
      throw new SQLException("sqlite-jdbc refused the URL " + url);
    }
    // The driver in its autocommit mode follows every statement that finishes with a "begin;"
    // and, if that succeeds, a "commit;" (DB.ensureAutoCommit): inside this backend's own
    // BEGIN ... COMMIT the "begin;" fails, so each write cost a failed statement more (about a
    // tenth of a grouped put on the leader's path, JFR). The backend issues every BEGIN, COMMIT
    // and ROLLBACK itself and never calls the JDBC commit/rollback, and SQLite commits a statement
    // run outside a transaction (a PRAGMA) when it finishes: mark the connection as not in the
    // driver's autocommit mode without running the "begin;" that Connection.setAutoCommit(false)
    // would.
    ((SQLiteConnection) c).getConnectionConfig().setAutoCommit(false);
    SqliteConnection sc = new SqliteConnection(label, readOnly, c);
    try {
      // Numbers we validated, never user text.
      sc.exec("PRAGMA cache_size = -" + o.cacheSizeKb());
      sc.exec("PRAGMA mmap_size = " + o.mmapSizeBytes());
      if (!readOnly) {
        // SYNC/GROUP commits fsync the WAL explicitly (see SqliteBackend.syncWal).
        sc.exec("PRAGMA synchronous = NORMAL");
        sc.exec("PRAGMA journal_size_limit = " + JOURNAL_SIZE_LIMIT);
      }
    } catch (SQLException | RuntimeException e) {
      sc.close();
      throw e;
    }
    return sc;
  }

  /** The cached statement for {@code sql}. */
  PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement ps = cache.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      cache.put(sql, ps);
    }
    return ps;
  }

  /** Executes a cached statement that returns no rows (BEGIN, COMMIT, ROLLBACK, DDL). */
  void execute(String sql) throws SQLException {
    statement(sql).execute();
  }

  /**
   * Rolls back the open transaction, if any; returns whether the connection is still usable.
   * "No transaction is active" is fine: SQLite rolls back by itself after some errors.
   */
  boolean rollbackQuietly() {
    try {
      execute("ROLLBACK");
      return true;
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("no transaction is active")) {
        return true;
      }
      LOG.warn("ROLLBACK failed on SQLite connection {}; discarding the connection", label, e);
      return false;
    }
  }

  /**
   * Runs {@code sql} to completion through {@code sqlite3_exec}. Needed for pragmas such as
   * {@code incremental_vacuum} that step once per page with zero-column rows: through a
   * prepared statement the driver steps them only once and leaves them active, which frees one
   * page and makes a later checkpoint fail with SQLITE_LOCKED.
   */
  void exec(String sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.executeUpdate(sql);
    }
  }

  /** Executes a statement and returns the first column of its first row as text, or null. */
  String query(String sql) throws SQLException {
    try (ResultSet rs = statement(sql).executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** Executes a statement and returns the columns of its first row as text, or null. */
  List<String> queryRow(String sql) throws SQLException {
    try (ResultSet rs = statement(sql).executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      int n = rs.getMetaData().getColumnCount();
      List<String> row = new ArrayList<>(n);
      for (int i = 1; i <= n; i++) {
        row.add(rs.getString(i));
      }
      return row;
    }
  }

  /**
   * A statement for a cursor: the cached one if no other open cursor holds it, else a fresh one
   * that {@link #releaseCursorStatement} closes.
   */
  PreparedStatement cursorStatement(String sql) throws SQLException {
    PreparedStatement cached = statement(sql);
    if (inUse.putIfAbsent(cached, Boolean.TRUE) == null) {
      return cached;
    }
    return connection.prepareStatement(sql);
  }

  /** Gives back a statement obtained from {@link #cursorStatement}. */
  void releaseCursorStatement(PreparedStatement ps) {
    if (inUse.remove(ps) == null) {
      try {
        ps.close();
      } catch (SQLException e) {
        LOG.debug("closing a cursor statement on {} failed", label, e);
      }
    }
  }

  /** A one-off statement (not cached), e.g. {@code VACUUM INTO ?}. */
  PreparedStatement prepareUncached(String sql) throws SQLException {
    return connection.prepareStatement(sql);
  }

  @Override
  public void close() {
    for (PreparedStatement ps : cache.values()) {
      try {
        ps.close();
      } catch (SQLException e) {
        LOG.debug("closing a statement on {} failed", label, e);
      }
    }
    cache.clear();
    inUse.clear();
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("closing SQLite connection {} failed", label, e);
    }
  }

  @Override
  public String toString() {
    return label;
  }
}
