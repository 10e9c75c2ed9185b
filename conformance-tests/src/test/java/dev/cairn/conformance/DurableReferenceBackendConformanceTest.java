package dev.cairn.conformance;

import dev.cairn.storage.spi.BackendProvider;

/**
 * The backend kit on the durable reference backend (an append-only commit log): the positive
 * control of the crash recovery group, whose broken twins must fail.
 */
final class DurableReferenceBackendConformanceTest extends BackendConformanceKit {
  @Override
  protected BackendProvider provider() {
    return new ReferenceBackendProvider.Durable();
  }
}
