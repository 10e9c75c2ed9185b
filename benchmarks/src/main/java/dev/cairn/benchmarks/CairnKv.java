package dev.cairn.benchmarks;

import dev.cairn.storage.DedupMode;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.ValueMapper;
import java.nio.file.Path;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The same workload through {@link Storage}: identity codec, no cache (unless asked), dedup on
 * (global, {@link DedupMode#DEFERRED} unless a mode is given: values above the inline threshold
 * stay in their records with their SHA-256), the default verification (CRC32C on every read,
 * SHA-256 on a sample), SYNC durability, no scheduled maintenance.
 */
final class CairnKv implements Kv {

  static final String COLLECTION = "bench";

  /** Passes byte[] through, so getAll can return raw bytes (the JSON mapper would parse them). */
  private static final ValueMapper BYTES = new ValueMapper() {
    @Override
    public byte[] write(Object value) {
      return (byte[]) value;
    }

    @Override
    public <T> T read(byte[] bytes, Class<T> type) {
      return type.cast(bytes);
    }
  };

  final Storage storage;

  CairnKv(String backend, Path dir, boolean withCache) {
    this(backend, dir, withCache, null);
  }

  /** With {@code dedupMode} for the whole store, or the builder's default if null. */
  CairnKv(String backend, Path dir, boolean withCache, DedupMode dedupMode) {
    StorageBuilder b = Storage.builder().directory(dir).backend(backend).codec("identity")
        .valueMapper(BYTES).noScheduledMaintenance();
    if (dedupMode != null) {
      b.dedupMode(dedupMode);
    }
    String window = System.getenv("CAIRN_BENCH_GROUP_WINDOW_US");
    if (window != null && !window.isBlank()) {
      b.groupCommitWindow(java.time.Duration.ofNanos(Long.parseLong(window.trim()) * 1000));
    }
    String accessStatistics = System.getProperty("cairn.bench.accessStatistics");
    if (accessStatistics != null) { // to measure what they cost: the default is off
      b.accessStatistics(Boolean.parseBoolean(accessStatistics));
    }
    if (withCache) {
      b.cache("tiered");
    } else {
      b.noCache();
    }
    storage = b.open();
  }

  @Override
  public void putBatch(String[] keys, byte[][] values) {
    storage.transaction(tx -> {
      for (int i = 0; i < keys.length; i++) {
        tx.putBytes(COLLECTION, keys[i], values[i]);
      }
      return null;
    });
  }

  @Override
  public void putOne(String key, byte[] value) {
    storage.putBytes(COLLECTION, key, value);
  }

  @Override
  public void putOneGroup(String key, byte[] value) {
    storage.transaction(Durability.GROUP, tx -> {
      tx.putBytes(COLLECTION, key, value);
      return null;
    });
  }

  @Override
  public byte[] get(String key) {
    return Kv.require(storage.getBytes(COLLECTION, key).orElse(null), key);
  }

  @Override
  public long scanKeys(Blackhole bh) {
    long[] n = {0};
    storage.keys(COLLECTION, "").forEach(k -> {
      bh.consume(k);
      n[0]++;
    });
    return n[0];
  }

  @Override
  public long scanAll(Blackhole bh) {
    long[] n = {0};
    try (var entries = storage.entries(COLLECTION, "")) {
      entries.forEach(e -> {
        bh.consume(e.getKey());
        bh.consume(e.getValue());
        n[0]++;
      });
    }
    return n[0];
  }

  @Override
  public void close() {
    storage.close();
  }
}
