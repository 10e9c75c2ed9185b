package dev.cairn.storage.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Access counts and last-access times, kept in memory so that a read never becomes a write, and
 * drained in batches by the engine's flush (on a timer, when too many are pending, at
 * maintenance and at close).
 *
 * <p>A read only appends (collection, key, hash, time) to a log: one of a few striped logs,
 * picked by thread, each behind its own (all but uncontended) lock. A log is parallel arrays, so
 * logging a read allocates nothing but, once per {@value #LOG_CAPACITY} reads, the next log's
 * arrays. The reader computes the record's hash ({@link #hash}) itself, while both names are in
 * its cache: free when the key was hashed before (a string keeps its hash, and a cached store's
 * lookup hashes it), some 10 ns for a 13-character key hashed never before; the collector would
 * spend several times that fetching the string from where another core wrote it.
 *
 * <p>Counting the logged reads per record — a hash lookup that misses the processor's caches
 * once the records read are many — happens later and elsewhere: when a log fills it is handed to
 * a queue that {@link #collect} folds into the pending counts, on the flusher's thread ({@link
 * AccessStatsFlusher#collectSoon}). The pending counts are an open-addressing table of parallel
 * arrays ({@link Counts}), not a map of objects, so that a fold compares the logged hash with an
 * array of hashes and looks at names only where they are equal, instead of chaining map node,
 * key object, strings and counter for every read. Anything that needs exact counts ({@link
 * #pendingFor}, {@link #forget}, {@link #drainAll}) collects first. Until then a log holds at
 * most {@value #LOG_CAPACITY} reads per stripe, and the queue at most {@value #MAX_QUEUED} full
 * logs: beyond that, the reader that fills one collects them itself.
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
    String[] collections = new String[LOG_CAPACITY];
    String[] keys = new String[LOG_CAPACITY];
    int[] hashes = new int[LOG_CAPACITY];
    long[] millis = new long[LOG_CAPACITY];
    int size;

    // keep stripes on separate cache lines
    @SuppressWarnings("unused")
    long p1, p2, p3, p4, p5, p6, p7;

    /** Hands the arrays over to be folded, starting empty ones; the caller holds the log. */
    Full handOver() {
      Full f = new Full(collections, keys, hashes, millis, size);
      collections = new String[LOG_CAPACITY];
      keys = new String[LOG_CAPACITY];
      hashes = new int[LOG_CAPACITY];
      millis = new long[LOG_CAPACITY];
      size = 0;
      return f;
    }
  }

  /** A log handed over: its arrays, the first {@code size} slots used. */
  private record Full(String[] collections, String[] keys, int[] hashes, long[] millis,
      int size) {}

  private final Log[] stripes;
  private final ConcurrentLinkedQueue<Full> full = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  /** Counted reads per record; guarded by itself. */
  private final Counts pending = new Counts();

  /** A tracker that logs reads. */
  AccessTracker() {
    this(true);
  }

  /**
   * @param logging false for a store without access statistics: no logs are allocated (20 KiB
   *     each, a few per core), {@link #recordRead} must not be called, and nothing is ever
   *     pending, so {@link #forget} and {@link #pendingFor} return at once instead of collecting
   */
  AccessTracker(boolean logging) {
    int cpus = Math.max(1, Runtime.getRuntime().availableProcessors());
    int n = logging ? Integer.highestOneBit(cpus * 4 - 1) << 1 : 0;
    stripes = new Log[n];
    for (int i = 0; i < n; i++) {
      stripes[i] = new Log();
    }
  }

  /**
   * The hash a record is counted under: the same for equal names, whatever their instances, and
   * free to compute again for strings that were hashed before.
   */
  static int hash(String collection, String key) {
    return 31 * collection.hashCode() + key.hashCode();
  }

  /**
   * Logs a read; returns whether enough full logs are queued that the caller should have them
   * collected soon ({@link AccessStatsFlusher#collectSoon}). Lock-free of other stripes; never
   * blocks on a flush.
   */
  boolean recordRead(String collection, String key, long nowMillis) {
    int hash = hash(collection, key); // here, where both strings are in this core's cache
    Log log = stripes[stripe()];
    Full handed;
    synchronized (log) {
      int i = log.size;
      log.collections[i] = collection;
      log.keys[i] = key;
      log.hashes[i] = hash;
      log.millis[i] = nowMillis;
      log.size = i + 1;
      if (i + 1 < LOG_CAPACITY) {
        return false;
      }
      handed = log.handOver();
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
        fold(f);
      }
      for (Log log : stripes) {
        Full f;
        synchronized (log) {
          if (log.size == 0) {
            continue;
          }
          f = log.handOver();
        }
        fold(f);
      }
    }
  }

  /**
   * Adds a log's reads to the pending counts; the caller holds {@code pending}. The logged
   * strings are read only where the hash matches a pending record's, to compare the names.
   */
  private void fold(Full f) {
    String[] collections = f.collections();
    String[] keys = f.keys();
    int[] hashes = f.hashes();
    long[] millis = f.millis();
    for (int i = 0, n = f.size(); i < n; i++) {
      pending.add(hashes[i], collections[i], keys[i], 1, millis[i]);
    }
  }

  /** How many records have counted reads not yet flushed. */
  int pendingRecords() {
    synchronized (pending) {
      return pending.size();
    }
  }

  /** The reads not yet flushed for one record: {count, lastMillis}, or null. */
  long[] pendingFor(String collection, String key) {
    if (stripes.length == 0) {
      return null; // not logging: nothing is ever pending
    }
    collect();
    synchronized (pending) {
      return pending.get(hash(collection, key), collection, key);
    }
  }

  /** Drops the pending reads of deleted records. */
  void forget(Collection<Ref> deleted) {
    if (deleted.isEmpty() || stripes.length == 0) {
      return;
    }
    collect();
    synchronized (pending) {
      for (Ref r : deleted) {
        pending.remove(hash(r.collection(), r.key()), r.collection(), r.key());
      }
    }
  }

  /** Removes and returns every pending entry, logged reads included. */
  List<Drained> drainAll() {
    collect();
    synchronized (pending) {
      return pending.drain();
    }
  }

  /** Puts drained entries back after a failed flush, adding to anything recorded meanwhile. */
  void restore(List<Drained> drained) {
    synchronized (pending) {
      for (Drained d : drained) {
        Ref r = d.ref();
        pending.add(hash(r.collection(), r.key()), r.collection(), r.key(), d.count(),
            d.lastMillis());
      }
    }
  }

  /**
   * Counted reads per record: an open-addressing table with linear probing, in parallel arrays,
   * at most half full so that probes stay short. Not thread-safe: {@link AccessTracker} holds it
   * while calling.
   *
   * <p>A slot's tag is its record's hash ({@link AccessTracker#hash}), 0 meaning an empty slot
   * (a hash of 0 is tagged 1: equal tags only mean the names must be compared). A lookup reads
   * the tags from the hash's home slot on until one is equal or empty, and compares the names
   * only at an equal tag: the collection by identity first (callers pass the same instance), the
   * key by identity, then by content. A slot's collection and key sit side by side in {@code
   * names}, its count and last time in {@code stats}, so a record found costs a cache line in
   * each array besides those of its strings. A removal shifts back the later entries of the
   * probe run that may live in the freed slot, instead of leaving a tombstone, so that a lookup
   * can still stop at the first empty slot.
   */
  static final class Counts {

    /** Slots of a new or just drained table. */
    static final int MIN_CAPACITY = 64;

    /** The tag of each slot, 0 if empty. */
    private int[] tags;
    /** Slot {@code i}'s collection at {@code 2i}, its key at {@code 2i + 1}. */
    private String[] names;
    /** Slot {@code i}'s read count at {@code 2i}, its last read time at {@code 2i + 1}. */
    private long[] stats;
    private int mask;
    private int shift;
    private int size;

    Counts() {
      allocate(MIN_CAPACITY);
    }

    private void allocate(int capacity) {
      tags = new int[capacity];
      names = new String[2 * capacity];
      stats = new long[2 * capacity];
      mask = capacity - 1;
      shift = Integer.numberOfLeadingZeros(capacity) + 1;
    }

    private static int tag(int hash) {
      return hash == 0 ? 1 : hash;
    }

    /**
     * The slot a tag's probe starts from: the tag's top bits after multiplying by the golden
     * ratio, so that the nearby hashes of similar names (String's hash is a polynomial of the
     * characters) spread over the table instead of filling a run of neighbouring slots.
     */
    private int home(int tag) {
      return (tag * 0x9E3779B9) >>> shift;
    }

    int size() {
      return size;
    }

    int capacity() {
      return tags.length;
    }

    /** The slot holding the record, or -1. */
    private int find(int tag, String collection, String key) {
      int[] t = tags;
      for (int i = home(tag); ; i = (i + 1) & mask) {
        int s = t[i];
        if (s == 0) {
          return -1;
        }
        if (s == tag && sameRecord(i, collection, key)) {
          return i;
        }
      }
    }

    private boolean sameRecord(int slot, String collection, String key) {
      String c = names[2 * slot];
      String k = names[2 * slot + 1];
      return (c == collection || c.equals(collection)) && (k == key || k.equals(key));
    }

    /**
     * Adds {@code count} reads of a record, the last at {@code lastMillis}; {@code hash} is the
     * record's ({@link AccessTracker#hash}).
     */
    void add(int hash, String collection, String key, long count, long lastMillis) {
      int tag = tag(hash);
      int[] t = tags;
      int i = home(tag);
      for (int s; (s = t[i]) != 0; i = (i + 1) & mask) {
        if (s == tag && sameRecord(i, collection, key)) {
          stats[2 * i] += count;
          stats[2 * i + 1] = Math.max(stats[2 * i + 1], lastMillis);
          return;
        }
      }
      insert(i, tag, collection, key, count, lastMillis);
    }

    /**
     * Puts a new record into the empty slot {@code i}; out of {@link #add}'s way, so that the
     * compiler inlines the common case, a record already counted, into the fold.
     */
    private void insert(int i, int tag, String collection, String key, long count,
        long lastMillis) {
      tags[i] = tag;
      names[2 * i] = collection;
      names[2 * i + 1] = key;
      stats[2 * i] = count;
      stats[2 * i + 1] = lastMillis;
      if (++size * 2 > tags.length) {
        resize(2 * tags.length);
      }
    }

    /** A record's {count, lastMillis}, or null if it has none. */
    long[] get(int hash, String collection, String key) {
      int i = find(tag(hash), collection, key);
      return i < 0 ? null : new long[] {stats[2 * i], stats[2 * i + 1]};
    }

    /**
     * Removes a record, if present. Backward-shift deletion: each later entry of the probe run
     * whose home is not cyclically between the freed slot and itself moves into the freed slot,
     * freeing its own in turn, so that no lookup stops short at a gap.
     */
    void remove(int hash, String collection, String key) {
      int free = find(tag(hash), collection, key);
      if (free < 0) {
        return;
      }
      for (int j = (free + 1) & mask; tags[j] != 0; j = (j + 1) & mask) {
        int home = home(tags[j]);
        if (((j - home) & mask) < ((j - free) & mask)) {
          continue; // its home is in (free, j]: it must stay after the gap
        }
        move(j, free);
        free = j;
      }
      tags[free] = 0;
      names[2 * free] = null;
      names[2 * free + 1] = null;
      size--;
    }

    private void move(int from, int to) {
      tags[to] = tags[from];
      names[2 * to] = names[2 * from];
      names[2 * to + 1] = names[2 * from + 1];
      stats[2 * to] = stats[2 * from];
      stats[2 * to + 1] = stats[2 * from + 1];
    }

    /**
     * Removes and returns every entry. The table starts again sized for as many records as it
     * held, so one burst of distinct records does not keep a large table for good.
     */
    List<Drained> drain() {
      List<Drained> out = new ArrayList<>(size);
      for (int i = 0; i < tags.length; i++) {
        if (tags[i] != 0) {
          out.add(new Drained(new Ref(names[2 * i], names[2 * i + 1]), stats[2 * i],
              stats[2 * i + 1]));
        }
      }
      allocate(capacityFor(size));
      size = 0;
      return out;
    }

    /** The capacity that holds {@code n} records at most half full. */
    private static int capacityFor(int n) {
      return Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, 2 * n)) << 1);
    }

    private void resize(int capacity) {
      int[] oldTags = tags;
      String[] oldNames = names;
      long[] oldStats = stats;
      allocate(capacity);
      for (int j = 0; j < oldTags.length; j++) {
        int tag = oldTags[j];
        if (tag == 0) {
          continue;
        }
        int i = home(tag);
        while (tags[i] != 0) {
          i = (i + 1) & mask;
        }
        tags[i] = tag;
        names[2 * i] = oldNames[2 * j];
        names[2 * i + 1] = oldNames[2 * j + 1];
        stats[2 * i] = oldStats[2 * j];
        stats[2 * i + 1] = oldStats[2 * j + 1];
      }
    }
  }
}
