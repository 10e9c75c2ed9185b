package dev.cairn.micrometer;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.StorageStats;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's {@link Storage#stats()}, taken at most once per interval: every meter of one
 * scrape reads the same snapshot, so a scrape costs one {@code stats()} call (which sums the
 * counters and asks the backend for its size on disk) rather than one per meter.
 *
 * <p>When {@code stats()} fails (the store was closed, or the backend cannot report its size)
 * the last snapshot is kept and the failure is logged once until a call succeeds again, so a
 * scrape never fails because of the store.
 *
 * <p>Thread-safe.
 */
final class StatsSnapshot {

  private static final Logger LOG = LoggerFactory.getLogger(CairnMetrics.class);

  private final Storage storage;
  private final String storeName;
  private final long intervalNanos;
  private StorageStats last;
  private long takenAt;
  private boolean failing;

  /** Takes the first snapshot now: {@code stats()}'s exception if the store is closed. */
  StatsSnapshot(Storage storage, String storeName, Duration interval) {
    this.storage = storage;
    this.storeName = storeName;
    this.intervalNanos = interval.toNanos();
    this.last = storage.stats();
    this.takenAt = System.nanoTime();
  }

  /** The snapshot, taken again if the last one is at least an interval old. */
  synchronized StorageStats get() {
    long now = System.nanoTime();
    if (now - takenAt >= intervalNanos) {
      takenAt = now; // a failure too is tried again only an interval later
      try {
        last = storage.stats();
        failing = false;
      } catch (RuntimeException e) {
        if (!failing) {
          if (e instanceof StorageClosedException) {
            LOG.info("store {} is closed; its meters keep their last values", storeName);
          } else {
            LOG.warn("cannot read the stats of store {} ({}); its meters keep their last values",
                storeName, e.toString());
          }
          failing = true;
        }
      }
    }
    return last;
  }
}
