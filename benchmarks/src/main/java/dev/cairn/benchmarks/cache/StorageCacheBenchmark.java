package dev.cairn.benchmarks.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cairn.storage.Bytes;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Reads of a 1 KiB value through {@link Storage} (SQLite backend, identity codec), measured in
 * one run against their baselines:
 *
 * <ul>
 *   <li>{@code storageL1Hit*} — the tiered cache's heap tier answers — vs
 *       {@code caffeineGetIfPresent}, a bare Caffeine lookup of the same value by a {@code String}
 *       key (target: within 3x). {@code storageL1HitValue} reads through
 *       {@link Storage#getValue}, which allocates nothing on a hit; {@code storageL1HitBuffer}
 *       through {@link Storage#getBuffer} (a new read-only buffer per read); {@code storageL1Hit}
 *       through {@link Storage#getBytes} (a copy per read), from a store opened with
 *       {@code accessStatistics(true)}; the {@code NoAccessStats} variants read a store without
 *       them (the default).
 *   <li>{@code storageL2Hit} — heap tier disabled, the off-heap tier answers — vs
 *       {@code storageBackendRead}, the same store without a cache (target: L2 faster).
 * </ul>
 *
 * Every Storage read includes what any caller pays: argument checks, the closed and
 * transaction checks, the cache's per-tier hit counter and, where turned on, access
 * statistics.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class StorageCacheBenchmark {

  private static final int KEYS = 1024;

  private Path root;
  private Storage l1;
  private Storage l1NoAccessStats;
  private Storage l2;
  private Storage uncached;
  private Cache<String, byte[]> caffeine;
  private Cache<CollectionKey, byte[]> composite;
  private Cache<String, byte[]> withStats;
  private String[] keys;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    root = Files.createTempDirectory("cairn-cache-bench");
    l1 = Storage.builder().directory(root.resolve("l1")).backend("sqlite").cache("tiered")
        .accessStatistics(true).noScheduledMaintenance().open();
    l1NoAccessStats = Storage.builder().directory(root.resolve("l1-lean")).backend("sqlite")
        .cache("tiered").accessStatistics(false).noScheduledMaintenance().open();
    l2 = Storage.builder().directory(root.resolve("l2")).backend("sqlite").cache("tiered")
        .cacheMaxHeapBytes(0).noScheduledMaintenance().open();
    uncached = Storage.builder().directory(root.resolve("none")).backend("sqlite")
        .noScheduledMaintenance().open();
    caffeine = Caffeine.newBuilder().maximumWeight(32L << 20)
        .weigher((String k, byte[] v) -> v.length + 64).executor(Runnable::run).build();
    composite = Caffeine.newBuilder().maximumWeight(32L << 20)
        .weigher((CollectionKey k, byte[] v) -> v.length + 64).executor(Runnable::run).build();
    withStats = Caffeine.newBuilder().maximumWeight(32L << 20).recordStats()
        .weigher((String k, byte[] v) -> v.length + 64).executor(Runnable::run).build();
    keys = new String[KEYS];
    Random random = new Random(1);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "player-" + i;
      byte[] value = new byte[1024];
      random.nextBytes(value);
      for (Storage s : new Storage[] {l1, l1NoAccessStats, l2, uncached}) {
        s.putBytes("bench", keys[i], value);
        s.getBytes("bench", keys[i]); // populate the cache
      }
      caffeine.put(keys[i], value);
      composite.put(new CollectionKey("bench", keys[i]), value);
      withStats.put(keys[i], value);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    l1.close();
    l1NoAccessStats.close();
    l2.close();
    uncached.close();
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private String nextKey() {
    next = (next + 1) & (KEYS - 1);
    return keys[next];
  }

  @Benchmark
  public byte[] caffeineGetIfPresent() {
    return caffeine.getIfPresent(nextKey());
  }

  /** A (collection, key) map key, as any cache over named collections needs. */
  record CollectionKey(String collection, String key) {}

  @Benchmark
  public byte[] caffeineCompositeKey() {
    return composite.getIfPresent(new CollectionKey("bench", nextKey()));
  }

  /** Caffeine counting hits and misses ({@code recordStats()}), as the tiered cache must. */
  @Benchmark
  public byte[] caffeineWithStats() {
    return withStats.getIfPresent(nextKey());
  }

  @Benchmark
  public byte[] storageL1Hit() {
    return l1.getBytes("bench", nextKey()).orElseThrow();
  }

  @Benchmark
  public ByteBuffer storageL1HitBuffer() {
    return l1.getBuffer("bench", nextKey()).orElseThrow();
  }

  @Benchmark
  public ByteBuffer storageL1HitBufferNoAccessStats() {
    return l1NoAccessStats.getBuffer("bench", nextKey()).orElseThrow();
  }

  @Benchmark
  public Optional<Bytes> storageL1HitValue() {
    return l1.getValue("bench", nextKey());
  }

  @Benchmark
  public Optional<Bytes> storageL1HitValueNoAccessStats() {
    return l1NoAccessStats.getValue("bench", nextKey());
  }

  @Benchmark
  public byte[] storageL2Hit() {
    return l2.getBytes("bench", nextKey()).orElseThrow();
  }

  @Benchmark
  public byte[] storageBackendRead() {
    return uncached.getBytes("bench", nextKey()).orElseThrow();
  }
}
