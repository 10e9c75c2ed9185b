package dev.cairn.backend.h2;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Helpers shared by the H2 tests. */
final class H2TestSupport {

  static final Set<String> KEYSPACES = Set.of("records", "blobs", "meta");

  private H2TestSupport() {}

  static Backend open(Path dir) {
    return open(dir, Map.of());
  }

  static Backend open(Path dir, Map<String, String> options) {
    return new H2BackendProvider().open(new BackendConfig(dir, KEYSPACES, options));
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  static void put(Backend backend, String keyspace, String key, String value) {
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put(keyspace, b(key), b(value));
      tx.commit(Durability.SYNC);
    }
  }

  static String get(Backend backend, String keyspace, String key) {
    try (BackendTransaction tx = backend.beginRead()) {
      return s(tx.get(keyspace, b(key)));
    }
  }

  /** The keys of a scan, in cursor order. */
  static List<byte[]> keys(BackendTransaction tx, String keyspace, byte[] from, byte[] to) {
    List<byte[]> out = new ArrayList<>();
    try (BackendCursor c = tx.scan(keyspace, from, to)) {
      while (c.next()) {
        out.add(c.key());
      }
    }
    return out;
  }
}
