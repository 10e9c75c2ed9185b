package dev.cairn.backend.jdbc;

import dev.cairn.storage.spi.BackendCursor;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lazily stepped {@link ResultSet} over one keyspace range (fetched in pages where the
 * dialect asks for it). Guarded by its transaction's monitor, so closing the backend from
 * another thread cannot race a {@link #next()}. In a keyspace with a body column
 * ({@link KeyspaceSql#body()}) a row's value is {@code v} followed by {@code b}: whole for
 * {@link #value()} and {@link #forEach}, in its two parts for {@link #forEachParts}.
 */
final class JdbcCursor implements BackendCursor {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcCursor.class);

  private final JdbcTransaction tx;
  private final PreparedStatement statement;
  private final ResultSet rows;
  private final boolean body;
  private boolean onRow;
  private boolean exhausted;
  private boolean closed;

  JdbcCursor(JdbcTransaction tx, PreparedStatement statement, ResultSet rows, boolean body) {
    this.tx = tx;
    this.statement = statement;
    this.rows = rows;
    this.body = body;
  }

  @Override
  public boolean next() {
    synchronized (tx) {
      checkUsable();
      return advance();
    }
  }

  /** Steps to the next row; the caller holds the monitor and has checked the cursor usable. */
  private boolean advance() {
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

  @Override
  public byte[] key() {
    return column(1);
  }

  @Override
  public byte[] value() {
    synchronized (tx) {
      byte[] v = column(2);
      return body ? JdbcTransaction.whole(v, bodyOnRow()) : v;
    }
  }

  /**
   * The walk of {@link BackendCursor#forEach} under one monitor and one check, instead of three
   * of each per entry ({@code next()}, {@code key()}, {@code value()}): a SQLite value scan spent
   * about 40 ns an entry on them. The visitor gets the driver's own copies, wrapped (a value
   * with a body: head and body in one new array).
   */
  @Override
  public boolean forEach(EntryVisitor visitor) {
    return forEachParts((k, head, b) -> visitor.visit(
        k, b == null ? head : ByteBuffer.wrap(JdbcTransaction.whole(head.array(), b))));
  }

  /**
   * As {@link #forEach}, the body column ({@code b}) handed over as the driver returned it: a
   * SQLite value scan keeps it as the value, no copy made.
   */
  @Override
  public boolean forEachParts(PartsVisitor visitor) {
    synchronized (tx) {
      checkUsable();
      while (advance()) {
        if (!visitor.visit(ByteBuffer.wrap(columnOnRow(1)), ByteBuffer.wrap(columnOnRow(2)),
            body ? bodyOnRow() : null)) {
          return true;
        }
      }
      return false;
    }
  }

  /** As {@link #forEach}, keys only: the values are not fetched from the driver. */
  @Override
  public boolean forEachKey(KeyVisitor visitor) {
    synchronized (tx) {
      checkUsable();
      while (advance()) {
        if (!visitor.visit(columnOnRow(1))) {
          return true;
        }
      }
      return false;
    }
  }

  private byte[] column(int index) {
    synchronized (tx) {
      checkUsable();
      if (!onRow) {
        throw new IllegalStateException(
            exhausted ? "cursor is exhausted" : "no current entry: call next() first");
      }
      return columnOnRow(index);
    }
  }

  /** The body column of the current row, or null; the caller holds the monitor, on a row. */
  private byte[] bodyOnRow() {
    try {
      return rows.getBytes(3);
    } catch (SQLException e) {
      throw tx.fail(e, "scan");
    }
  }

  /** A column of the current row; the caller holds the monitor, on a row. */
  private byte[] columnOnRow(int index) {
    try {
      return JdbcTransaction.notNull(rows.getBytes(index));
    } catch (SQLException e) {
      throw tx.fail(e, "scan");
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

  /** Closes the result set and gives the statement back; called with the monitor held. */
  void release() {
    if (closed) {
      return;
    }
    closed = true;
    onRow = false;
    try {
      rows.close();
    } catch (SQLException e) {
      LOG.debug("closing a scan's result set failed", e);
    }
    try {
      tx.doneScanning(statement);
    } catch (SQLException e) {
      LOG.debug("giving back a scan's statement failed", e);
    }
  }
}
