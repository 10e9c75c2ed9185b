package dev.cairn.benchmarks;

import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * The stores {@link ObservabilityBench} and {@link TtlBenchmark} measure: {@code cached} (LMDB
 * with the tiered cache, every record cached), {@code uncached} (LMDB without a cache: every
 * read goes to the backend) and {@code writes} (H2: LMDB and SQLite sync even {@code ASYNC}
 * commits' data, which would bury a small cost under the fsync), all with {@code ASYNC}
 * durability; 1,024 records of 1 KiB in the first two.
 */
abstract class ReadWriteStores {

  static final int KEYS = 1024;

  Path root;
  Storage cached;
  Storage uncached;
  Storage writes;
  private String[] keys;
  private byte[] value;
  private int next;
  private long written;

  /**
   * Opens the three stores in a fresh directory {@code name}, each builder passed through
   * {@code configure} with the store's name, and writes the records (through {@link #put}).
   */
  void openStores(String name, BiFunction<StorageBuilder, String, StorageBuilder> configure) {
    root = BenchDirs.fresh(name);
    cached = configure.apply(builder(root.resolve("cached")).cache("tiered"), "cached").open();
    uncached = configure.apply(builder(root.resolve("uncached")), "uncached").open();
    writes = configure.apply(builder(root.resolve("writes")).backend("h2"), "writes").open();
    keys = new String[KEYS];
    Random random = new Random(1);
    value = new byte[1024];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "player-" + i;
      byte[] v = new byte[1024];
      random.nextBytes(v);
      put(cached, "bench", keys[i], v);
      cached.getBytes("bench", keys[i]); // populate the cache
      put(uncached, "bench", keys[i], v);
    }
    random.nextBytes(value);
  }

  /** How the benchmark writes a record. */
  void put(Storage s, String collection, String key, byte[] v) {
    s.putBytes(collection, key, v);
  }

  private static StorageBuilder builder(Path dir) {
    return Storage.builder().directory(dir).backend("lmdb").durability(Durability.ASYNC)
        .noScheduledMaintenance();
  }

  void closeStores() {
    cached.close();
    uncached.close();
    writes.close();
    BenchDirs.delete(root);
  }

  /** The next of the records' keys, round robin. */
  String nextKey() {
    next = (next + 1) & (KEYS - 1);
    return keys[next];
  }

  /** Writes a new 1 KiB value under a new key of {@code writes}. */
  void writeNew() {
    writeNew(writes);
  }

  /** Writes a new 1 KiB value under a new key of {@code target}, through {@link #put}. */
  void writeNew(Storage target) {
    // a new key each time; the value's first bytes make each content new (no dedup hit)
    long n = written++;
    value[0] = (byte) n;
    value[1] = (byte) (n >>> 8);
    value[2] = (byte) (n >>> 16);
    value[3] = (byte) (n >>> 24);
    put(target, "written", "w" + n, value);
  }
}
