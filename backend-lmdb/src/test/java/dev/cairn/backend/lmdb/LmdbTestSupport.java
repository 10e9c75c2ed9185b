package dev.cairn.backend.lmdb;

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

/** Helpers shared by the LMDB tests. */
final class LmdbTestSupport {

  static final Set<String> KEYSPACES = Set.of("records", "blobs", "meta");

  private LmdbTestSupport() {}

  static Backend open(Path dir) {
    return open(dir, Map.of());
  }

  static Backend open(Path dir, Map<String, String> options) {
    return new LmdbBackendProvider().open(new BackendConfig(dir, KEYSPACES, options));
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  static void put(Backend backend, String keyspace, byte[] key, byte[] value) {
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put(keyspace, key, value);
      tx.commit(Durability.SYNC);
    }
  }

  static byte[] get(Backend backend, String keyspace, byte[] key) {
    try (BackendTransaction tx = backend.beginRead()) {
      return tx.get(keyspace, key);
    }
  }

  /** Every key of the range, in scan order. */
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
