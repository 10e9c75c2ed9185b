package dev.cairn.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupManifest;
import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

final class CairnHealthIndicatorTest {

  @TempDir
  Path tmp;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CairnAutoConfiguration.class,
          CairnHealthContributorAutoConfiguration.class));

  private static Health health(org.springframework.context.ApplicationContext context) {
    return context.getBean("cairnHealthIndicator", HealthIndicator.class).health();
  }

  @Test
  void upWhileOpenWithTheStoresDetails() {
    runner.withPropertyValues("cairn.directory=" + tmp.resolve("store"), "cairn.name=orders")
        .run(context -> {
          Health health = health(context);
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(health.getDetails()).containsOnlyKeys("name", "backend", "directory",
              "diskFreeBytes", "maintenanceFailures", "verifyFailures");
          assertThat(health.getDetails()).containsEntry("maintenanceFailures", 0L)
              .containsEntry("verifyFailures", 0L);
          assertThat(health.getDetails()).containsEntry("name", "orders")
              .containsEntry("backend", "sqlite")
              .containsEntry("directory", tmp.resolve("store").toString());
          assertThat((Long) health.getDetails().get("diskFreeBytes")).isPositive();
        });
  }

  @Test
  void reportsTheLastMaintenanceAndVerify() {
    runner.withPropertyValues("cairn.directory=" + tmp.resolve("store"))
        .run(context -> {
          Storage storage = context.getBean(Storage.class);
          Instant before = Instant.now();
          storage.maintenance();
          Instant after = Instant.now();
          Health health = health(context);
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(Instant.parse((String) health.getDetails().get("lastMaintenance")))
              .isBetween(before, after);
          assertThat(Instant.parse((String) health.getDetails().get("lastVerify")))
              .isBetween(before, after);
          assertThat(health.getDetails()).containsEntry("maintenanceFailures", 0L)
              .containsEntry("verifyFailures", 0L);
        });
  }

  @Test
  void downOnceTheStoreIsClosed() {
    runner.withPropertyValues("cairn.directory=" + tmp.resolve("store"))
        .run(context -> {
          context.getBean(Storage.class).close();
          Health health = health(context);
          assertThat(health.getStatus()).isEqualTo(Status.DOWN);
          assertThat((String) health.getDetails().get("error"))
              .startsWith("dev.cairn.storage.StorageClosedException: ");
        });
  }

  @Test
  void reportsTheNewestBackupOfThisStore() {
    runner.withPropertyValues("cairn.directory=" + tmp.resolve("store"),
            "cairn.backup.target=" + tmp.resolve("backups"))
        .run(context -> {
          assertThat(health(context).getDetails()).containsEntry("lastBackup", "none");
          Storage storage = context.getBean(Storage.class);
          BackupManager backups = context.getBean(BackupManager.class);
          backups.backup(storage);
          BackupManifest newest = backups.backup(storage);
          // a set of another store in the same target is not this store's backup
          try (Storage other = Storage.builder().directory(tmp.resolve("other")).open()) {
            backups.backup(other);
          }
          Health health = health(context);
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(health.getDetails()).containsEntry("lastBackup", newest.setId())
              .containsEntry("lastBackupAt", newest.createdAt().toString());
          assertThat((Long) health.getDetails().get("lastBackupAgeSeconds")).isBetween(0L, 60L);
        });
  }

  @Test
  void downWhenTheNewestBackupIsOlderThanTheMaximum() {
    runner.withPropertyValues("cairn.directory=" + tmp.resolve("store"),
            "cairn.backup.target=" + tmp.resolve("backups"))
        .run(context -> {
          Storage storage = context.getBean(Storage.class);
          BackupManager backups = context.getBean(BackupManager.class);
          Instant taken = backups.backup(storage).createdAt();
          MutableClock clock = new MutableClock(taken);
          HealthIndicator indicator = new CairnHealthIndicator(storage, "cairn", backups,
              Duration.ofHours(1), clock);
          clock.now = taken.plus(Duration.ofMinutes(60));
          assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
          clock.now = taken.plus(Duration.ofMinutes(61));
          Health overdue = indicator.health();
          assertThat(overdue.getStatus()).isEqualTo(Status.DOWN);
          assertThat(overdue.getDetails()).containsEntry("lastBackupAgeSeconds", 3660L)
              .containsEntry("backupOverdue",
                  "the newest backup is older than cairn.health.max-backup-age=PT1H");
        });
  }

  @Test
  void downWhenNoBackupWasTakenWithinTheMaximumOfStartup() {
    runner.withPropertyValues("cairn.directory=" + tmp.resolve("store"),
            "cairn.backup.target=" + tmp.resolve("backups"))
        .run(context -> {
          Instant start = Instant.parse("2026-12-05T10:00:00Z");
          MutableClock clock = new MutableClock(start);
          HealthIndicator indicator = new CairnHealthIndicator(context.getBean(Storage.class),
              "cairn", context.getBean(BackupManager.class), Duration.ofMinutes(30), clock);
          clock.now = start.plus(Duration.ofMinutes(30));
          assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
          clock.now = start.plus(Duration.ofMinutes(31));
          Health overdue = indicator.health();
          assertThat(overdue.getStatus()).isEqualTo(Status.DOWN);
          assertThat(overdue.getDetails()).containsEntry("lastBackup", "none")
              .containsEntry("backupOverdue",
                  "no backup within cairn.health.max-backup-age=PT30M of startup");
        });
  }

  @Test
  void theMaximumBackupAgeReachesTheIndicator() {
    runner.withPropertyValues("cairn.directory=" + tmp.resolve("store"),
            "cairn.backup.target=" + tmp.resolve("backups"), "cairn.health.max-backup-age=1ms")
        .run(context -> {
          Thread.sleep(5);
          Health health = health(context);
          assertThat(health.getStatus()).isEqualTo(Status.DOWN);
          assertThat(health.getDetails()).containsEntry("backupOverdue",
              "no backup within cairn.health.max-backup-age=PT0.001S of startup");
        });
  }

  @Test
  void aMaximumBackupAgeWithoutBackupsIsAnError() {
    runner.withPropertyValues("cairn.directory=" + tmp.resolve("store"),
            "cairn.health.max-backup-age=1d")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).hasMessageContaining(
              "cairn.health.max-backup-age is set but there is no BackupManager: set"
                  + " cairn.backup.target");
        });
  }

  @Test
  void turnedOffByTheStandardHealthProperty() {
    runner.withPropertyValues("cairn.directory=" + tmp.resolve("store"),
            "management.health.cairn.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Storage.class)
            .doesNotHaveBean("cairnHealthIndicator"));
  }

  @Test
  void coversTheApplicationsOwnStorageToo() {
    try (Storage own = Storage.builder().directory(tmp.resolve("own")).open()) {
      runner.withBean(Storage.class, () -> own)
          .run(context -> assertThat(health(context).getDetails())
              .containsEntry("directory", tmp.resolve("own").toString()));
    }
  }

  /** A clock a test moves by hand. */
  private static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
