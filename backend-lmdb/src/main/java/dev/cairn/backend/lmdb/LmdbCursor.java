package dev.cairn.backend.lmdb;

import dev.cairn.storage.spi.BackendCursor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;

/**
 * A range cursor, forward or backward. The native cursor is opened lazily; in a write
 * transaction it is re-positioned past the last returned key (after it, or before it going
 * backward) whenever the transaction changed (a put or delete
 * since the last step) or was replayed into a new native transaction after map growth, so the
 * iteration is always exactly the committed-order walk of the current contents.
 */
final class LmdbCursor implements BackendCursor {

  private final LmdbTransaction owner;
  private final Dbi<ByteBuffer> dbi;
  private final byte[] from;
  private final byte[] to;
  private final boolean descending;
  private Cursor<ByteBuffer> cursor;
  private int generation;
  private long modifications;
  /** Write transactions only: copies of the current entry (native pointers die on change). */
  private byte[] key;
  private byte[] value;
  private boolean positioned;
  private boolean exhausted;
  private boolean closed;

  LmdbCursor(LmdbTransaction owner, Dbi<ByteBuffer> dbi, byte[] from, byte[] to,
      boolean descending) {
    this.owner = owner;
    this.dbi = dbi;
    this.from = from;
    this.to = to;
    this.descending = descending;
    this.exhausted = from != null && to != null && Arrays.compareUnsigned(from, to) >= 0;
  }

  @Override
  public boolean next() {
    synchronized (owner) {
      return advance();
    }
  }

