package dev.cairn.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
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

/**
 * Cost per read and per write as the store grows: {@code records} existing records (~1 KiB JSON
 * each), then random point reads of existing keys ({@code read}) or inserts of new keys at
 * random positions of the key space, 100 per durable transaction ({@code write}; the batch
 * keeps the score about the B-tree work rather than the fsync). Average time per operation.
 *
 * <p>The loaded store is kept in {@code $CAIRN_BENCH_DIR/scale-<impl>-<backend>-<records>}
 * (marked complete by a {@code loaded} file) so that {@code read} and {@code write} of one size
 * load it once per run; the run script deletes it at start. Run with
 * {@code -prof dev.cairn.benchmarks.MemoryProfiler} for heap and RSS per iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class ScaleBenchmark {

  static final int WRITE_BATCH = 100;
  private static final int LOAD_BATCH = 10_000;

  @Param({"sqlite"})
  public String backend;

  @Param({"cairn"})
  public String impl;

  @Param({"10000", "100000", "1000000"})
  public long records;

  private Kv kv;
  private Values values;
  private SplittableRandom random;
  private final AtomicLong written = new AtomicLong();

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    values = new Values();
    random = new SplittableRandom(99);
    Path dir = BenchDirs.base().resolve("scale-" + impl + "-" + backend + "-" + records);
    Path marker = dir.resolve("loaded");
    if (!Files.exists(marker)) {
      BenchDirs.delete(dir);
      Files.createDirectories(dir);
      kv = Kv.open(impl, backend, dir.resolve("store"));
      long start = System.nanoTime();
      CompareBenchmark.load(kv, values, 0, records, LOAD_BATCH);
      long ms = (System.nanoTime() - start) / 1_000_000;
      Files.writeString(marker, "loaded " + records + " records in " + ms + " ms\n");
      System.out.println("loaded " + records + " records in " + ms + " ms");
    } else {
      kv = Kv.open(impl, backend, dir.resolve("store"));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    kv.close();
  }

  @Benchmark
  public byte[] read() {
    return kv.get(Values.key(random.nextLong(records)));
  }

  @Benchmark
  @OperationsPerInvocation(WRITE_BATCH)
  public void write() {
    String[] keys = new String[WRITE_BATCH];
    byte[][] vals = new byte[WRITE_BATCH][];
    for (int i = 0; i < WRITE_BATCH; i++) {
      long n = written.incrementAndGet();
      // sorts right after an existing key: inserts land all over the B-tree, not at its end
      keys[i] = Values.key(random.nextLong(records)) + "-w" + n;
      vals[i] = values.value(records + n);
    }
    kv.putBatch(keys, vals);
  }
}
