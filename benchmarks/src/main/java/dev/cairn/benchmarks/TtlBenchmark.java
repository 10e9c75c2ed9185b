package dev.cairn.benchmarks;

import dev.cairn.storage.Bytes;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import java.time.Duration;
import java.util.Optional;
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
 *   <li>{@code durableWrite}: {@code putBytes} of a new key into SQLite with {@code SYNC}
 *       durability: what the expiry index entry (a second B-tree's page in the commit) costs
 *       a commit that waits for the disk;
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
public class TtlBenchmark extends ReadWriteStores {

  private static final Duration DAY = Duration.ofDays(1);

  /** none: no record ever had a TTL; ttl: every record has one. */
  @Param({"none", "ttl"})
  public String expiry;

  private Storage durable;

  @Setup(Level.Trial)
  public void setUp() {
    openStores("ttl", (builder, name) -> builder);
    durable = Storage.builder().directory(root.resolve("durable")).backend("sqlite")
        .durability(Durability.SYNC).noScheduledMaintenance().open();
  }

  @Override
  void put(Storage s, String collection, String key, byte[] v) {
    if (expiry.equals("ttl")) {
      s.putBytes(collection, key, v, DAY);
    } else {
      s.putBytes(collection, key, v);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    durable.close();
    closeStores();
  }

  @Benchmark
  public void durableWrite() {
    writeNew(durable);
  }

  @Benchmark
  public void write() {
    writeNew();
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
