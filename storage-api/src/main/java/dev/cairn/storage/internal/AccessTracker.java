package dev.cairn.storage.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access counts and last-access times, kept in memory so that a read never becomes a write, and
 * drained in batches by the engine's flush (on a timer, when too many are pending, at
 * maintenance and at close).
 */
final class AccessTracker {

  record Ref(String collection, String key) {}

  /** Reads not yet flushed for one record; mutated only inside the map's atomic compute. */
  static final class Pending {
    long count;
    long lastMillis;
  }

  record Drained(Ref ref, long count, long lastMillis) {}

  private final ConcurrentHashMap<Ref, Pending> pending = new ConcurrentHashMap<>();

  /** Records a read; returns how many records have pending reads. */
  int recordRead(String collection, String key, long nowMillis) {
    pending.compute(new Ref(collection, key), (r, p) -> {
      Pending q = p == null ? new Pending() : p;
      q.count++;
      q.lastMillis = Math.max(q.lastMillis, nowMillis);
      return q;
    });
    return pending.size();
  }

  /** The reads not yet flushed for one record: {count, lastMillis}, or null. */
  long[] pendingFor(String collection, String key) {
    long[] out = new long[2];
    Pending p = pending.computeIfPresent(new Ref(collection, key), (r, q) -> {
      out[0] = q.count;
      out[1] = q.lastMillis;
      return q;
    });
    return p == null ? null : out;
  }

  /** Drops the pending reads of a deleted record. */
  void forget(String collection, String key) {
    pending.remove(new Ref(collection, key));
  }

  /** Removes and returns up to {@code max} pending entries. */
  List<Drained> drain(int max) {
    List<Drained> out = new ArrayList<>();
    for (Ref ref : pending.keySet()) {
      if (out.size() >= max) {
        break;
      }
      Pending p = pending.remove(ref);
      if (p != null) {
        out.add(new Drained(ref, p.count, p.lastMillis));
      }
    }
    return out;
  }

  /** Puts drained entries back after a failed flush, adding to anything recorded meanwhile. */
  void restore(List<Drained> drained) {
    for (Drained d : drained) {
      pending.compute(d.ref(), (r, p) -> {
        Pending q = p == null ? new Pending() : p;
        q.count += d.count();
        q.lastMillis = Math.max(q.lastMillis, d.lastMillis());
        return q;
      });
    }
  }

  int size() {
    return pending.size();
  }
}
