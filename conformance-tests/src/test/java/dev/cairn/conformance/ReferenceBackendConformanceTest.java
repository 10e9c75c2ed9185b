package dev.cairn.conformance;

import dev.cairn.storage.spi.BackendProvider;

/** The kit passes for a correct in-memory backend (durability tests are skipped: not DURABLE). */
final class ReferenceBackendConformanceTest extends BackendConformanceKit {
  @Override
  protected BackendProvider provider() {
    return new ReferenceBackendProvider();
  }
}
