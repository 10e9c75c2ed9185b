package dev.cairn.benchmarks;

import dev.cairn.micrometer.CairnMetrics;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.StorageListener;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.StackTrace;

/**
 * The three ways {@link ObservabilityBench} runs a store: {@code off} (nothing: no recording,
 * no listener, nothing bound), {@code jfr} (a JFR recording with every {@code dev.cairn.*}
 * event enabled at its default settings, and no other event) and {@code metrics}
 * ({@link CairnMetrics} bound to a Prometheus registry, plus the opt-in latency histograms
 * listener). Kept apart from the benchmark so that the benchmark's own code also compiles
 * against a Cairn without observability, for a before/after run.
 */
final class ObservabilityModes implements AutoCloseable {

  private final String mode;
  private final Recording recording;
  private final PrometheusMeterRegistry registry;
  /** The latency histograms listener of a store named "direct", called by the benchmark. */
  private final StorageListener direct;

  ObservabilityModes(String mode) {
    this.mode = mode;
    switch (mode) {
      case "off" -> {
        recording = null;
        registry = null;
      }
      case "jfr" -> {
        registry = null;
        recording = new Recording();
        for (String e : new String[] {"Commit", "GroupCommit", "SlowRead", "MaintenanceStep",
            "Verify", "Corruption"}) {
          recording.enable("dev.cairn." + e); // at their default settings (SlowRead: 10 ms)
        }
        recording.enable(CommitModel.NAME);
        recording.setMaxAge(Duration.ofMinutes(1));
        recording.start();
      }
      case "metrics" -> {
        recording = null;
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      }
      default -> throw new IllegalArgumentException("mode must be off, jfr or metrics: " + mode);
    }
    direct = registry == null ? new StorageListener() { }
        : CairnMetrics.latencyHistograms(registry, "direct", Tags.empty());
  }

  /**
   * An event of the shape and settings of Cairn's {@code dev.cairn.Commit} (whose class is
   * internal to storage-api), emitted the way the engine emits it: measures what one commit's
   * event costs with a recording on ({@code jfr}) and off (the others: the enabled check).
   */
  @Name(CommitModel.NAME)
  @Label("Cairn Commit (benchmark model)")
  @Category("Cairn")
  @StackTrace(false)
  static final class CommitModel extends Event {
    static final String NAME = "dev.cairn.bench.CommitModel";
    String store;
    String durability;
    long recordsWritten;
    long recordsDeleted;
    int groupSize;
    int attempts;
  }

  private static final CommitModel PROBE = new CommitModel();

  /** One model Commit event, begun, ended and committed as the engine does. */
  void commitEvent() {
    if (!PROBE.isEnabled()) {
      return;
    }
    CommitModel e = new CommitModel();
    e.begin();
    e.end();
    if (e.shouldCommit()) {
      e.store = "/var/lib/bench";
      e.durability = "SYNC";
      e.recordsWritten = 1;
      e.groupSize = 1;
      e.attempts = 1;
      e.commit();
    }
  }

  /** What the engine does per backend read for the listeners: nothing unless {@code metrics}. */
  void readTimed(long nanos) {
    direct.onRead("bench", nanos);
  }

  /** {@code b} as this mode opens a store named {@code name}. */
  StorageBuilder configure(StorageBuilder b, String name) {
    return registry == null ? b
        : b.listener(CairnMetrics.latencyHistograms(registry, name, Tags.empty()));
  }

  /** Binds the store's meters, in {@code metrics} mode. */
  void bind(Storage s, String name) {
    if (registry != null) {
      new CairnMetrics(s, name, Tags.empty()).bindTo(registry);
    }
  }

  /** One Prometheus scrape of every bound store's meters; empty unless {@code metrics}. */
  String scrape() {
    return registry == null ? "" : registry.scrape();
  }

  @Override
  public void close() {
    if (recording != null) {
      recording.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Override
  public String toString() {
    return mode;
  }
}
