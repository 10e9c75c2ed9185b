package dev.cairn.backend.h2;

import dev.cairn.storage.spi.BackendCursor;
import java.util.Arrays;
import org.h2.mvstore.Cursor;

/**
 * A cursor over one keyspace, forward or backward (an MVStore {@link Cursor} in reverse, started
 * at the greatest key at or below the upper bound); guarded by its transaction's monitor.
 */
final class H2Cursor implements BackendCursor {

  private final H2Transaction tx;
  private final Cursor<byte[], byte[]> cursor;
  private final byte[] fromInclusive;
  private final byte[] toExclusive;
  private final boolean descending;
  private byte[] key;
  private byte[] value;
  private boolean exhausted;
  private boolean closed;

  /**
   * {@code cursor} null means an empty range. An ascending {@code cursor} starts at
   * {@code fromInclusive}, a descending one at {@code toExclusive}; this cursor applies the other
   * bound (and skips a key equal to {@code toExclusive}, which a reverse H2 cursor includes).
   */
  H2Cursor(H2Transaction tx, Cursor<byte[], byte[]> cursor, byte[] fromInclusive,
      byte[] toExclusive, boolean descending) {
    this.tx = tx;
    this.cursor = cursor;
    this.fromInclusive = fromInclusive;
    this.toExclusive = toExclusive;
    this.descending = descending;
    this.exhausted = cursor == null;
  }

  @Override
  public boolean next() {
    synchronized (tx) {
      checkOpen();
      return advance();
    }
  }

  /**
   * The walk of {@link BackendCursor#forEachKey} under one monitor and one check, instead of
   * two of each per key ({@code next()}, {@code key()}); each key copied once, for the visitor.
   */
  @Override
  public boolean forEachKey(KeyVisitor visitor) {
    synchronized (tx) {
      checkOpen();
      while (advance()) {
        if (!visitor.visit(key.clone())) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * The walk of {@link BackendCursor#forEach} under one monitor and one check; the visitor gets
   * MVStore's own arrays, wrapped, as {@link #read} does.
   */
  @Override
  public boolean forEach(EntryVisitor visitor) {
    synchronized (tx) {
      checkOpen();
      while (advance()) {
        if (!visitor.visit(java.nio.ByteBuffer.wrap(key), java.nio.ByteBuffer.wrap(value))) {
          return true;
        }
      }
      return false;
    }
  }

  /** Steps to the next entry in range; the caller holds the monitor and checked the cursor. */
  private boolean advance() {
    if (exhausted) {
      return false;
    }
    try {
      while (cursor.hasNext()) {
        byte[] k = cursor.next();
        if (toExclusive != null && Arrays.compareUnsigned(k, toExclusive) >= 0) {
          if (descending) {
            continue; // the reverse cursor's first key may equal the exclusive bound
          }
          break;
        }
        if (descending && fromInclusive != null && Arrays.compareUnsigned(k, fromInclusive) < 0) {
          break;
        }
        key = k;
        value = cursor.getValue();
        return true;
      }
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      throw H2Errors.onOperation("scan", e);
    }
    exhausted = true;
    key = null;
    value = null;
    return false;
  }

  @Override
  public byte[] key() {
    synchronized (tx) {
      checkOpen();
      return current(key).clone();
    }
  }

  @Override
  public byte[] value() {
    synchronized (tx) {
      checkOpen();
      return current(value).clone();
    }
  }

  /** The entry as MVStore holds it: no copies until the engine's own. */
  @Override
  public <T> T read(EntryReader<T> reader) {
    synchronized (tx) {
      checkOpen();
      return reader.read(
          java.nio.ByteBuffer.wrap(current(key)), java.nio.ByteBuffer.wrap(current(value)));
    }
  }

  private static byte[] current(byte[] b) {
    if (b == null) {
      throw new IllegalStateException("cursor has no current entry (call next() and check it returned true)");
    }
    return b;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("cursor is closed (closed explicitly or with its transaction)");
    }
  }

  @Override
  public void close() {
    synchronized (tx) {
      closeQuietly();
      tx.forget(this);
    }
  }

  /** Called by the transaction when it ends. */
  void closeQuietly() {
    closed = true;
    key = null;
    value = null;
  }
}
