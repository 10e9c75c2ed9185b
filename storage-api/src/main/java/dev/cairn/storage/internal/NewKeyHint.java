package dev.cairn.storage.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the keys a collection was written under lately were mostly new, which decides how
 * {@link RecordStore#write} starts: with an insert that reads the old record only if there was
 * one ({@link dev.cairn.storage.spi.BackendTransaction#putIfAbsent}), or with a read of the old
 * record. On SQLite a new key then costs one statement instead of two, and an existing key three
 * instead of two, so the insert pays when more than half the keys are new; elsewhere both cost
 * the same. There is no option: the hint follows the writes.
 *
 * <p>Per collection, a counter between 0 and {@value #MAX} moves up by one for a new key and down
 * by one for an existing one; the insert comes first while it is at least {@value #THRESHOLD} (so
 * also for a collection not written yet). The counter is updated without atomicity: writes run
 * under the engine's write lock, and a lost update only delays the switch by a write.
 */
final class NewKeyHint {

  static final int MAX = 16;
  static final int THRESHOLD = MAX / 2;

  private final ConcurrentHashMap<String, int[]> counters = new ConcurrentHashMap<>();

  /** Whether a write to {@code collection} should try to insert first. */
  boolean likelyNew(String collection) {
    int[] c = counters.get(collection);
    return c == null || c[0] >= THRESHOLD;
  }

  /** Notes whether a write to {@code collection} found its key new. */
  void saw(String collection, boolean wasNew) {
    int[] c = counters.computeIfAbsent(collection, x -> new int[] {THRESHOLD});
    c[0] = wasNew ? Math.min(MAX, c[0] + 1) : Math.max(0, c[0] - 1);
  }
}
