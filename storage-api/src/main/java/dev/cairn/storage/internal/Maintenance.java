package dev.cairn.storage.internal;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.MaintenanceReport.Outcome;
import dev.cairn.storage.MaintenanceTask;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.RecordCache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintenance of one store, on demand ({@code Storage.maintenance()}) and every
 * {@code maintenanceInterval}: the built-in steps — flush the access statistics, clean up the
 * cache, purge the records whose time to live has passed ({@code Engine.purgeExpired}),
 * deduplicate what was written inline ({@link Deduplicator}), trim the change feed to its
 * retention ({@link FeedLog#trim}), verify every record and
 * blob, optimize the backend — then the configured
 * {@link MaintenanceTask}s (backups), one after another. A failed step is recorded in the
 * report and the next one runs. Each step and the finished run are reported to
 * {@link Observers} (a JFR event per step, the run to listeners and the counters).
 *
 * <p>Threading: any thread may call {@link #run()}; runs are serialised by a lock, and run
 * inside the engine's {@link Lifecycle}, so none runs after the store closed.
 */
final class Maintenance {

  private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

  /**
   * A built-in step.
   *
   * @param name its name in the report
   * @param work what it does, returning a one-line account
   * @param skipReason non-null if the step does not apply
   */
  record Step(String name, Callable<String> work, String skipReason) {}

  private final StorageConfig config;
  private final Storage storage;
  private final Backend backend;
  private final RecordCache cache;
  private final AccessStatsFlusher accessStats;
  private final Deduplicator dedup;
  private final java.util.function.LongSupplier purgeExpired;
  private final FeedLog feed;
  private final StorageAdmin admin;
  private final Lifecycle lifecycle;
  private final Observers observers;
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * @param storage the store, as the configured tasks receive it
   * @param cache the cache, or null
   * @param purgeExpired removes the expired records, returning how many
   * @param feed the change feed, or null
   */
  Maintenance(StorageConfig config, Storage storage, Backend backend, RecordCache cache,
      AccessStatsFlusher accessStats, java.util.function.LongSupplier purgeExpired,
      Deduplicator dedup, FeedLog feed, StorageAdmin admin, Lifecycle lifecycle,
      Observers observers) {
    this.config = config;
    this.storage = storage;
    this.backend = backend;
    this.cache = cache;
    this.accessStats = accessStats;
    this.dedup = dedup;
    this.purgeExpired = purgeExpired;
    this.feed = feed;
    this.admin = admin;
    this.lifecycle = lifecycle;
    this.observers = observers;
  }

  /** Schedules a run every {@code maintenanceInterval}, if there is one. */
  void schedule(ScheduledExecutorService scheduler) {
    if (config.maintenanceInterval() != null) {
      long ms = config.maintenanceInterval().toMillis();
      scheduler.scheduleWithFixedDelay(this::runScheduled, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  private void runScheduled() {
    try {
      MaintenanceReport r = run();
      if (!r.successful()) {
        LOG.warn("scheduled maintenance of {} had failures: {}", config.directory(), r.failures());
      }
    } catch (StorageClosedException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("scheduled maintenance failed", e);
    }
  }

  /** Runs every step and task. */
  MaintenanceReport run() {
    lifecycle.enterOrThrow();
    lock.lock();
    try {
      return run(List.of(
          new Step("flush-access-stats", () -> "flushed " + accessStats.flush() + " records", null),
          new Step("cache-cleanup", () -> {
            long freed = cache.cleanup();
            return "freed " + freed + " bytes";
          }, cache == null ? "no cache configured" : null),
          new Step("purge-expired",
              () -> "purged " + purgeExpired.getAsLong() + " expired records", null),
          new Step("deduplicate", () -> dedup.run().toString(), null),
          new Step("trim-change-feed", () -> feed.trim(),
              feed == null ? "no change feed" : null),
          new Step("verify", () -> {
            StorageAdmin.VerificationReport v = admin.verify();
            if (!v.ok()) {
              throw new DataCorruptionException(v.problems().size() + " problems, first: "
                  + v.problems().get(0));
            }
            return "verified " + v.records() + " records and " + v.blobs() + " blobs";
          }, config.maintenanceVerify() ? null : "disabled by maintenanceVerify(false)"),
          new Step("optimize", () -> {
            long before = backend.sizeOnDisk();
            backend.optimize();
            long after = backend.sizeOnDisk();
            return "size on disk " + before + " -> " + after + " bytes";
          }, null)),
          config.maintenanceTasks());
    } finally {
      lock.unlock();
      lifecycle.exit();
    }
  }

  private MaintenanceReport run(List<Step> builtIn, List<MaintenanceTask> tasks) {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    List<MaintenanceReport.Step> done = new ArrayList<>();
    long sizeBefore = safeSize();
    for (Step s : builtIn) {
      JfrEvents.MaintenanceStep event = JfrEvents.beginMaintenanceStep();
      MaintenanceReport.Step step = s.skipReason() != null
          ? new MaintenanceReport.Step(
              s.name(), Outcome.SKIPPED, Duration.ZERO, s.skipReason(), 0, Optional.empty())
          : runStep(s.name(), s.work(), s.name().equals("optimize") ? sizeBefore : -1);
      observers.maintenanceStep(step, event);
      done.add(step);
    }
    for (MaintenanceTask task : tasks) {
      JfrEvents.MaintenanceStep event = JfrEvents.beginMaintenanceStep();
      MaintenanceReport.Step step = runStep(task.name(), () -> task.run(storage), -1);
      observers.maintenanceStep(step, event);
      done.add(step);
    }
    MaintenanceReport report =
        new MaintenanceReport(started, Duration.ofNanos(System.nanoTime() - t0), done);
    observers.maintenance(report);
    return report;
  }

  private MaintenanceReport.Step runStep(String name, Callable<String> work, long sizeBefore) {
    long t = System.nanoTime();
    try {
      String detail = work.call();
      long freed = sizeBefore >= 0 ? Math.max(0, sizeBefore - safeSize()) : 0;
      return new MaintenanceReport.Step(name, Outcome.OK, Duration.ofNanos(System.nanoTime() - t),
          detail == null ? "" : detail, freed, Optional.empty());
    } catch (Exception | Error e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("maintenance step {} failed", name, e);
      String msg = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
      return new MaintenanceReport.Step(name, Outcome.FAILED, Duration.ofNanos(System.nanoTime() - t),
          "failed", 0, Optional.of(msg));
    }
  }

  private long safeSize() {
    try {
      return backend.sizeOnDisk();
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
