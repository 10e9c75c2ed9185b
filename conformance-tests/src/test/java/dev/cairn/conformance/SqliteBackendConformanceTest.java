package dev.cairn.conformance;

import dev.cairn.backend.sqlite.SqliteBackendProvider;
import dev.cairn.storage.spi.BackendProvider;

/** The built-in sqlite backend against the backend kit. */
final class SqliteBackendConformanceTest extends BackendConformanceKit {
  @Override
  protected BackendProvider provider() {
    return new SqliteBackendProvider();
  }
}
