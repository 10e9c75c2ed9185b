package dev.cairn.cache.tiered;

import dev.cairn.conformance.CacheConformanceKit;
import dev.cairn.storage.spi.CacheProvider;

/** The built-in tiered cache against the cache kit. */
final class TieredCacheConformanceTest extends CacheConformanceKit {
  @Override
  protected CacheProvider provider() {
    return new TieredCacheProvider();
  }
}
