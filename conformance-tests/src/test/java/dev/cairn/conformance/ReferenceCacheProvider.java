package dev.cairn.conformance;

import dev.cairn.storage.CacheTierStats;
import dev.cairn.storage.spi.CacheConfig;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.RecordCache;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A correct one-tier cache used to prove the kit: a ConcurrentHashMap bounded by the heap bound
 * in bytes (value length plus a fixed overhead), evicting arbitrary entries when over it.
 * A {@link Defect} turns it into a broken fixture the kit must reject.
 */
final class ReferenceCacheProvider implements CacheProvider {

  /** Deliberate defects. */
  enum Defect {
    NONE,
    /** invalidate does nothing. */
    IGNORES_INVALIDATE
  }

  static final long ENTRY_OVERHEAD = 64;

  private final Defect defect;

  ReferenceCacheProvider() {
    this(Defect.NONE);
  }

  ReferenceCacheProvider(Defect defect) {
    this.defect = defect;
  }

  @Override
  public String name() {
    return defect == Defect.NONE ? "reference" : "broken-" + defect.name().toLowerCase();
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of();
  }

  @Override
  public RecordCache create(CacheConfig config) {
    return new MapCache(config.maxHeapBytes(), defect);
  }

  private record Key(String collection, String key) {}

  private static final class MapCache implements RecordCache {
    private final ConcurrentHashMap<Key, CachedValue> map = new ConcurrentHashMap<>();
    private final long maxBytes;
    private final Defect defect;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();

    MapCache(long maxBytes, Defect defect) {
      this.maxBytes = maxBytes;
      this.defect = defect;
    }

    private static long weight(CachedValue v) {
      return v.raw().length + ENTRY_OVERHEAD;
    }

    @Override
    public CachedValue get(String collection, String key) {
      CachedValue v = map.get(new Key(collection, key));
      (v == null ? misses : hits).incrementAndGet();
      return v;
    }

    @Override
    public void put(String collection, String key, CachedValue value) {
      if (weight(value) > maxBytes) {
        return;
      }
      CachedValue copy =
          new CachedValue(value.version(), value.raw().clone(), value.expiresAtMillis());
      map.compute(new Key(collection, key), (k, old) -> {
        if (old != null && old.version() > copy.version()) {
          return old;
        }
        bytes.addAndGet(weight(copy) - (old == null ? 0 : weight(old)));
        return copy;
      });
      evictIfNeeded();
    }

    private void evictIfNeeded() {
      Iterator<Map.Entry<Key, CachedValue>> it = map.entrySet().iterator();
      while (bytes.get() > maxBytes && it.hasNext()) {
        Map.Entry<Key, CachedValue> e = it.next();
        if (map.remove(e.getKey(), e.getValue())) {
          bytes.addAndGet(-weight(e.getValue()));
          evictions.incrementAndGet();
        }
      }
    }

    private void remove(Key k) {
      map.computeIfPresent(k, (key, old) -> {
        bytes.addAndGet(-weight(old));
        return null;
      });
    }

    @Override
    public void invalidate(String collection, String key) {
      if (defect == Defect.IGNORES_INVALIDATE) {
        return;
      }
      remove(new Key(collection, key));
    }

    @Override
    public void invalidateAll() {
      map.keySet().forEach(this::remove);
    }

    @Override
    public long cleanup() {
      long before = bytes.get();
      evictIfNeeded();
      return Math.max(0, before - bytes.get());
    }

    @Override
    public List<CacheTierStats> stats() {
      return List.of(new CacheTierStats("heap", hits.get(), misses.get(), evictions.get(),
          map.size(), bytes.get(), maxBytes));
    }

    @Override
    public void close() {
      invalidateAll();
    }
  }
}
