package dev.cairn.backend.h2;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.RootReference;

/**
 * A read transaction reads the maps at the roots of its {@link Snapshot}; the (single) write
 * transaction changes the live maps directly and keeps an undo log. Nobody else sees the live
 * maps: readers only see published snapshots, and nothing reaches the file before the backend
 * commits the store at a transaction boundary.
 *
 * <p>Methods synchronize on this object so that {@link H2Backend#close()} can end a transaction
 * that another thread is using without racing it.
 */
final class H2Transaction implements BackendTransaction {

  private record Undo(MVMap<byte[], byte[]> map, byte[] key, byte[] oldValue) {}

  private final H2Backend backend;
  private final boolean readOnly;
  private final Snapshot snapshot;
  /** The stripe {@link #snapshot}'s reference was taken on. */
  private final int stripe;
  private final List<Undo> undo;
  private final List<H2Cursor> cursors = new ArrayList<>(2);
  private String endedBy;

  /**
   * Whether the backend knows this transaction (to end it at close). A point read
   * ({@link H2Backend#beginReadLatest}) is not registered: its snapshot pin keeps
   * {@code close()} waiting until it ends, and it checks the backend's state on every call.
   */
  private final boolean registered;

  private H2Transaction(H2Backend backend, boolean readOnly, Snapshot snapshot, int stripe,
      boolean registered) {
    this.backend = backend;
    this.readOnly = readOnly;
    this.snapshot = snapshot;
    this.stripe = stripe;
    this.registered = registered;
    this.undo = readOnly ? List.of() : new ArrayList<>();
  }

  /** A read transaction on {@code snapshot}, retained on {@code stripe}. */
  static H2Transaction reader(H2Backend backend, Snapshot snapshot, int stripe) {
    return new H2Transaction(backend, true, snapshot, stripe, true);
  }

  /** A read transaction {@code close()} does not end: see {@link #registered}. */
  static H2Transaction pointReader(H2Backend backend, Snapshot snapshot, int stripe) {
    return new H2Transaction(backend, true, snapshot, stripe, false);
  }

  static H2Transaction writer(H2Backend backend) {
    return new H2Transaction(backend, false, null, -1, true);
  }

  @Override
  public boolean readOnly() {
    return readOnly;
  }

  @Override
  public synchronized byte[] get(String keyspace, byte[] key) {
    byte[] v = lookup(keyspace, key);
    return v == null ? null : v.clone();
  }

  /** Hands {@code reader} the array in MVStore's pages: no copy until the engine's own. */
  @Override
  public synchronized <T> T read(String keyspace, byte[] key,
      java.util.function.Function<java.nio.ByteBuffer, T> reader) {
    byte[] v = lookup(keyspace, key);
    return v == null ? null : reader.apply(java.nio.ByteBuffer.wrap(v));
  }

  /** The value as MVStore holds it (never to be changed or handed out), or null. */
  private byte[] lookup(String keyspace, byte[] key) {
    checkActive();
    Objects.requireNonNull(key, "key");
    MVMap<byte[], byte[]> map = backend.map(keyspace);
    try {
      return readOnly
          ? map.get(snapshot.root(map).root, key)
          : map.get(key);
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      throw H2Errors.onOperation("get", e);
    }
  }

  @Override
  public synchronized void put(String keyspace, byte[] key, byte[] value) {
    MVMap<byte[], byte[]> map = mapToWrite(keyspace, key, value);
    byte[] k = key.clone();
    try {
      byte[] old = map.put(k, value.clone());
      undo.add(new Undo(map, k, old));
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      throw H2Errors.onOperation("put", e);
    }
  }

  /** One MVStore operation ({@code MVMap.putIfAbsent}) instead of a get and a put. */
  @Override
  public synchronized byte[] putIfAbsent(String keyspace, byte[] key, byte[] value) {
    MVMap<byte[], byte[]> map = mapToWrite(keyspace, key, value);
    byte[] k = key.clone();
    try {
      byte[] present = map.putIfAbsent(k, value.clone());
      if (present != null) {
        return present.clone(); // MVStore's own array: never handed out
      }
      undo.add(new Undo(map, k, null));
      return null;
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      throw H2Errors.onOperation("put", e);
    }
  }

  /** The map of {@code keyspace}, after the checks every put makes. */
  private MVMap<byte[], byte[]> mapToWrite(String keyspace, byte[] key, byte[] value) {
    checkWritable();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return backend.map(keyspace);
  }

