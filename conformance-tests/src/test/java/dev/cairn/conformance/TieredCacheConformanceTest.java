package dev.cairn.conformance;

import dev.cairn.cache.tiered.TieredCacheProvider;
import dev.cairn.storage.spi.CacheProvider;

/** The built-in tiered cache against the cache kit. */
final class TieredCacheConformanceTest extends CacheConformanceKit {
  @Override
  protected CacheProvider provider() {
    return new TieredCacheProvider();
  }
}
