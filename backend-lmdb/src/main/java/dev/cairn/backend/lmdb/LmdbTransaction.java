package dev.cairn.backend.lmdb;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * What read and write transactions share: state, cursor bookkeeping, gets and scans.
 *
 * <p>Every public method synchronizes on the transaction. A transaction is used by one thread,
 * so the lock is uncontended; it exists so that {@link LmdbBackend#close()} on another thread
 * waits for an operation in flight instead of freeing native memory under it.
 */
abstract class LmdbTransaction implements BackendTransaction {

  enum State {
    ACTIVE,
    COMMITTED,
    ROLLED_BACK,
    FAILED
  }

  final LmdbBackend backend;
  /** Open cursors; empty (and allocating nothing) for a point read. */
  private final List<LmdbCursor> cursors = new ArrayList<>();
  State state = State.ACTIVE;

  LmdbTransaction(LmdbBackend backend) {
    this.backend = backend;
  }

  /** The native transaction currently backing this one (a write txn may swap it on growth). */
  abstract Txn<ByteBuffer> nativeTxn();

  /** A direct buffer holding {@code key}, positioned at 0 (lmdbjava ignores the position). */
  abstract ByteBuffer keyBuffer(byte[] key);

  /** Changes every time the native transaction is replaced (map growth). */
  int generation() {
    return 0;
  }

  /** Changes with every put/delete, so cursors know to re-seek. */
  long modifications() {
    return 0;
  }

  /** Ends the transaction from {@link LmdbBackend#close()} (any thread). */
  abstract void abandon();

  void checkActive() {
    if (state != State.ACTIVE) {
      throw new IllegalStateException(
          "transaction already " + state.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }
  }

  static ByteBuffer fill(ByteBuffer buffer, byte[] bytes) {
    buffer.clear();
    buffer.put(bytes).flip();
    return buffer;
  }

  /**
   * Copies a key or value out of the map. LMDB has no checksums: a damaged page can describe an
   * entry of impossible size (negative once lmdbjava narrows it to an int, or larger than the
   * map), which must become a {@link DataCorruptionException}, not an allocation of that size
   * or a read outside the map.
   */
  byte[] copy(ByteBuffer buffer) {
    int n = checkSize(buffer);
    try {
      byte[] b = new byte[n];
      buffer.get(buffer.position(), b);
      return b;
    } catch (IndexOutOfBoundsException | InternalError e) {
      throw new DataCorruptionException("data.mdb is corrupted: " + e, e);
    }
  }

  /** {@code buffer}'s size, if it can be the size of an entry in the map (see {@link #copy}). */
  int checkSize(ByteBuffer buffer) {
    return backend.checkEntrySize(buffer);
  }

  /**
   * Hands {@code reader} the value in the memory map itself (valid until this transaction's next
   * operation; the lock keeps {@link LmdbBackend#close()} from unmapping it meanwhile).
   */
  @Override
  public synchronized <T> T read(String keyspace, byte[] key,
      java.util.function.Function<ByteBuffer, T> reader) {
    ByteBuffer value = lookup(keyspace, key);
    if (value == null) {
      return null;
    }
    checkSize(value);
    return reader.apply(value);
  }

  @Override
  public synchronized byte[] get(String keyspace, byte[] key) {
    ByteBuffer value = lookup(keyspace, key);
    return value == null ? null : copy(value);
  }

  /** The value of {@code key} in the map (native memory), or null; the caller holds the lock. */
  private ByteBuffer lookup(String keyspace, byte[] key) {
    checkActive();
    Dbi<ByteBuffer> dbi = backend.dbi(keyspace);
    backend.checkKey(key);
    try {
      return dbi.get(nativeTxn(), keyBuffer(key));
    } catch (LmdbException e) {
      throw backend.errors.translate("read", e);
    }
  }

  @Override
  public synchronized BackendCursor scan(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    return cursor(keyspace, fromInclusive, toExclusive, false);
  }

  /** {@inheritDoc} Natively: the cursor steps backward ({@code MDB_PREV}). */
  @Override
  public synchronized BackendCursor scanDescending(
      String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    return cursor(keyspace, fromInclusive, toExclusive, true);
  }

  private BackendCursor cursor(
      String keyspace, byte[] fromInclusive, byte[] toExclusive, boolean descending) {
    checkActive();
    Dbi<ByteBuffer> dbi = backend.dbi(keyspace);
    LmdbCursor cursor =
        new LmdbCursor(
            this,
            dbi,
            fromInclusive == null || fromInclusive.length == 0 ? null : fromInclusive.clone(),
            toExclusive == null ? null : toExclusive.clone(),
            descending);
    cursors.add(cursor);
    return cursor;
  }

  @Override
  public synchronized long count(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    checkActive();
    Dbi<ByteBuffer> dbi = backend.dbi(keyspace);
    try {
      if ((fromInclusive == null || fromInclusive.length == 0) && toExclusive == null) {
        return dbi.stat(nativeTxn()).entries;
      }
      if (fromInclusive != null
          && toExclusive != null
          && Arrays.compareUnsigned(fromInclusive, toExclusive) >= 0) {
        return 0;
      }
      long n = 0;
      try (Cursor<ByteBuffer> c = dbi.openCursor(nativeTxn())) {
        boolean found = LmdbCursor.seek(this, c, fromInclusive);
        while (found) {
          if (toExclusive != null && LmdbCursor.compare(c.key(), toExclusive) >= 0) {
            break;
          }
          n++;
          found = c.next();
        }
      }
      return n;
    } catch (LmdbException e) {
      throw backend.errors.translate("count", e);
    }
  }

  void forgetCursor(LmdbCursor cursor) {
    cursors.remove(cursor);
  }

  /** Closes every cursor (before the native transaction ends). */
  void closeCursors() {
    if (cursors.isEmpty()) {
      return;
    }
    for (LmdbCursor c : new ArrayList<>(cursors)) {
      c.closeInternal();
    }
    cursors.clear();
  }

  /** Releases the native cursors but keeps our cursors usable (they re-open lazily). */
  void detachCursors() {
    for (LmdbCursor c : cursors) {
      c.detachNative();
    }
  }

  static void requireDurability(Object durability) {
    Objects.requireNonNull(durability, "durability");
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + state + ", " + backend.directory + "]";
  }
}
