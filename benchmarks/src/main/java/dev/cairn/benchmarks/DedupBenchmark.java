package dev.cairn.benchmarks;

import dev.cairn.storage.DedupMode;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A dedup-heavy workload, raw library against Cairn under each {@link DedupMode}
 * ({@code @Param setting}: {@code raw}, {@code DEFERRED}, {@code ON_WRITE}, {@code OFF}), per
 * backend. Half the values written repeat an earlier one ({@link #value}): record {@code i} holds
 * distinct ~1 KiB content when {@code i} is even, and a copy of one of the first {@value #POOL}
 * even records' values when {@code i} is odd. Scores are records per second:
 *
 * <ul>
 *   <li>{@code bulkLoad}: 1,000 new records in one durable transaction (as
 *       {@code CompareBenchmark.bulkLoad}). The store starts with the first 1,000 records and,
 *       for {@code DEFERRED}, one {@code maintenance()} run, so the pool's content is already
 *       shared and its repeats are deduplicated at write time — the steady state of a store with
 *       scheduled maintenance.
 *   <li>{@code pointRead}: a random existing key of {@value #RECORDS} (half unique, half
 *       repeated values). For {@code DEFERRED} the load is followed by one {@code maintenance()}
 *       run, so the repeated values are shared (two lookups) and the unique ones stay inline (one).
 * </ul>
 *
 * <p>Only {@code DEFERRED} gets a maintenance run: it is the mode that relies on it
 * ({@code ON_WRITE} shares at write time, {@code OFF} never). Sizes on disk, before and after
 * maintenance, are measured outside JMH by {@link DedupSpace}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class DedupBenchmark {

  /** Records loaded before the read case. */
  static final int RECORDS = 10_000;
  static final int BATCH = 1_000;
  /** Distinct contents the repeated half is drawn from (the values of records 0, 2, ...). */
  static final int POOL = 64;

  @Param({"sqlite", "lmdb", "h2"})
  public String backend;

  @Param({"raw", "DEFERRED", "ON_WRITE", "OFF"})
  public String setting;

  private Path dir;
  private Kv kv;
  private Values values;
  private long next;

  /** Per-thread random keys (one thread here), seeded so runs repeat. */
  @State(Scope.Thread)
  public static class Rng {
    final SplittableRandom random = new SplittableRandom(1234);
  }

  /**
   * The value of record {@code i}: distinct content for even {@code i}; for odd {@code i} a copy
   * of the value of record {@code 2 * ((i / 2) % POOL)}, an earlier even record.
   */
  static byte[] value(Values values, long i) {
    return values.value(i % 2 == 0 ? i : 2 * ((i / 2) % POOL));
  }

  /** Raw library or Cairn with the given dedup mode (Cairn otherwise as in CompareBenchmark). */
  static Kv open(String setting, String backend, Path dir) {
    return setting.equals("raw") ? Kv.open("raw", backend, dir)
        : new CairnKv(backend, dir, false, DedupMode.valueOf(setting));
  }

  /** Writes records {@code from..from+n-1} of this workload in durable batches of BATCH. */
  static void load(Kv kv, Values values, long from, long n) {
    CompareBenchmark.load(kv, i -> value(values, i), from, n, BATCH);
  }

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    values = new Values();
    String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
    dir = BenchDirs.fresh("dedup-" + backend + "-" + setting + "-" + method);
    kv = open(setting, backend, dir);
    long preload = method.equals("pointRead") ? RECORDS : BATCH;
    load(kv, values, 0, preload);
    if (setting.equals("DEFERRED")) {
      ((CairnKv) kv).storage.maintenance();
    }
    next = preload;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      if (kv != null) {
        kv.close();
      }
    } finally {
      BenchDirs.delete(dir);
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void bulkLoad() {
    long first = next;
    next += BATCH;
    CompareBenchmark.putBatch(kv, i -> value(values, i), first, BATCH);
  }

  @Benchmark
  public byte[] pointRead(Rng rng) {
    return kv.get(Values.key(rng.random.nextInt(RECORDS)));
  }
}
