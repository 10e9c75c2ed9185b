package dev.cairn.storage.internal;

import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.MaintenanceReport.Outcome;
import dev.cairn.storage.MaintenanceTask;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs maintenance steps one after another; a failed step is recorded and the next runs. */
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

  private final Engine engine;

  Maintenance(Engine engine) {
    this.engine = engine;
  }

  MaintenanceReport run(List<Step> builtIn, List<MaintenanceTask> tasks) {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    List<MaintenanceReport.Step> done = new ArrayList<>();
    long sizeBefore = safeSize();
    for (Step s : builtIn) {
      if (s.skipReason() != null) {
        done.add(new MaintenanceReport.Step(
            s.name(), Outcome.SKIPPED, Duration.ZERO, s.skipReason(), 0, Optional.empty()));
        continue;
      }
      done.add(runStep(s.name(), s.work(), s.name().equals("optimize") ? sizeBefore : -1));
    }
    for (MaintenanceTask task : tasks) {
      done.add(runStep(task.name(), () -> task.run(engine), -1));
    }
    return new MaintenanceReport(started, Duration.ofNanos(System.nanoTime() - t0), done);
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
      return engine.sizeOnDiskUnchecked();
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
