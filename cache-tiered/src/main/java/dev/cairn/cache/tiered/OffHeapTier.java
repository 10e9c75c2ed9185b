package dev.cairn.cache.tiered;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * L2: values (compressed when it pays) in off-heap blocks of a {@link SlabAllocator}, evicted in
 * least-recently-used order when the byte bound is reached.
 *
 * <p>One lock guards the index, the allocator and every off-heap copy, so a block is never read
 * after it was freed or reused, and nothing is touched after {@link #close()}. The lock is held
 * only for index updates and memcpy; compression and decompression run outside it. Callers may
 * hold a Caffeine entry lock when they call in (demotion and promotion run inside L1's atomic
 * per-key operations); this class never calls back into L1, so the lock order is always
 * L1 entry, then L2.
 */
final class OffHeapTier {

  /** What one L2 entry holds; the bytes live in {@code blocks}. */
  static final class Slot {
    final long version;
    final int[] blocks;
    final int storedLength;
    final int rawLength;
    final boolean compressed;
    final long writeNanos;
    /** The record's expiry (epoch ms), or 0: kept so a promoted value is never served late. */
    final long expiresAtMillis;
    long accessNanos;

    Slot(
        long version,
        int[] blocks,
        int storedLength,
        int rawLength,
        boolean compressed,
        long writeNanos,
        long accessNanos,
        long expiresAtMillis) {
      this.version = version;
      this.expiresAtMillis = expiresAtMillis;
      this.blocks = blocks;
      this.storedLength = storedLength;
      this.rawLength = rawLength;
      this.compressed = compressed;
      this.writeNanos = writeNanos;
      this.accessNanos = accessNanos;
    }
  }

  /** A value copied out of L2, still encoded. */
  record Copy(long version, byte[] stored, int rawLength, boolean compressed, long writeNanos,
      long expiresAtMillis) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final LinkedHashMap<CacheKey, Slot> index = new LinkedHashMap<>(64, 0.75f, true);
  private final SlabAllocator allocator;
  private final long maxBytes;
  private final ExpiryPolicy expiry;
  private long hits;
  private long misses;
  private long evictions;
  private boolean closed;

  OffHeapTier(long maxBytes, int blockBytes, int slabBytes, ExpiryPolicy expiry) {
    this.maxBytes = maxBytes;
    this.allocator = new SlabAllocator(maxBytes, blockBytes, slabBytes);
    this.expiry = expiry;
  }

  /**
   * Stores an encoded value unless the tier holds a newer version of the key. Evicts
   * least-recently-used entries to make room; a value larger than the whole tier is dropped and
   * counted as an eviction.
   *
   * @return whether the value is now held
   */
  boolean store(
      CacheKey key,
      long version,
      byte[] stored,
      int rawLength,
      boolean compressed,
      long writeNanos,
      long accessNanos,
      long expiresAtMillis) {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      Slot existing = index.get(key);
      if (existing != null) {
        if (existing.version > version) {
          return false;
        }
        index.remove(key);
        allocator.free(existing.blocks);
      }
      if (!allocator.fits(stored.length)) {
        evictions++;
        return false;
      }
      int needed = allocator.blocksFor(stored.length);
      Iterator<Slot> eldest = index.values().iterator();
      while (!allocator.hasFree(needed) && eldest.hasNext()) {
        Slot victim = eldest.next();
        eldest.remove();
        allocator.free(victim.blocks);
        evictions++;
      }
      int[] blocks = allocator.allocate(stored.length);
      allocator.write(blocks, stored);
      index.put(
          key,
          new Slot(version, blocks, stored.length, rawLength, compressed, writeNanos, accessNanos,
              expiresAtMillis));
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the key may be held (a hint: another thread can change it right after). */
  boolean mayContain(CacheKey key) {
    lock.lock();
    try {
      return !closed && index.containsKey(key);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes the key and returns a copy of its value (promotion), or {@code null} if absent or
   * expired. Counts a hit or a miss.
   */
  Copy take(CacheKey key, long now) {
    lock.lock();
    try {
      Slot slot = closed ? null : index.remove(key);
      if (slot == null) {
        misses++;
        return null;
      }
      allocator.free(slot.blocks);
      if (expiry.isExpired(slot.writeNanos, slot.accessNanos, now)) {
        misses++;
        return null;
      }
      hits++;
      return copyOf(slot);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns a copy of the key's value and keeps it (used when L1 is disabled), or {@code null}.
   * Counts a hit or a miss and refreshes the access time.
   */
  Copy peek(CacheKey key, long now) {
    lock.lock();
    try {
      Slot slot = closed ? null : index.get(key);
      if (slot == null) {
        misses++;
        return null;
      }
      if (expiry.isExpired(slot.writeNanos, slot.accessNanos, now)) {
        index.remove(key);
        allocator.free(slot.blocks);
        misses++;
        return null;
      }
      slot.accessNanos = now;
      hits++;
      return copyOf(slot);
    } finally {
      lock.unlock();
    }
  }

  /** Counts a lookup that was answered as a miss without entering the tier. */
  void countMiss() {
    lock.lock();
    try {
      misses++;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Drops the key unless the tier holds a newer version than {@code version}.
   *
   * @return {@code false} if a newer version is held (and was kept)
   */
  boolean removeUnlessNewer(CacheKey key, long version) {
    lock.lock();
    try {
      Slot slot = closed ? null : index.get(key);
      if (slot == null) {
        return true;
      }
      if (slot.version > version) {
        return false;
      }
      index.remove(key);
      allocator.free(slot.blocks);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Drops the key. */
  void remove(CacheKey key) {
    lock.lock();
    try {
      Slot slot = closed ? null : index.remove(key);
      if (slot != null) {
        allocator.free(slot.blocks);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Drops every entry and releases all off-heap memory (it is reserved again on demand). */
  void clear() {
    lock.lock();
    try {
      if (!closed) {
        index.clear();
        allocator.reset();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Drops expired entries; returns the bytes freed. One pass over the index, under the lock. */
  long sweep(long now) {
    if (!expiry.enabled()) {
      return 0;
    }
    lock.lock();
    try {
      if (closed) {
        return 0;
      }
      long before = allocator.usedBytes();
      Iterator<Slot> it = index.values().iterator();
      while (it.hasNext()) {
        Slot slot = it.next();
        if (expiry.isExpired(slot.writeNanos, slot.accessNanos, now)) {
          it.remove();
          allocator.free(slot.blocks);
        }
      }
      return before - allocator.usedBytes();
    } finally {
      lock.unlock();
    }
  }

  long usedBytes() {
    lock.lock();
    try {
      return allocator.usedBytes();
    } finally {
      lock.unlock();
    }
  }

  /** Direct memory reserved now (whole slabs), for tests. */
  long reservedBytes() {
    lock.lock();
    try {
      return allocator.reservedBytes();
    } finally {
      lock.unlock();
    }
  }

  /** The allocator's slab buffers, for tests. */
  java.util.List<java.nio.ByteBuffer> slabBuffersForTest() {
    lock.lock();
    try {
      return allocator.slabBuffersForTest();
    } finally {
      lock.unlock();
    }
  }

  /** Counters: hits, misses, evictions, entries, bytes used. */
  long[] counters() {
    lock.lock();
    try {
      return new long[] {hits, misses, evictions, index.size(), allocator.usedBytes()};
    } finally {
      lock.unlock();
    }
  }

  long maxBytes() {
    return maxBytes;
  }

  /** Drops everything and releases the slabs. Idempotent. */
  void close() {
    lock.lock();
    try {
      if (!closed) {
        index.clear();
        allocator.close();
        closed = true;
      }
    } finally {
      lock.unlock();
    }
  }

  private Copy copyOf(Slot slot) {
    return new Copy(
        slot.version,
        allocator.read(slot.blocks, slot.storedLength),
        slot.rawLength,
        slot.compressed,
        slot.writeNanos,
        slot.expiresAtMillis);
  }

  /** Map of the index for tests (a copy of keys to versions). */
  Map<CacheKey, Long> versionsForTest() {
    lock.lock();
    try {
      Map<CacheKey, Long> copy = new LinkedHashMap<>();
      index.forEach((k, v) -> copy.put(k, v.version));
      return copy;
    } finally {
      lock.unlock();
    }
  }
}
