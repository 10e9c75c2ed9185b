package dev.cairn.micrometer;

import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The opt-in latency histograms ({@link CairnMetrics#latencyHistograms}): a {@link Timer} with a
 * percentile histogram for backend reads, and one per durability for commits, recorded from
 * the store's {@link StorageListener} calls. Each record is a timer update on the calling
 * thread (see the module README for what it costs).
 *
 * <p>Thread-safe: Micrometer's timers are; the commit timers are registered on first use
 * (registering twice returns the same timer).
 */
final class LatencyTimers implements StorageListener {

  private final MeterRegistry registry;
  private final Tags tags;
  private final Timer reads;
  private final Timer[] commits = new Timer[Durability.values().length];

  LatencyTimers(MeterRegistry registry, Tags tags) {
    this.registry = registry;
    this.tags = tags;
    this.reads = Timer.builder("cairn.read.latency.histogram")
        .description("Single-key reads the backend answered (cache hits are not timed), with"
            + " a percentile histogram")
        .tags(tags).publishPercentileHistogram().register(registry);
  }

  @Override
  public void onRead(String collection, long nanos) {
    reads.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onCommit(Durability durability, long recordsWritten, long recordsDeleted,
      int groupSize, long nanos) {
    Timer t = commits[durability.ordinal()];
    if (t == null) {
      t = Timer.builder("cairn.write.latency.histogram")
          .description("Committed transactions and write calls, from the call to the commit"
              + " being durable, with a percentile histogram")
          .tags(tags).tag("durability", durability.name()).publishPercentileHistogram()
          .register(registry);
      commits[durability.ordinal()] = t;
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }
}
