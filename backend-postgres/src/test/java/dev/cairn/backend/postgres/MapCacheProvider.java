package dev.cairn.backend.postgres;

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
import java.util.concurrent.atomic.AtomicLong;

/**
 * An unbounded map cache for tests (this module depends on no cache module): entries stay until
 * invalidated, so a missed invalidation shows up as a stale read.
 */
final class MapCacheProvider implements CacheProvider {

  final AtomicLong hits = new AtomicLong();

  @Override
  public String name() {
    return "test-map";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of();
  }

  @Override
  public RecordCache create(CacheConfig config) {
    Map<String, CachedValue> map = new ConcurrentHashMap<>();
    return new RecordCache() {
      @Override
      public CachedValue get(String collection, String key) {
        CachedValue v = map.get(collection + "\u0000" + key);
        if (v != null) {
          hits.incrementAndGet();
        }
        return v;
      }

      @Override
      public void put(String collection, String key, CachedValue value) {
        map.put(collection + "\u0000" + key, value);
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
        return List.of();
      }

      @Override
      public void close() {
        map.clear();
      }
    };
  }
}
