package dev.cairn.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler ({@code -prof dev.cairn.benchmarks.CpuProfiler}) that reports, per iteration of
 * a throughput benchmark, the CPU time the whole benchmark JVM used per operation (every thread:
 * the benchmark's, background work such as the access-statistics collector, JIT and GC) and the
 * share of the machine's time the hypervisor stole meanwhile ({@code /proc/stat}).
 *
 * <p>CPU time per operation shows work a one-thread throughput hides (Cairn's background threads)
 * and what a read or write costs beside how long it took. It does not cancel the shared two-core
 * VM's noise: it moves with the machine's speed as throughput does (benchmarks/README.md, the
 * ninth report).
 */
public final class CpuProfiler implements InternalProfiler {

  private long cpuBefore;
  private long wallBefore;
  private long[] statBefore;

  @Override
  public String getDescription() {
    return "process CPU time per operation and the machine's steal time, per iteration";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    statBefore = procStat();
    wallBefore = System.nanoTime();
    cpuBefore = processCpuNanos();
  }

  @Override
  @SuppressWarnings("rawtypes") // JMH's InternalProfiler declares the raw Result type
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpu = processCpuNanos() - cpuBefore;
    double seconds = (System.nanoTime() - wallBefore) / 1e9;
    long[] stat = procStat();
    List<Result> out = new ArrayList<>();
    String unit = result.getPrimaryResult().getScoreUnit();
    // throughput scores are operations per second: the operations of this iteration follow
    if (unit.endsWith("/s") && cpuBefore >= 0 && cpu >= 0) {
      double ops = result.getPrimaryResult().getScore() * seconds;
      if (ops > 0) {
        out.add(new ScalarResult("cpu.nsPerOp", cpu / ops, "ns/op", AggregationPolicy.AVG));
      }
    }
    if (statBefore != null && stat != null) {
      long total = stat[0] - statBefore[0];
      long steal = stat[1] - statBefore[1];
      if (total > 0) {
        out.add(new ScalarResult("cpu.stealPct", 100.0 * steal / total, "%",
            AggregationPolicy.AVG));
      }
    }
    return out;
  }

  /** The JVM's CPU time (all threads) in nanoseconds, or -1 where the platform has none. */
  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** Total and steal jiffies of all CPUs from {@code /proc/stat}, or null (not Linux). */
  static long[] procStat() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("cpu ")) {
          String[] f = line.trim().split("\\s+");
          long total = 0;
          for (int i = 1; i < f.length && i <= 8; i++) { // user..steal; guest is within user
            total += Long.parseLong(f[i]);
          }
          return new long[] {total, f.length > 8 ? Long.parseLong(f[8]) : 0};
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