  /**
   * One walk over the range under one acquisition of the transaction's lock, handing the
   * visitor each entry in the memory map itself; in a write transaction, entry by entry as the
   * default does (each step copies the entry there).
   */
  @Override
  public boolean forEach(EntryVisitor visitor) {
    synchronized (owner) {
      if (!owner.readOnly()) {
        return BackendCursor.super.forEach(visitor);
      }
      EntryReader<Boolean> each = visitor::visit;
      while (advance()) {
        if (!readMapped(each)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * {@link #forEach}'s walk, each key copied out of the memory map for the visitor (its value
   * left unread): one lock per walk in a read transaction, as there.
   */
  @Override
  public boolean forEachKey(KeyVisitor visitor) {
    return forEach((k, v) -> visitor.visit(owner.copy(k)));
  }

  /** {@link #next()}; the caller holds the transaction's lock. */
  private boolean advance() {
    owner.checkActive();
    if (closed) {
      throw new IllegalStateException("cursor closed");
    }
    if (exhausted) {
      return false;
    }
    try {
      boolean found;
      if (cursor == null || generation != owner.generation()) {
        cursor = dbi.openCursor(owner.nativeTxn());
        generation = owner.generation();
        modifications = owner.modifications();
        if (positioned) {
          found = seekPast(key);
        } else {
          found = descending ? seekBefore(to) : seek(owner, cursor, from);
        }
      } else if (modifications != owner.modifications()) {
        modifications = owner.modifications();
        found = seekPast(key);
      } else {
        found = descending ? cursor.prev() : cursor.next();
      }
      if (descending) {
        if (!found || (from != null && compare(cursor.key(), from) < 0)) {
          exhaust();
          return false;
        }
      } else {
        // Bounds longer than LMDB's key limit were seeked by their prefix: skip what precedes.
        while (found && from != null && from.length > owner.backend.maxKeySize
            && compare(cursor.key(), from) < 0) {
          found = cursor.next();
        }
        if (!found || (to != null && compare(cursor.key(), to) >= 0)) {
          exhaust();
          return false;
        }
      }
      positioned = true;
      if (!owner.readOnly()) {
        // In a write transaction the native pointers die with the next change: copy now.
        key = owner.copy(cursor.key());
        value = owner.copy(cursor.val());
      }
      return true;
    } catch (LmdbException e) {
      throw owner.backend.errors.translate("scan", e);
    }
  }

  /** Positions the cursor at the next key past {@code last} in the cursor's direction. */
  private boolean seekPast(byte[] last) {
    return descending ? seekBefore(last) : seekAfter(last);
  }

  /** Positions the cursor at the greatest key below {@code bound} (or the last key, if null). */
  private boolean seekBefore(byte[] bound) {
    if (bound == null || !seek(owner, cursor, bound)) {
      return cursor.last();
    }
    return cursor.prev();
  }

  private boolean seekAfter(byte[] last) {
    boolean found = cursor.get(owner.keyBuffer(last), GetOp.MDB_SET_RANGE);
    if (found && compare(cursor.key(), last) == 0) {
      found = cursor.next();
    }
    return found;
  }

  /** Positions {@code c} at the first key {@code >= from} (or the first key). */
  static boolean seek(LmdbTransaction owner, Cursor<ByteBuffer> c, byte[] from) {
    if (from == null || from.length == 0) {
      return c.first();
    }
    byte[] probe =
        from.length > owner.backend.maxKeySize
            ? Arrays.copyOf(from, owner.backend.maxKeySize)
            : from;
    boolean found = c.get(owner.keyBuffer(probe), GetOp.MDB_SET_RANGE);
    while (found && compare(c.key(), from) < 0) {
      found = c.next();
    }
    return found;
  }

  /** Unsigned lexicographic comparison of a native key with a byte array (memcmp order). */
  static int compare(ByteBuffer a, byte[] b) {
    int pos = a.position();
    int len = a.remaining();
    int n = Math.min(len, b.length);
    for (int i = 0; i < n; i++) {
      int c = Integer.compare(a.get(pos + i) & 0xFF, b[i] & 0xFF);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(len, b.length);
  }

  private void exhaust() {
    exhausted = true;
    positioned = false;
    key = null;
    value = null;
    closeNative();
  }

  @Override
  public byte[] key() {
    synchronized (owner) {
      checkPositioned();
      try {
        return owner.readOnly() ? owner.copy(cursor.key()) : key.clone();
      } catch (LmdbException e) {
        throw owner.backend.errors.translate("scan", e);
      }
    }
  }

  @Override
  public byte[] value() {
    synchronized (owner) {
      checkPositioned();
      try {
        return owner.readOnly() ? owner.copy(cursor.val()) : value.clone();
      } catch (LmdbException e) {
        throw owner.backend.errors.translate("scan", e);
      }
    }
  }

  /** In a read transaction, the entry in the memory map itself (the lock keeps it mapped). */
  @Override
  public <T> T read(EntryReader<T> reader) {
    synchronized (owner) {
      checkPositioned();
      if (!owner.readOnly()) {
        return reader.read(ByteBuffer.wrap(key), ByteBuffer.wrap(value));
      }
      return readMapped(reader);
    }
  }

  /**
   * Hands {@code reader} the current entry in the memory map; the caller holds the lock, in a
   * read transaction, positioned.
   */
  private <T> T readMapped(EntryReader<T> reader) {
    ByteBuffer k;
    ByteBuffer v;
    try {
      k = cursor.key();
      v = cursor.val();
    } catch (LmdbException e) {
      throw owner.backend.errors.translate("scan", e);
    }
    owner.checkSize(k);
    owner.checkSize(v);
    return reader.read(k, v);
  }

  private void checkPositioned() {
    owner.checkActive();
    if (closed) {
      throw new IllegalStateException("cursor closed");
    }
    if (!positioned || exhausted) {
      throw new IllegalStateException("no current entry: call next() first (and check its result)");
    }
  }

  @Override
  public void close() {
    synchronized (owner) {
      if (closed) {
        return;
      }
      closeInternal();
      owner.forgetCursor(this);
    }
  }

  void closeInternal() {
    closed = true;
    positioned = false;
    key = null;
    value = null;
    closeNative();
  }

  /** The native transaction is about to be replaced: drop the native cursor, keep the position. */
  void detachNative() {
    closeNative();
  }

  private void closeNative() {
    if (cursor != null) {
      Cursor<ByteBuffer> c = cursor;
      cursor = null;
      c.close();
    }
  }
}
