package dev.cairn.benchmarks;

import dev.cairn.storage.Bytes;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What expiring records cost, against the same stores without them ({@code expiry}:
 * {@code none}, a store that never used a TTL, or {@code ttl}, where every record was written
 * with a TTL of a day, none expired). Identity codec, 1 KiB values, 1,024 records:
 *
 * <ul>
 *   <li>{@code write}: {@code putBytes} of a new key into H2 with {@code ASYNC} durability (its
 *       commits do not wait for the disk, so a small cost shows; LMDB and SQLite sync even
 *       {@code ASYNC} data) — with a TTL: 8 more bytes in the record and an expiry index entry;
 *   <li>{@code pointRead}: {@code getValue} from an LMDB store without a cache (a backend read;
 *       with a TTL the record's expiry is compared with the clock);
 *   <li>{@code cacheHit}: {@code getValue} answered by the tiered cache's heap tier (with a TTL
 *       the entry's expiry is compared with the clock);
 *   <li>{@code count} and {@code scanKeys}: {@code count} and every key of the collection
 *       (LMDB): one seek in the expiry index, which finds nothing expired in both cases.
 * </ul>
 *
 * Results: benchmarks/README.md, "Time to live".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class TtlBenchmark {

  private static final int KEYS = 1024;
  private static final Duration DAY = Duration.ofDays(1);

  /** none: no record ever had a TTL; ttl: every record has one. */
  @Param({"none", "ttl"})
  public String expiry;

  private Path root;
  private Storage cached;
  private Storage uncached;
  private Storage writes;
  private String[] keys;
  private byte[] value;
  private int next;
  private long written;

  @Setup(Level.Trial)
  public void setUp() {
    root = BenchDirs.fresh("ttl");
    cached = builder(root.resolve("cached")).cache("tiered").open();
    uncached = builder(root.resolve("uncached")).open();
    writes = builder(root.resolve("writes")).backend("h2").open();
    keys = new String[KEYS];
    Random random = new Random(1);
    value = new byte[1024];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "session-" + i;
      byte[] v = new byte[1024];
      random.nextBytes(v);
      for (Storage s : List.of(cached, uncached)) {
        put(s, "bench", keys[i], v);
      }
      cached.getBytes("bench", keys[i]); // populate the cache
    }
    random.nextBytes(value);
  }

  private void put(Storage s, String collection, String key, byte[] v) {
    if (expiry.equals("ttl")) {
      s.putBytes(collection, key, v, DAY);
    } else {
      s.putBytes(collection, key, v);
    }
  }

  private static StorageBuilder builder(Path dir) {
    return Storage.builder().directory(dir).backend("lmdb").durability(Durability.ASYNC)
        .noScheduledMaintenance();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cached.close();
    uncached.close();
    writes.close();
    BenchDirs.delete(root);
  }

  private String nextKey() {
    next = (next + 1) & (KEYS - 1);
    return keys[next];
  }

  @Benchmark
  public void write() {
    // a new key each time; the value's first bytes make each content new (no dedup hit)
    long n = written++;
    value[0] = (byte) n;
    value[1] = (byte) (n >>> 8);
    value[2] = (byte) (n >>> 16);
    value[3] = (byte) (n >>> 24);
    put(writes, "written", "w" + n, value);
  }

  @Benchmark
  public Optional<Bytes> pointRead() {
    return uncached.getValue("bench", nextKey());
  }

  @Benchmark
  public Optional<Bytes> cacheHit() {
    return cached.getValue("bench", nextKey());
  }

  @Benchmark
  public long count() {
    return uncached.count("bench");
  }

  @Benchmark
  public long scanKeys() {
    try (Stream<String> k = uncached.keys("bench", "")) {
      return k.count();
    }
  }
}
