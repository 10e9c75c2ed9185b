package dev.cairn.backend.sqlite;

import dev.cairn.conformance.BackendConformanceKit;
import dev.cairn.storage.spi.BackendProvider;

/** The built-in sqlite backend against the backend kit. */
final class SqliteBackendConformanceTest extends BackendConformanceKit {
  @Override
  protected BackendProvider provider() {
    return new SqliteBackendProvider();
  }
}
