package dev.cairn.backend.postgres;

import dev.cairn.conformance.BackendConformanceKit;
import dev.cairn.storage.spi.BackendProvider;
import java.util.Map;

/**
 * The built-in postgres backend against the backend kit, on a real server started once per JVM
 * ({@link TestPostgres}). Every open of a new directory gets a new schema; reopening a directory
 * follows its descriptor back to the same schema.
 */
final class PostgresBackendConformanceTest extends BackendConformanceKit {
  @Override
  protected BackendProvider provider() {
    return new PostgresBackendProvider();
  }

  @Override
  protected Map<String, String> options() {
    return TestPostgres.get().freshOptions("kit");
  }
}
