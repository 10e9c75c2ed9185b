package dev.cairn.backend.sqlite;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Helpers shared by the SQLite backend tests. */
final class SqliteTestSupport {

  static final Set<String> KEYSPACES = Set.of("records", "blobs", "meta");

  private SqliteTestSupport() {}

  static SqliteBackend open(Path dir, String... options) {
    return (SqliteBackend) new SqliteBackendProvider().open(config(dir, options));
  }

  static BackendConfig config(Path dir, String... options) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < options.length; i += 2) {
      opts.put(options[i], options[i + 1]);
    }
    return new BackendConfig(dir, KEYSPACES, opts);
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  static void put(SqliteBackend backend, String keyspace, String key, String value) {
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put(keyspace, b(key), b(value));
      tx.commit(Durability.SYNC);
    }
  }

  static String get(SqliteBackend backend, String keyspace, String key) {
    try (BackendTransaction tx = backend.beginRead()) {
      return s(tx.get(keyspace, b(key)));
    }
  }
}
