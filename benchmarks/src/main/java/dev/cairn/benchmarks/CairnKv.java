package dev.cairn.benchmarks;

import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.ValueMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The same workload through {@link Storage}: identity codec, no cache (unless asked), dedup on
 * (global), values above the inline threshold (so every value is a content-addressed blob),
 * SHA-256 verification on every read (the default), SYNC durability.
 */
final class CairnKv implements Kv {

  static final String COLLECTION = "bench";
  private static final int PAGE = 256;

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
    StorageBuilder b = Storage.builder().directory(dir).backend(backend).codec("identity")
        .valueMapper(BYTES).noScheduledMaintenance();
    String window = System.getenv("CAIRN_BENCH_GROUP_WINDOW_US");
    if (window != null && !window.isBlank()) {
      b.groupCommitWindow(java.time.Duration.ofNanos(Long.parseLong(window.trim()) * 1000));
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
    long n = 0;
    Iterator<String> keys = storage.keys(COLLECTION, "").iterator();
    List<String> page = new ArrayList<>(PAGE);
    while (keys.hasNext()) {
      page.add(keys.next());
      if (page.size() == PAGE || !keys.hasNext()) {
        Map<String, byte[]> values = storage.getAll(COLLECTION, page, byte[].class);
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
          bh.consume(e.getKey());
          bh.consume(e.getValue());
          n++;
        }
        page.clear();
      }
    }
    return n;
  }

  @Override
  public void close() {
    storage.close();
  }
}
