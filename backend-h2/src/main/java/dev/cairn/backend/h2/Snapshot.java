package dev.cairn.backend.h2;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RootReference;

/**
 * The roots of every keyspace map as of one commit, plus a pin on the MVStore version so the
 * chunks those roots point into are not reused while anybody reads them.
 *
 * <p>Reference counted: the backend holds the snapshot while it is the published one (until
 * {@link #retire}), each read transaction holds one reference while open. Once retired, the last
 * release unpins the version. While pinned, a snapshot is in the backend's set of pinned
 * snapshots, which {@code close()} waits to see empty before it closes the store (MVStore checks
 * at close that no version is still in use).
 *
 * <p>The readers' references are counted in stripes, each on its own cache lines, picked by the
 * caller ({@link #stripe()}, by thread): with one shared counter, two threads reading at once
 * bounced its cache line between the cores twice per read (pointRead2t). Correctness is Dekker's,
 * as in the engine's {@code Lifecycle}: {@link #tryRetain} increments, then reads
 * {@code retired}; {@link #retire} sets {@code retired}, then sums the stripes; a release
 * decrements, then reads {@code retired} and sums. All are sequentially consistent, so a reader
 * either sees the snapshot retired (and backs out) or is counted by the retirer, and whichever of
 * the retirer and the last releaser comes second sees the sum at zero and unpins (once).
 */
final class Snapshot {

  private final Map<String, RootReference<byte[], byte[]>> roots;
  /** The same roots by map id ({@link MVMap#getId()}: small, given out in order by the store). */
  private final RootReference<byte[], byte[]>[] byMapId;
  private final MVStore store;
  private final MVStore.TxCounter pin;
  private static final int STRIPES = 16; // a power of two
  private static final int PAD = 16; // longs per stripe: 128 bytes, two cache lines

  /** The readers' references, one counter per stripe at {@code stripe * PAD}. */
  private final AtomicLongArray refs = new AtomicLongArray(STRIPES * PAD);
  /** Set once the backend no longer publishes this snapshot. */
  private volatile boolean retired;
  private final AtomicBoolean unpinned = new AtomicBoolean();
  private final Set<Snapshot> pinned;

  Snapshot(Map<String, RootReference<byte[], byte[]>> roots, MVStore store, MVStore.TxCounter pin,
      Set<Snapshot> pinned) {
    this.roots = Map.copyOf(roots);
    int maxId = 0;
    for (RootReference<byte[], byte[]> r : roots.values()) {
      maxId = Math.max(maxId, r.root.map.getId());
    }
    @SuppressWarnings("unchecked")
    RootReference<byte[], byte[]>[] byId = new RootReference[maxId + 1];
    for (RootReference<byte[], byte[]> r : roots.values()) {
      byId[r.root.map.getId()] = r;
    }
    this.byMapId = byId;
    this.store = store;
    this.pin = pin;
    this.pinned = pinned;
    pinned.add(this);
  }

  /** The root of {@code map} in this snapshot: one array read, no lookup by name. */
  RootReference<byte[], byte[]> root(MVMap<byte[], byte[]> map) {
    int id = map.getId();
    return id < byMapId.length ? byMapId[id] : null;
  }

  Map<String, RootReference<byte[], byte[]>> roots() {
    return roots;
  }

  /**
   * The calling thread's stripe: a reader retains and releases on the stripe it chose, also if it
   * releases on another thread.
   */
  static int stripe() {
    long id = Thread.currentThread().getId();
    return (int) ((id * 0x9E3779B97F4A7C15L) >>> 60) & (STRIPES - 1);
  }

  /** Takes a reference on {@code stripe} unless the snapshot is no longer published. */
  boolean tryRetain(int stripe) {
    if (retired) {
      return false;
    }
    refs.getAndIncrement(stripe * PAD);
    if (retired) {
      release(stripe);
      return false;
    }
    return true;
  }

  /** Gives back a reference {@link #tryRetain} took on {@code stripe}. */
  void release(int stripe) {
    refs.getAndDecrement(stripe * PAD);
    if (retired && held() == 0) {
      unpin();
    }
  }

  /** The backend stops publishing this snapshot: unpinned now, or by the last release. */
  void retire() {
    retired = true;
    if (held() == 0) {
      unpin();
    }
  }

  private long held() {
    long n = 0;
    for (int i = 0; i < STRIPES; i++) {
      n += refs.get(i * PAD);
    }
    return n;
  }

  /**
   * Gives the version back to MVStore, once. Called when the last reference is gone after
   * {@link #retire}, or by {@code close()}
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
