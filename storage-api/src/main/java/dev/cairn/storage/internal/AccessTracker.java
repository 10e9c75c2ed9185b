package dev.cairn.storage.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Access counts and last-access times, kept in memory so that a read never becomes a write, and
 * drained in batches by the engine's flush (on a timer, when too many are pending, at
 * maintenance and at close).
 *
 * <p>A read only appends (record, time) to a log: one of a few striped logs, picked by thread,
 * each behind its own (all but uncontended) lock. Counting the logged reads per record — a hash
 * lookup that misses the processor's caches once the records read are many — happens later and
 * elsewhere: when a log fills it is handed to a queue that {@link #collect} folds into the
 * pending counts, on the flusher's thread ({@link AccessStatsFlusher#collectSoon}). Anything that
 * needs exact counts ({@link #pendingFor}, {@link #forget}, {@link #drainAll}) collects first.
 * Until then a log holds at most {@value #LOG_CAPACITY} reads per stripe, and the queue at most
 * {@value #MAX_QUEUED} full logs: beyond that, the reader that fills one collects them itself.
 */
final class AccessTracker {

  record Ref(String collection, String key) {}

  record Drained(Ref ref, long count, long lastMillis) {}

  /** Reads a log holds before it is handed over. */
  static final int LOG_CAPACITY = 1024;
  /** Full logs queued before the reader that fills one folds them in itself. */
  static final int MAX_QUEUED = 64;
  /** Full logs queued before a read asks for a collection ({@link #recordRead}). */
  static final int COLLECT_AT = 16;

  /** Reads logged by the threads of one stripe since it was last collected. */
  private static final class Log {
    Ref[] refs = new Ref[LOG_CAPACITY];
    long[] millis = new long[LOG_CAPACITY];
    int size;

    // keep stripes on separate cache lines
    @SuppressWarnings("unused")
    long p1, p2, p3, p4, p5, p6, p7;
  }

  /** A full log handed over: its arrays, all slots used. */
  private record Full(Ref[] refs, long[] millis) {}

  private final Log[] stripes;
  private final ConcurrentLinkedQueue<Full> full = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  /** Counted reads per record, {count, lastMillis}; guarded by itself. */
  private final Map<Ref, long[]> pending = new HashMap<>();

  AccessTracker() {
    int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 4 - 1) << 1;
    stripes = new Log[n];
    for (int i = 0; i < n; i++) {
      stripes[i] = new Log();
    }
  }

  /**
   * Logs a read; returns whether enough full logs are queued that the caller should have them
   * collected soon ({@link AccessStatsFlusher#collectSoon}). Lock-free of other stripes; never
   * blocks on a flush.
   */
  boolean recordRead(String collection, String key, long nowMillis) {
    Log log = stripes[stripe()];
    Full handed = null;
    synchronized (log) {
      int i = log.size;
      log.refs[i] = new Ref(collection, key);
      log.millis[i] = nowMillis;
      if (i + 1 < LOG_CAPACITY) {
        log.size = i + 1;
        return false;
      }
      handed = new Full(log.refs, log.millis);
      log.refs = new Ref[LOG_CAPACITY];
      log.millis = new long[LOG_CAPACITY];
      log.size = 0;
    }
    full.add(handed);
    int q = queued.incrementAndGet();
    if (q >= MAX_QUEUED) {
      collect(); // the collector cannot keep up: this reader folds the queue in itself
      return false;
    }
    return q >= COLLECT_AT;
  }

  private int stripe() {
    long id = Thread.currentThread().getId();
    return (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & (stripes.length - 1);
  }

  /** Folds every logged read into the pending counts. */
  void collect() {
    synchronized (pending) {
      for (Full f; (f = full.poll()) != null; ) {
        queued.decrementAndGet();
        fold(f.refs(), f.millis(), f.refs().length);
      }
      for (Log log : stripes) {
        Ref[] refs;
        long[] millis;
        int size;
        synchronized (log) {
          size = log.size;
          if (size == 0) {
            continue;
          }
          refs = log.refs;
          millis = log.millis;
          log.refs = new Ref[LOG_CAPACITY];
          log.millis = new long[LOG_CAPACITY];
          log.size = 0;
        }
        fold(refs, millis, size);
      }
    }
  }

  /** Adds {@code n} logged reads to the pending counts; the caller holds {@code pending}. */
  private void fold(Ref[] refs, long[] millis, int n) {
    for (int i = 0; i < n; i++) {
      add(refs[i], 1, millis[i]);
    }
  }

  /** Adds {@code count} reads, the last at {@code lastMillis}; the caller holds {@code pending}. */
  private void add(Ref ref, long count, long lastMillis) {
    long[] p = pending.computeIfAbsent(ref, r -> new long[2]);
    p[0] += count;
    p[1] = Math.max(p[1], lastMillis);
  }

  /** How many records have counted reads not yet flushed. */
  int pendingRecords() {
    synchronized (pending) {
      return pending.size();
    }
  }

  /** The reads not yet flushed for one record: {count, lastMillis}, or null. */
  long[] pendingFor(String collection, String key) {
    collect();
    synchronized (pending) {
      long[] p = pending.get(new Ref(collection, key));
      return p == null ? null : p.clone();
    }
  }

  /** Drops the pending reads of deleted records. */
  void forget(Collection<Ref> deleted) {
    if (deleted.isEmpty()) {
      return;
    }
    collect();
    synchronized (pending) {
      for (Ref r : deleted) {
        pending.remove(r);
      }
    }
  }

  /** Removes and returns every pending entry, logged reads included. */
  List<Drained> drainAll() {
    collect();
    synchronized (pending) {
      List<Drained> out = new ArrayList<>(pending.size());
      for (Map.Entry<Ref, long[]> e : pending.entrySet()) {
        out.add(new Drained(e.getKey(), e.getValue()[0], e.getValue()[1]));
      }
      pending.clear();
      return out;
    }
  }

  /** Puts drained entries back after a failed flush, adding to anything recorded meanwhile. */
  void restore(List<Drained> drained) {
    synchronized (pending) {
      for (Drained d : drained) {
        add(d.ref(), d.count(), d.lastMillis());
      }
    }
  }
}
