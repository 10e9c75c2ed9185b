package dev.cairn.backend.lmdb;

import dev.cairn.conformance.BackendConformanceKit;
import dev.cairn.storage.spi.BackendProvider;

/** The built-in lmdb backend against the backend kit. */
final class LmdbBackendConformanceTest extends BackendConformanceKit {
  @Override
  protected BackendProvider provider() {
    return new LmdbBackendProvider();
  }
}
