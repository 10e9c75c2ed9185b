package dev.cairn.micrometer;

import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * Publishes a {@link BackupManager}'s counters ({@link BackupManager#stats()}) as Micrometer
 * meters, tagged {@code store=<storeName>} plus the tags given, like {@link CairnMetrics}'s:
 *
 * <ul>
 *   <li>{@code cairn.backups{outcome=success|failure}}: backups taken (on demand and by the
 *       maintenance task) and backups that failed;
 *   <li>{@code cairn.restores{outcome=success|failure}}: restores finished and failed;
 *   <li>{@code cairn.backup.last.age}: the time since the newest backup began (NaN while there
 *       is none); alert when it grows past the backup interval.
 * </ul>
 *
 * <p>Reading them costs a few counter sums (the first read before any backup lists the target
 * once). A class of its own, apart from {@link CairnMetrics}, so that an application without
 * cairn-backup (an optional dependency of this module) never loads a class that names it.
 */
public final class CairnBackupMetrics implements MeterBinder {

  private final BackupManager manager;
  private final Tags tags;

  /**
   * A binder of {@code backups}' meters.
   *
   * @param backups the manager that backs up the store
   * @param storeName the {@code store} tag, as given to {@link CairnMetrics}
   * @param tags more tags, as given to {@link CairnMetrics}; may be empty
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code storeName} is blank
   */
  public CairnBackupMetrics(BackupManager backups, String storeName, Iterable<Tag> tags) {
    this.manager = Objects.requireNonNull(backups, "backups");
    this.tags = CairnMetrics.storeTags(storeName, tags);
  }

  /**
   * Registers the meters with {@code registry}.
   *
   * @param registry the registry
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    String backups = "Backups by outcome: success (taken and published) or failure";
    counter(registry, "cairn.backups", "success", backups, BackupStats::backups);
    counter(registry, "cairn.backups", "failure", backups, BackupStats::backupFailures);
    String restores = "Restores by outcome: success or failure";
    counter(registry, "cairn.restores", "success", restores, BackupStats::restores);
    counter(registry, "cairn.restores", "failure", restores, BackupStats::restoreFailures);
    BackupManager m = manager;
    TimeGauge.builder("cairn.backup.last.age", m, TimeUnit.MILLISECONDS, x -> m.stats()
            .lastBackup().map(t -> (double) Duration.between(t, Instant.now()).toMillis())
            .orElse(Double.NaN))
        .description("Time since the newest backup began (NaN: none yet)")
        .tags(tags).strongReference(true).register(registry);
  }

  private void counter(MeterRegistry registry, String name, String outcome, String description,
      ToLongFunction<BackupStats> f) {
    BackupManager m = manager;
    // the function holds the manager: Micrometer holds a meter's object only weakly
    FunctionCounter.builder(name, m, x -> f.applyAsLong(m.stats()))
        .description(description).tags(tags).tag("outcome", outcome).register(registry);
  }
}
