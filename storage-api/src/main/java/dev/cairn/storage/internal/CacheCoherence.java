package dev.cairn.storage.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Keeps the read cache from ever serving a value older than a completed commit.
 *
 * <p>The race it closes: a reader misses the cache, loads the old value from the backend, a
 * writer commits and invalidates, and then the reader puts the old value into the cache, where
 * it would stay. Each key hashes to a stripe with a stamp and a lock:
 *
 * <ul>
 *   <li>a reader notes the stamp <i>before</i> reading the backend, and later populates the
 *       cache under the stripe lock only if the stamp is unchanged;
 *   <li>a writer, <i>after</i> its commit, bumps the stamp and invalidates under the same lock.
 * </ul>
 *
 * If the reader's check-and-put runs first, the writer's invalidation removes what it put. If
 * it runs second, it sees the new stamp and does not put — unless it noted the stamp after the
 * bump, in which case its backend read started after the commit and is fresh. Cache hits take
 * no lock.
 */
final class CacheCoherence {

  private static final int STRIPES = 1 << 12;
  private final AtomicLongArray stamps = new AtomicLongArray(STRIPES);
  private final Object[] locks = new Object[STRIPES];

  CacheCoherence() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  static int stripe(String collection, String key) {
    int h = collection.hashCode() * 31 + key.hashCode();
    h ^= (h >>> 16);
    return h & (STRIPES - 1);
  }

  /** The stamp to note before a backend read. */
  long stamp(int stripe) {
    return stamps.get(stripe);
  }

  /** Runs {@code populate} only if no commit touched the stripe since {@code stamp}. */
  void populateIfUnchanged(int stripe, long stamp, Runnable populate) {
    synchronized (locks[stripe]) {
      if (stamps.get(stripe) == stamp) {
        populate.run();
      }
    }
  }

  /**
   * After commits whose keys are unknown: bumps every stripe, then invalidates everything. A
   * reader that noted a stamp before the bump cannot populate afterwards; one that populated
   * before it is undone by {@code invalidateAll}.
   */
  void afterUnknownCommits(Runnable invalidateAll) {
    for (int i = 0; i < STRIPES; i++) {
      synchronized (locks[i]) {
        stamps.incrementAndGet(i);
      }
    }
    invalidateAll.run();
  }

  /** After a commit: invalidates the key so that no earlier reader can repopulate it. */
  void afterCommit(int stripe, Runnable invalidate) {
    synchronized (locks[stripe]) {
      stamps.incrementAndGet(stripe);
      invalidate.run();
    }
  }
}
