package dev.cairn.cache.tiered;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.cairn.storage.CacheTierStats;
import dev.cairn.storage.internal.IdentityCodecProvider;
import dev.cairn.storage.spi.CacheConfig;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.RecordCache.CachedValue;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

/** Test helpers. */
final class Caches {

  /** Weight of a value of {@code rawLength} under collection "c" and a two-character key. */
  static long l1Weight(int rawLength) {
    return rawLength + TieredCache.L1_ENTRY_OVERHEAD + 1 + 2;
  }

  private Caches() {}

  static TieredCache open(long heap, long offHeap) {
    return open(heap, offHeap, IdentityCodecProvider.CODEC, null, null, Map.of(), Ticker.systemTicker());
  }

  static TieredCache open(
      long heap,
      long offHeap,
      Codec codec,
      Duration afterWrite,
      Duration afterAccess,
      Map<String, String> options,
      Ticker ticker) {
    return (TieredCache)
        TieredCacheProvider.create(
            new CacheConfig(heap, offHeap, afterWrite, afterAccess, codec, options), ticker);
  }

  static CachedValue value(long version, int length, long seed) {
    byte[] raw = new byte[length];
    new Random(seed).nextBytes(raw);
    return new CachedValue(version, raw);
  }

  static CachedValue zeros(long version, int length) {
    return new CachedValue(version, new byte[length]);
  }

  static CacheTierStats l1(TieredCache cache) {
    return cache.stats().get(0);
  }

  static CacheTierStats l2(TieredCache cache) {
    return cache.stats().get(1);
  }
}
