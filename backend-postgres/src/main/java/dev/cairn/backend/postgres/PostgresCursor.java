package dev.cairn.backend.postgres;

import dev.cairn.storage.spi.BackendCursor;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lazily fetched {@link ResultSet} (a server-side portal, fetched in pages) over one keyspace
 * range. Guarded by its transaction's monitor.
 */
final class PostgresCursor implements BackendCursor {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresCursor.class);

  private final PostgresTransaction tx;
  private final PreparedStatement statement;
  private final ResultSet rows;
  private boolean onRow;
  private boolean exhausted;
  private boolean closed;

  PostgresCursor(PostgresTransaction tx, PreparedStatement statement, ResultSet rows) {
    this.tx = tx;
    this.statement = statement;
    this.rows = rows;
  }

  @Override
  public boolean next() {
    synchronized (tx) {
      checkUsable();
      if (exhausted) {
        return false;
      }
      try {
        onRow = rows.next();
      } catch (SQLException e) {
        onRow = false;
        throw tx.fail(e, "scan");
      }
      if (!onRow) {
        exhausted = true;
      }
      return onRow;
    }
  }

  @Override
  public byte[] key() {
    return column(1);
  }

  @Override
  public byte[] value() {
    return column(2);
  }

  private byte[] column(int index) {
    synchronized (tx) {
      checkUsable();
      if (!onRow) {
        throw new IllegalStateException(
            exhausted ? "cursor is exhausted" : "no current entry: call next() first");
      }
      try {
        return rows.getBytes(index);
      } catch (SQLException e) {
        throw tx.fail(e, "scan");
      }
    }
  }

  private void checkUsable() {
    if (closed) {
      throw new IllegalStateException("cursor is closed");
    }
    tx.checkOpen();
  }

  @Override
  public void close() {
    synchronized (tx) {
      if (!closed) {
        release();
        tx.forget(this);
      }
    }
  }

  /** Closes the result set and statement; called with the monitor held. */
  void release() {
    if (closed) {
      return;
    }
    closed = true;
    onRow = false;
    try {
      rows.close();
      statement.close();
    } catch (SQLException e) {
      LOG.debug("closing a scan failed", e);
    }
  }
}
