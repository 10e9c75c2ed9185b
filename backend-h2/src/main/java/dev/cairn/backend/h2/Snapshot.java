package dev.cairn.backend.h2;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RootReference;

/**
 * The roots of every keyspace map as of one commit, plus a pin on the MVStore version so the
 * chunks those roots point into are not reused while anybody reads them.
 *
 * <p>Reference counted: the backend holds one reference while the snapshot is the published
 * one, each read transaction holds one while open. The last release unpins the version. While
 * pinned, a snapshot is in the backend's set of pinned snapshots, which {@code close()} waits to
 * see empty before it closes the store (MVStore checks at close that no version is still in use).
 */
final class Snapshot {

  private final Map<String, RootReference<byte[], byte[]>> roots;
  private final MVStore store;
  private final MVStore.TxCounter pin;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final AtomicBoolean unpinned = new AtomicBoolean();
  private final Set<Snapshot> pinned;

  Snapshot(Map<String, RootReference<byte[], byte[]>> roots, MVStore store, MVStore.TxCounter pin,
      Set<Snapshot> pinned) {
    this.roots = Map.copyOf(roots);
    this.store = store;
    this.pin = pin;
    this.pinned = pinned;
    pinned.add(this);
  }

  RootReference<byte[], byte[]> root(String mapName) {
    return roots.get(mapName);
  }

  Map<String, RootReference<byte[], byte[]>> roots() {
    return roots;
  }

  /** Takes a reference unless the snapshot was already fully released. */
  boolean tryRetain() {
    while (true) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  void release() {
    if (refs.decrementAndGet() == 0) {
      unpin();
    }
  }

  /**
   * Gives the version back to MVStore, once. Called by the last release, or by {@code close()}
   * for a snapshot a reader still holds when close gives up waiting (its later reads fail).
   */
  void unpin() {
    if (unpinned.compareAndSet(false, true)) {
      // the version first, then the set: close() takes an empty set to mean that MVStore has
      // every pin back (the other order let close() run between the two, and MVStore's check at
      // close saw a version still in use: "4 != 8")
      if (!store.isClosed()) {
        store.deregisterVersionUsage(pin);
      }
      pinned.remove(this);
    }
  }
}
