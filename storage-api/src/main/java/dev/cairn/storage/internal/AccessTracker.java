package dev.cairn.storage.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access counts and last-access times, kept in memory so that a read never becomes a write, and
 * drained in batches by the engine's flush (on a timer, when too many are pending, at
 * maintenance and at close).
 */
final class AccessTracker {

  record Ref(String collection, String key) {}

  /** Reads not yet flushed for one record. */
  static final class Pending {
    final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
    volatile long lastMillis;

    void add(long n, long millis) {
      count.addAndGet(n);
      if (millis > lastMillis) {
        lastMillis = millis; // racy max: a concurrent reader may keep a slightly older time
      }
    }
  }

  record Drained(Ref ref, long count, long lastMillis) {}

  private final ConcurrentHashMap<Ref, Pending> pending = new ConcurrentHashMap<>();

  /**
   * Records a read; returns how many records have pending reads when this read added one, else
   * 0 (the threshold check needs the size only when it grows). Lock-free for a record that
   * already has pending reads. A read that races with the flush of its record may go uncounted
   * (the counts are statistics; the flush never blocks readers).
   */
  int recordRead(String collection, String key, long nowMillis) {
    Ref ref = new Ref(collection, key);
    Pending p = pending.get(ref);
    if (p != null) {
      p.add(1, nowMillis);
      return 0; // the map did not grow
    }
    Pending fresh = new Pending();
    p = pending.putIfAbsent(ref, fresh);
    (p == null ? fresh : p).add(1, nowMillis);
    return pending.size();
  }

  /** The reads not yet flushed for one record: {count, lastMillis}, or null. */
  long[] pendingFor(String collection, String key) {
    Pending p = pending.get(new Ref(collection, key));
    return p == null ? null : new long[] {p.count.get(), p.lastMillis};
  }

  /** Drops the pending reads of a deleted record. */
  void forget(String collection, String key) {
    pending.remove(new Ref(collection, key));
  }

  /**
   * Removes and returns every pending entry, in one pass over the map (draining in slices that
   * each restart the iteration would walk the emptied bins again and again).
   */
  List<Drained> drainAll() {
    List<Drained> out = new ArrayList<>(pending.size());
    for (java.util.Iterator<Map.Entry<Ref, Pending>> it = pending.entrySet().iterator(); it.hasNext();) {
      Map.Entry<Ref, Pending> e = it.next();
      if (pending.remove(e.getKey(), e.getValue())) {
        Pending p = e.getValue();
        out.add(new Drained(e.getKey(), p.count.get(), p.lastMillis));
      }
    }
    return out;
  }

  /** Puts drained entries back after a failed flush, adding to anything recorded meanwhile. */
  void restore(List<Drained> drained) {
    for (Drained d : drained) {
      pending.computeIfAbsent(d.ref(), r -> new Pending()).add(d.count(), d.lastMillis());
    }
  }
}
