package dev.cairn.conformance;

import dev.cairn.backend.lmdb.LmdbBackendProvider;
import dev.cairn.storage.spi.BackendProvider;

/** The built-in lmdb backend against the backend kit. */
final class LmdbBackendConformanceTest extends BackendConformanceKit {
  @Override
  protected BackendProvider provider() {
    return new LmdbBackendProvider();
  }
}
