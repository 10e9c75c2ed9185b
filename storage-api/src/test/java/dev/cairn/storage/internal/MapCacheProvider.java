package dev.cairn.storage.internal;

import dev.cairn.storage.CacheTierStats;
import dev.cairn.storage.spi.CacheConfig;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.RecordCache;
import dev.cairn.storage.spi.RecordCache.CachedValue;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** An unbounded map cache for engine tests (the real cache lives in cache-tiered). */
final class MapCacheProvider implements CacheProvider {

  @Override
  public String name() {
    return "map";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of();
  }

  @Override
  public RecordCache create(CacheConfig config) {
    Map<String, CachedValue> map = new ConcurrentHashMap<>();
    java.util.concurrent.atomic.LongAdder hits = new java.util.concurrent.atomic.LongAdder();
    java.util.concurrent.atomic.LongAdder misses = new java.util.concurrent.atomic.LongAdder();
    return new RecordCache() {
      @Override
      public CachedValue get(String collection, String key) {
        CachedValue v = map.get(collection + "\u0000" + key);
        (v == null ? misses : hits).increment();
        return v;
      }

      @Override
      public void put(String collection, String key, CachedValue value) {
        map.merge(collection + "\u0000" + key, value, (old, v) -> v.version() >= old.version() ? v : old);
      }

      @Override
      public void invalidate(String collection, String key) {
        map.remove(collection + "\u0000" + key);
      }

      @Override
      public void invalidateAll() {
        map.clear();
      }

      @Override
      public long cleanup() {
        return 0;
      }

      @Override
      public List<CacheTierStats> stats() {
        return List.of(new CacheTierStats("map", hits.sum(), misses.sum(), 0, map.size(), 0, 0));
      }

      @Override
      public void close() {
        map.clear();
      }
    };
  }
}
