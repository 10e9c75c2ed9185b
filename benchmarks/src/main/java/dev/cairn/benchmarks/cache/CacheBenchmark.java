package dev.cairn.benchmarks.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cairn.cache.tiered.TieredCacheProvider;
import dev.cairn.storage.internal.IdentityCodecProvider;
import dev.cairn.storage.spi.CacheConfig;
import dev.cairn.storage.spi.RecordCache;
import dev.cairn.storage.spi.RecordCache.CachedValue;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The tiered cache against bare Caffeine, 1 KiB values, 1024 keys, one thread.
 *
 * <ul>
 *   <li>{@code l1HitTiered} vs {@code l1HitCaffeine}: a heap hit through {@link RecordCache} vs
 *       {@code Cache.getIfPresent} on a Caffeine cache configured the same way.
 *   <li>{@code l2HitOffHeapOnly}: L1 disabled, every lookup copies the value out of off-heap
 *       blocks (identity codec: no decompression).
 *   <li>{@code l2HitWithPromotion}: L1 holds 8 of the 1024 keys, so a lookup promotes from L2 and
 *       demotes another entry to L2: the cost of a miss in L1 that L2 answers.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CacheBenchmark {

  private static final int KEYS = 1024;
  private static final int VALUE_BYTES = 1024;

  private String[] keys;
  private RecordCache heapHits;
  private Cache<String, CachedValue> caffeine;
  private RecordCache offHeapOnly;
  private RecordCache promoting;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    keys = new String[KEYS];
    Random random = new Random(1);
    CachedValue[] values = new CachedValue[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "key-" + i;
      byte[] raw = new byte[VALUE_BYTES];
      random.nextBytes(raw);
      values[i] = new CachedValue(i + 1, raw);
    }
    TieredCacheProvider provider = new TieredCacheProvider();
    heapHits = provider.create(config(64L << 20, 0));
    caffeine =
        Caffeine.newBuilder()
            .maximumWeight(64L << 20)
            .weigher((String k, CachedValue v) -> v.raw().length + 64)
            .executor(Runnable::run)
            .build();
    offHeapOnly = provider.create(config(0, 64L << 20));
    promoting = provider.create(config(8L * (VALUE_BYTES + 400), 64L << 20));
    for (int i = 0; i < KEYS; i++) {
      heapHits.put("bench", keys[i], values[i]);
      caffeine.put(keys[i], values[i]);
      offHeapOnly.put("bench", keys[i], values[i]);
      promoting.put("bench", keys[i], values[i]);
    }
  }

  private static CacheConfig config(long heap, long offHeap) {
    return new CacheConfig(heap, offHeap, null, null, IdentityCodecProvider.CODEC, Map.of());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    heapHits.close();
    offHeapOnly.close();
    promoting.close();
  }

  private String nextKey() {
    next = (next + 1) & (KEYS - 1);
    return keys[next];
  }

  @Benchmark
  public CachedValue l1HitTiered() {
    return heapHits.get("bench", nextKey());
  }

  @Benchmark
  public CachedValue l1HitCaffeine() {
    return caffeine.getIfPresent(nextKey());
  }

  @Benchmark
  public CachedValue l2HitOffHeapOnly() {
    return offHeapOnly.get("bench", nextKey());
  }

  @Benchmark
  public CachedValue l2HitWithPromotion() {
    return promoting.get("bench", nextKey());
  }
}
