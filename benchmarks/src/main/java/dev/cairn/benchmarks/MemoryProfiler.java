package dev.cairn.benchmarks;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
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
 * A JMH profiler ({@code -prof dev.cairn.benchmarks.MemoryProfiler}) that runs inside the
 * benchmark JVM and, after every iteration, reports the heap in use after a full GC, the direct
 * buffer memory, and the process's resident set ({@code VmRSS}) and its peak ({@code VmHWM})
 * from {@code /proc/self/status}. The GC runs after the measured iteration, not inside it.
 */
public final class MemoryProfiler implements InternalProfiler {

  @Override
  public String getDescription() {
    return "heap after GC, direct buffers, RSS and peak RSS (/proc/self/status) per iteration";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    // nothing
  }

  @Override
  @SuppressWarnings("rawtypes") // JMH's InternalProfiler declares the raw Result type
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    System.gc();
    List<Result> out = new ArrayList<>();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    out.add(mib("mem.heapAfterGc", heap));
    long direct = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      direct += pool.getMemoryUsed();
    }
    out.add(mib("mem.directBuffers", direct));
    long[] proc = procStatus();
    if (proc != null) {
      out.add(mib("mem.rss", proc[0]));
      out.add(mib("mem.rssPeak", proc[1]));
    }
    return out;
  }

  private static ScalarResult mib(String label, long bytes) {
    return new ScalarResult(label, bytes / (1024.0 * 1024.0), "MiB", AggregationPolicy.MAX);
  }

  /** VmRSS and VmHWM in bytes, or null where /proc is missing (not Linux). */
  static long[] procStatus() {
    try {
      long rss = -1;
      long hwm = -1;
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = kib(line);
        } else if (line.startsWith("VmHWM:")) {
          hwm = kib(line);
        }
      }
      return rss < 0 ? null : new long[] {rss, hwm};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static long kib(String line) {
    String[] parts = line.trim().split("\\s+");
    return Long.parseLong(parts[1]) * 1024;
  }
}
