package dev.cairn.benchmarks;

import dev.cairn.storage.Bytes;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * What observability costs a store (identity codec, 1 KiB values; backends chosen so that a
 * small cost shows: LMDB for reads, the fastest, and H2 with {@code ASYNC} durability for
 * writes, whose commits return without waiting for the disk), in each
 * {@link ObservabilityModes mode}: {@code off}, {@code jfr} (a recording with the Cairn events
 * on) and {@code metrics} (CairnMetrics bound to a Prometheus registry and the latency
 * histograms listener):
 *
 * <ul>
 *   <li>{@code pointReadHit}: {@code getValue} answered by the tiered cache's heap tier — the
 *       path no observability touches;
 *   <li>{@code pointReadMiss}: {@code getValue} of a store without a cache: every read goes to
 *       the backend, and is timed, offered to the SlowRead event and to the listener;
 *   <li>{@code write}: {@code putBytes} of a new 1 KiB value into the H2 store (a Commit
 *       event, the listener's timer; LMDB and SQLite sync even {@code ASYNC} commits' data, which
 *       would bury the cost under the fsync);
 *   <li>{@code histogramRecord}: the latency histograms listener alone, as the engine calls it
 *       per backend read ({@code metrics}; a no-op listener otherwise);
 *   <li>{@code jfrCommitEvent}: an event shaped like {@code dev.cairn.Commit} (whose class is
 *       internal), emitted as the engine emits it: the cost of one commit's event while a
 *       recording enables it ({@code jfr}), and of the enabled check otherwise;
 *   <li>{@code scrape}: one Prometheus scrape of the three stores' meters ({@code metrics} only;
 *       an empty string otherwise).
 * </ul>
 *
 * Results and their causes: benchmarks/README.md, "Observability".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class ObservabilityBench extends ReadWriteStores {

  /** off, jfr or metrics. */
  @Param({"off", "jfr", "metrics"})
  public String mode;

  private ObservabilityModes observability;
  private int histogramSample;

  @Setup(Level.Trial)
  public void setUp() {
    observability = new ObservabilityModes(mode);
    openStores("observability", observability::configure);
    observability.bind(cached, "cached");
    observability.bind(uncached, "uncached");
    observability.bind(writes, "writes");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    closeStores();
    observability.close();
  }

  @Benchmark
  public Optional<Bytes> pointReadHit() {
    return cached.getValue("bench", nextKey());
  }

  @Benchmark
  public Optional<Bytes> pointReadMiss() {
    return uncached.getValue("bench", nextKey());
  }

  @Benchmark
  public void write() {
    writeNew();
  }

  /** The latency histograms listener alone, as called per backend read ({@code metrics}). */
  @Benchmark
  public void histogramRecord() {
    observability.readTimed(5_000 + histogramSample++ % 4096);
  }

  /** One Commit-shaped JFR event: recorded ({@code jfr}) or only checked (the others). */
  @Benchmark
  public void jfrCommitEvent() {
    observability.commitEvent();
  }

  @Benchmark
  public String scrape() {
    return observability.scrape();
  }
}