  @Override
  public synchronized boolean delete(String keyspace, byte[] key) {
    checkWritable();
    Objects.requireNonNull(key, "key");
    MVMap<byte[], byte[]> map = backend.map(keyspace);
    try {
      byte[] old = map.remove(key);
      if (old == null) {
        return false;
      }
      undo.add(new Undo(map, key.clone(), old));
      return true;
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      throw H2Errors.onOperation("delete", e);
    }
  }

  @Override
  public synchronized BackendCursor scan(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    return cursor(keyspace, fromInclusive, toExclusive, false);
  }

  /** {@inheritDoc} Natively: an MVStore cursor in reverse. */
  @Override
  public synchronized BackendCursor scanDescending(
      String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    return cursor(keyspace, fromInclusive, toExclusive, true);
  }

  private BackendCursor cursor(
      String keyspace, byte[] fromInclusive, byte[] toExclusive, boolean descending) {
    checkActive();
    MVMap<byte[], byte[]> map = backend.map(keyspace);
    byte[] from = fromInclusive == null ? null : fromInclusive.clone();
    byte[] to = toExclusive == null ? null : toExclusive.clone();
    H2Cursor c;
    if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) {
      c = new H2Cursor(this, null, from, to, descending);
    } else {
      try {
        // A write transaction scans the live map as of now: a stable view (copy-on-write
        // pages) that includes its own earlier writes but not writes made during the scan.
        RootReference<byte[], byte[]> root =
            readOnly ? snapshot.root(map) : map.flushAndGetRoot();
        Cursor<byte[], byte[]> mv = descending
            ? new Cursor<>(root, to, null, true)
            : new Cursor<>(root, from, null);
        c = new H2Cursor(this, mv, from, to, descending);
      } catch (RuntimeException | AssertionError | StackOverflowError e) {
        throw H2Errors.onOperation("scan", e);
      }
    }
    cursors.add(c);
    return c;
  }

  @Override
  public synchronized void commit(Durability durability) {
    Objects.requireNonNull(durability, "durability");
    checkActive();
    if (readOnly || undo.isEmpty()) {
      end("committed");
      return;
    }
    try {
      backend.commitWrite(durability);
    } catch (RuntimeException e) {
      undoQuietly(e);
      end("failed to commit");
      throw H2Errors.onOperation("commit", e);
    }
    end("committed");
  }

  @Override
  public synchronized void rollback() {
    checkActive();
    rollbackAndEnd("rolled back");
  }

  @Override
  public synchronized void close() {
    if (endedBy == null) {
      rollbackAndEnd("closed");
    }
  }

  /** Ends the transaction because the backend is closing. */
  synchronized void abortByClose() {
    if (endedBy == null) {
      rollbackAndEnd("closed with its backend");
    }
  }

  synchronized void forget(H2Cursor c) {
    cursors.remove(c);
  }

  private void rollbackAndEnd(String how) {
    try {
      if (!readOnly) {
        undo();
      }
    } finally {
      end(how);
    }
  }

  private void undo() {
    if (!backend.storeUsable()) {
      undo.clear();
      return;
    }
    try {
      for (int i = undo.size() - 1; i >= 0; i--) {
        Undo u = undo.get(i);
        if (u.oldValue() == null) {
          u.map().remove(u.key());
        } else {
          u.map().put(u.key(), u.oldValue());
        }
      }
    } catch (RuntimeException e) {
      // The live maps may now hold part of this transaction; nothing of it is on disk (the
      // store is only written at transaction boundaries), so fail the backend: a reopen
      // recovers the last commit.
      backend.fail("rollback", e);
      throw H2Errors.onOperation("rollback", e);
    } finally {
      undo.clear();
    }
  }

  private void undoQuietly(RuntimeException cause) {
    try {
      undo();
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private void end(String how) {
    endedBy = how;
    for (H2Cursor c : cursors) {
      c.closeQuietly();
    }
    cursors.clear();
    if (readOnly) {
      snapshot.release(stripe);
    }
    if (registered) {
      backend.ended(this);
    }
  }

  private void checkActive() {
    if (endedBy != null) {
      throw new IllegalStateException("transaction already " + endedBy);
    }
    if (!registered && backend.isClosed()) {
      throw new IllegalStateException("transaction already closed with its backend");
    }
  }

  private void checkWritable() {
    checkActive();
    if (readOnly) {
      throw new IllegalStateException("read-only transaction cannot write");
    }
  }
}
