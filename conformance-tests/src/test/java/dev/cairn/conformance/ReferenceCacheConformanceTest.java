package dev.cairn.conformance;

import dev.cairn.storage.spi.CacheProvider;

/** The kit passes for a correct bounded one-tier cache. */
final class ReferenceCacheConformanceTest extends CacheConformanceKit {
  @Override
  protected CacheProvider provider() {
    return new ReferenceCacheProvider();
  }
}
