package dev.cairn.cache.tiered;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.cairn.storage.CacheTierStats;
import dev.cairn.storage.spi.CacheConfig;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.RecordCache;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L1 (Caffeine, on heap, decoded) in front of L2 ({@link OffHeapTier}, off heap, compressed).
 * Every key lives in at most one tier: size evictions from L1 move the entry to L2 (demotion) and
 * an L2 hit moves it back (promotion).
 *
 * <p><b>Coherence.</b> Everything that changes which tier holds a key runs inside one of L1's
 * atomic per-key operations: {@code put}, {@code invalidate} and promotion are
 * {@code asMap().compute} calls, and demotion runs in the eviction listener, which Caffeine calls
 * inside the atomic removal of the evicted entry. L2 is updated from within those operations, so
 * for any one key they are totally ordered: a demotion of an old value either completes before an
 * {@code invalidate} of that key starts (and the invalidate then removes it from L2) or finds
 * nothing to demote. A promotion that races an invalidate likewise either happens first (and is
 * removed from L1) or finds L2 empty. Version checks ({@code put} never replaces a newer version,
 * in either tier) complete the contract of {@link RecordCache}.
 *
 * <p><b>After close</b> every method except {@link #stats()} and {@link #close()} throws
 * {@link IllegalStateException}; a call racing {@code close()} either completes normally or sees
 * an empty cache (off-heap memory is never touched after it was released).
 */
final class TieredCache implements RecordCache {

  private static final Logger LOG = LoggerFactory.getLogger(TieredCache.class);

  /**
   * Estimated heap bytes of one L1 entry besides the value bytes and the key characters: the
   * Caffeine node (~64) and its hash-table node and slot (~40), the key record (24) and its two
   * strings (2 x 40), the entry holder (40), the {@code CachedValue} (32), the {@code Bytes} and
   * {@code Optional} that {@code Storage.getValue} makes once per entry (40) and the value array
   * header (16).
   */
  static final int L1_ENTRY_OVERHEAD = 336;

  /** Compression is kept only if it saves at least 1/16 of the raw length (as the engine does). */
  private static final int MIN_SAVINGS_SHIFT = 4;

  /** One L1 entry. {@code accessNanos} is written racily on reads; a stale value only expires the entry sooner in L2. */
  static final class HeapEntry {
    final CachedValue value;
    final long writeNanos;
    final int weight;
    long accessNanos;

    HeapEntry(CachedValue value, long writeNanos, long accessNanos, int weight) {
      this.value = value;
      this.writeNanos = writeNanos;
      this.accessNanos = accessNanos;
      this.weight = weight;
    }
  }

  private final Cache<CacheKey, HeapEntry> l1;
  private final OffHeapTier l2;
  private final long maxHeapBytes;
  private final Codec codec;
  private final boolean compress;
  private final ExpiryPolicy expiry;
  private final Ticker ticker;
  private final LongAdder l1Hits = new LongAdder();
  private final LongAdder l1Misses = new LongAdder();
  private final LongAdder l1Evictions = new LongAdder();
  private final AtomicBoolean closed = new AtomicBoolean();

  TieredCache(CacheConfig config, TieredOptions options, Ticker ticker) {
    this.maxHeapBytes = config.maxHeapBytes();
    this.codec = config.codec();
    this.compress = options.compress() && codec.id() != 0;
    this.expiry = ExpiryPolicy.of(config.expireAfterWrite(), config.expireAfterAccess());
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.l2 =
        config.maxOffHeapBytes() == 0
            ? null
            : new OffHeapTier(
                config.maxOffHeapBytes(), options.blockBytes(), options.slabBytes(), expiry);
    this.l1 = maxHeapBytes == 0 ? null : buildL1();
  }

  private Cache<CacheKey, HeapEntry> buildL1() {
    Caffeine<CacheKey, HeapEntry> builder =
        Caffeine.newBuilder()
            .maximumWeight(maxHeapBytes)
            .weigher((CacheKey k, HeapEntry e) -> e.weight)
            // maintenance (eviction, demotion) on the calling thread: the bound holds after each
            // write's maintenance and nothing depends on the common pool
            .executor(Runnable::run)
            .ticker(ticker)
            .evictionListener(this::onL1Eviction);
    if (expiry.enabled()) {
      builder.expireAfter(new L1Expiry(expiry));
    }
    return builder.build();
  }

  /**
   * An L1 hit is the hot path and stays small, so that the JIT can inline it into the engine's
   * read; everything else is in {@link #getMissedL1}.
   */
  @Override
  public CachedValue get(String collection, String key) {
    CacheKey k = key(collection, key);
    checkOpen();
    if (l1 != null) {
      HeapEntry hit = l1.getIfPresent(k);
      if (hit != null) {
        l1Hits.increment();
        return hit.value;
      }
    }
    return getMissedL1(k);
  }

  /** An L1 miss (or no L1): look in L2, and promote what it holds into L1. */
  private CachedValue getMissedL1(CacheKey k) {
    if (l1 == null) {
      if (l2 == null) {
        return null;
      }
      OffHeapTier.Copy copy = l2.peek(k, ticker.read());
      return copy == null ? null : decodeOrNull(k, copy);
    }
    l1Misses.increment();
    if (l2 == null) {
      return null;
    }
    if (!l2.mayContain(k)) {
      l2.countMiss();
      return null;
    }
    // promotion: remove from L2 and insert into L1 in one atomic step for this key
    HeapEntry promoted =
        l1.asMap()
            .compute(
                k,
                (kk, current) -> {
                  if (current != null) {
                    // put concurrently since our L1 miss; L2 cannot hold the key now
                    l2.countMiss();
                    return current;
                  }
                  long now = ticker.read();
                  OffHeapTier.Copy copy = l2.take(kk, now);
                  if (copy == null) {
                    return null;
                  }
                  CachedValue value = decodeOrNull(kk, copy);
                  return value == null ? null : heapEntry(kk, value, copy.writeNanos(), now);
                });
    return promoted == null ? null : promoted.value;
  }

  @Override
  public void put(String collection, String key, CachedValue value) {
    CacheKey k = key(collection, key);
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(value.raw(), "value.raw");
    checkOpen();
    long now = ticker.read();
    if (l1 != null) {
      HeapEntry fresh = heapEntry(k, value, now, now);
      l1.asMap()
          .compute(
              k,
              (kk, current) -> {
                if (current != null) {
                  return current.value.version() > value.version() ? current : fresh;
                }
                if (l2 != null && !l2.removeUnlessNewer(kk, value.version())) {
                  return null; // L2 holds a newer version: keep it there
                }
                return fresh;
              });
    } else if (l2 != null) {
      demoteOrStore(k, value, now, now);
    }
  }

  @Override
  public void invalidate(String collection, String key) {
    CacheKey k = key(collection, key);
    checkOpen();
    if (l1 != null) {
      l1.asMap()
          .compute(
              k,
              (kk, current) -> {
                if (l2 != null) {
                  l2.remove(kk);
                }
                return null;
              });
    } else if (l2 != null) {
      l2.remove(k);
    }
  }

  @Override
  public void invalidateAll() {
    checkOpen();
    if (l1 != null) {
      // explicit removals do not demote; an entry evicted meanwhile was demoted before its
      // removal completed and is dropped from L2 below
      l1.invalidateAll();
    }
    if (l2 != null) {
      l2.clear();
    }
  }

  @Override
  public long cleanup() {
    checkOpen();
    long before = l1Bytes() + l2Bytes();
    if (l1 != null) {
      l1.cleanUp();
    }
    if (l2 != null) {
      l2.sweep(ticker.read());
    }
    return Math.max(0, before - (l1Bytes() + l2Bytes()));
  }

  @Override
  public List<CacheTierStats> stats() {
    long l1Entries = l1 == null || closed.get() ? 0 : l1.estimatedSize();
    CacheTierStats heap =
        new CacheTierStats(
            "L1",
            l1Hits.sum(),
            l1Misses.sum(),
            l1Evictions.sum(),
            l1Entries,
            closed.get() ? 0 : l1Bytes(),
            maxHeapBytes);
    long[] c = l2 == null ? new long[5] : l2.counters();
    CacheTierStats offHeap =
        new CacheTierStats("L2", c[0], c[1], c[2], c[3], c[4], l2 == null ? 0 : l2.maxBytes());
    return List.of(heap, offHeap);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (l1 != null) {
      l1.invalidateAll();
      l1.cleanUp();
    }
    if (l2 != null) {
      l2.close();
    }
  }

  /** Direct memory L2 holds reserved now, for tests. */
  long offHeapReservedBytes() {
    return l2 == null ? 0 : l2.reservedBytes();
  }

  /** L2's slab buffers, for tests. */
  java.util.List<java.nio.ByteBuffer> offHeapBuffersForTest() {
    return l2 == null ? java.util.List.of() : l2.slabBuffersForTest();
  }

  /** L2's keys and versions, for tests. */
  java.util.Map<CacheKey, Long> l2VersionsForTest() {
    return l2 == null ? java.util.Map.of() : l2.versionsForTest();
  }

  private void onL1Eviction(CacheKey key, HeapEntry entry, RemovalCause cause) {
    if (cause != RemovalCause.SIZE || entry == null) {
      return; // expired entries are dropped, not demoted
    }
    l1Evictions.increment();
    if (l2 == null || closed.get()) {
      return;
    }
    try {
      demoteOrStore(key, entry.value, entry.writeNanos, entry.accessNanos);
    } catch (RuntimeException e) {
      LOG.warn("could not demote {}/{} to the off-heap tier", key.collection(), key.key(), e);
    }
  }

  /** Encodes outside the L2 lock, then stores (with the version check). */
  private void demoteOrStore(CacheKey key, CachedValue value, long writeNanos, long accessNanos) {
    byte[] raw = value.raw();
    byte[] stored = raw;
    boolean compressed = false;
    if (compress && raw.length > 0) {
      byte[] encoded = codec.encode(raw);
      if (encoded.length <= raw.length - (raw.length >>> MIN_SAVINGS_SHIFT)
          && encoded.length < raw.length) {
        stored = encoded;
        compressed = true;
      }
    }
    l2.store(key, value.version(), stored, raw.length, compressed, writeNanos, accessNanos,
        value.expiresAtMillis());
  }

  private CachedValue decodeOrNull(CacheKey key, OffHeapTier.Copy copy) {
    if (!copy.compressed()) {
      return new CachedValue(copy.version(), copy.stored(), copy.expiresAtMillis());
    }
    try {
      return new CachedValue(copy.version(), codec.decode(copy.stored(), copy.rawLength()),
          copy.expiresAtMillis());
    } catch (RuntimeException e) {
      // only our own bytes are decoded here; treat a failure as a miss, never return bad bytes
      LOG.warn(
          "dropping undecodable off-heap entry {}/{}", key.collection(), key.key(), e);
      return null;
    }
  }

  private HeapEntry heapEntry(CacheKey key, CachedValue value, long writeNanos, long now) {
    long weight =
        (long) value.raw().length
            + L1_ENTRY_OVERHEAD
            + key.collection().length()
            + key.key().length();
    return new HeapEntry(value, writeNanos, now, (int) Math.min(Integer.MAX_VALUE, weight));
  }

  private long l1Bytes() {
    if (l1 == null) {
      return 0;
    }
    return l1.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  private long l2Bytes() {
    return l2 == null ? 0 : l2.usedBytes();
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("cache is closed");
    }
  }

  private static CacheKey key(String collection, String key) {
    if (collection == null) {
      throw new IllegalArgumentException("collection must not be null");
    }
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    return new CacheKey(collection, key);
  }

  /** L1's expiry: the shared limits, computed from the entry's own write and access times. */
  private static final class L1Expiry implements Expiry<CacheKey, HeapEntry> {
    private final ExpiryPolicy policy;

    L1Expiry(ExpiryPolicy policy) {
      this.policy = policy;
    }

    @Override
    public long expireAfterCreate(CacheKey key, HeapEntry entry, long currentTime) {
      return policy.remaining(entry.writeNanos, entry.accessNanos, currentTime);
    }

    @Override
    public long expireAfterUpdate(
        CacheKey key, HeapEntry entry, long currentTime, long currentDuration) {
      return policy.remaining(entry.writeNanos, entry.accessNanos, currentTime);
    }

    @Override
    public long expireAfterRead(
        CacheKey key, HeapEntry entry, long currentTime, long currentDuration) {
      if (!policy.afterAccessEnabled()) {
        return currentDuration;
      }
      entry.accessNanos = currentTime;
      return policy.remaining(entry.writeNanos, currentTime, currentTime);
    }
  }
}
