package dev.cairn.conformance;

import dev.cairn.storage.StorageBuilder;
import java.util.List;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link StorageConformanceKit} on this module's reference plugins: the in-memory reference
 * backend (not durable: its reopen tests skip) with the identity codec and the
 * ServiceLoader-registered {@code kit-rle} test codec, without a cache and with the bounded
 * reference cache (small, so that the concurrency tests also run through eviction). The kit
 * runs against the engine here without any real plugin; the real backend × codec × cache
 * matrix is integration-tests' {@code StorageMatrixTest}.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {
    "reference/identity/none", "reference/identity/reference",
    "reference/kit-rle/none", "reference/kit-rle/reference"})
final class ReferenceStorageConformanceTest extends StorageConformanceKit {

  private final String codec;
  private final boolean cache;

  ReferenceStorageConformanceTest(String combination) {
    List<String> parts = List.of(combination.split("/"));
    this.codec = parts.get(1);
    this.cache = parts.get(2).equals("reference");
  }

  @Override
  protected StorageBuilder configure(StorageBuilder b) {
    b.backend(new ReferenceBackendProvider()).codec(codec);
    if (cache) {
      b.cache(new ReferenceCacheProvider()).cacheMaxHeapBytes(64 << 10);
    } else {
      b.noCache();
    }
    return b;
  }
}
