package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The same workload straight on a library ({@code impl=raw}) and through Cairn's
 * {@code Storage} ({@code impl=cairn}), per backend, all in one run. Every score is operations
 * (records) per second:
 *
 * <ul>
 *   <li>{@code bulkLoad}: 1,000 new records in one durable transaction (score: records/s).
 *   <li>{@code pointRead}, {@code pointRead2t}: a random existing key of {@value #RECORDS}, one
 *       and two threads.
 *   <li>{@code durableCommit}: one new record per durable commit, one thread.
 *   <li>{@code groupCommit16}: 16 threads each committing one new record durably: Cairn with
 *       {@code Durability.GROUP}, the raw library one commit and one fsync per record.
 *   <li>{@code groupCommit64}: the same with 64 threads.
 *   <li>{@code scanKeys}: every key of the collection in order ({@code Storage.keys} vs a
 *       key-only cursor; score: keys/s).
 *   <li>{@code scanAll}: every key and value (Cairn: {@code entries}, paged;
 *       raw: one cursor; score: records/s).
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class CompareBenchmark {

  /** Records loaded before the read and scan cases. */
  static final int RECORDS = 10_000;
  static final int BATCH = 1_000;

  @Param({"sqlite", "h2"})
  public String backend;

  @Param({"raw", "cairn"})
  public String impl;

  private Path dir;
  private Kv kv;
  private Values values;
  private AtomicLong next;

  /** Per-thread random keys, seeded by thread index so runs repeat. */
  @State(Scope.Thread)
  public static class Rng {
    SplittableRandom random;

    @Setup(Level.Trial)
    public void setUp(ThreadParams t) {
      random = new SplittableRandom(1234 + t.getThreadIndex());
    }
  }

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    values = new Values();
    String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
    dir = BenchDirs.fresh("compare-" + backend + "-" + impl + "-" + method);
    kv = Kv.open(impl, backend, dir);
    if (method.startsWith("pointRead") || method.startsWith("scan")) {
      load(kv, values, 0, RECORDS, BATCH);
    }
    next = new AtomicLong(RECORDS);
  }

  /** Writes records {@code from..from+n-1} in durable batches of {@code batch}. */
  static void load(Kv kv, Values values, long from, long n, int batch) {
    load(kv, values::value, from, n, batch);
  }

  /** As above, record {@code i} holding {@code value.apply(i)}. */
  static void load(Kv kv, java.util.function.LongFunction<byte[]> value, long from, long n,
      int batch) {
    for (long i = from; i < from + n; i += batch) {
      putBatch(kv, value, i, (int) Math.min(batch, from + n - i));
    }
  }

  /** Writes records {@code first..first+size-1} in one durable batch. */
  static void putBatch(Kv kv, java.util.function.LongFunction<byte[]> value, long first,
      int size) {
    String[] keys = new String[size];
    byte[][] vals = new byte[size][];
    for (int j = 0; j < size; j++) {
      keys[j] = Values.key(first + j);
      vals[j] = value.apply(first + j);
    }
    kv.putBatch(keys, vals);
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
    putBatch(kv, values::value, next.getAndAdd(BATCH), BATCH);
  }

  @Benchmark
  public byte[] pointRead(Rng rng) {
    return kv.get(Values.key(rng.random.nextInt(RECORDS)));
  }

  @Benchmark
  @Threads(2)
  public byte[] pointRead2t(Rng rng) {
    return kv.get(Values.key(rng.random.nextInt(RECORDS)));
  }

  @Benchmark
  public void durableCommit() {
    long n = next.getAndIncrement();
    kv.putOne(Values.key(n), values.value(n));
  }

  @Benchmark
  @Threads(16)
  public void groupCommit16() {
    long n = next.getAndIncrement();
    kv.putOneGroup(Values.key(n), values.value(n));
  }

  /** As {@link #groupCommit16} with 64 writers: larger groups for Cairn, the same serial raw. */
  @Benchmark
  @Threads(64)
  public void groupCommit64() {
    long n = next.getAndIncrement();
    kv.putOneGroup(Values.key(n), values.value(n));
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void scanKeys(Blackhole bh) {
    check(kv.scanKeys(bh));
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void scanAll(Blackhole bh) {
    check(kv.scanAll(bh));
  }

  private static void check(long n) {
    if (n != RECORDS) {
      throw new IllegalStateException("scanned " + n + " records, expected " + RECORDS);
    }
  }
}
