package dev.cairn.spring.boot;

import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupManifest;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code cairn} health indicator: {@code UP} while the store is open and answers
 * {@link Storage#stats()}, {@code DOWN} when it is closed or fails, and {@code DOWN} when
 * {@code cairn.health.max-backup-age} is set and the newest backup is older (or there is none
 * that long after startup).
 *
 * <p>Details: {@code name}, {@code backend}, {@code directory}, {@code diskFreeBytes} (usable
 * space of the directory's file system), {@code lastMaintenance} and {@code lastVerify} (once
 * there was one), {@code maintenanceFailures}, {@code verifyFailures} and, with a
 * {@link BackupManager}, {@code lastBackup}
 * (the set id), {@code lastBackupAt}, {@code lastBackupAgeSeconds}, or {@code lastBackup:
 * none}. Listing the backups reads the target's manifests on every check.
 */
final class CairnHealthIndicator implements HealthIndicator {

  private final Storage storage;
  private final String name;
  private final BackupManager backups;
  private final Duration maxBackupAge;
  private final Clock clock;
  private final Instant started;

  CairnHealthIndicator(Storage storage, String name, BackupManager backups,
      Duration maxBackupAge, Clock clock) {
    this.storage = storage;
    this.name = name;
    this.backups = backups;
    this.maxBackupAge = maxBackupAge;
    this.clock = clock;
    this.started = clock.instant();
  }

  @Override
  public Health health() {
    Health.Builder health = Health.up().withDetail("name", name);
    StorageStats stats;
    StorageAdmin admin;
    try {
      stats = storage.stats();
      admin = storage.admin();
    } catch (RuntimeException e) {
      return health.down(e).build();
    }
    Path directory = admin.directory().toAbsolutePath();
    health.withDetail("backend", admin.backendName()).withDetail("directory", directory.toString());
    try {
      health.withDetail("diskFreeBytes", Files.getFileStore(directory).getUsableSpace());
    } catch (IOException e) {
      health.withDetail("diskFreeBytes", "unknown: " + e);
    }
    stats.lastMaintenance().ifPresent(t -> health.withDetail("lastMaintenance", t.toString()));
    stats.lastVerify().ifPresent(t -> health.withDetail("lastVerify", t.toString()));
    health.withDetail("maintenanceFailures", stats.maintenanceFailures())
        .withDetail("verifyFailures", stats.verifyFailures());
    if (backups != null) {
      backupDetails(health, admin.storeId());
    }
    return health.build();
  }

  private void backupDetails(Health.Builder health, String storeId) {
    Optional<BackupManifest> newest;
    try {
      newest = backups.newest(storeId);
    } catch (RuntimeException e) {
      health.down(e).withDetail("lastBackup", "unknown: " + e.getMessage());
      return;
    }
    Instant now = clock.instant();
    Instant since = newest.map(BackupManifest::createdAt).orElse(started);
    if (newest.isPresent()) {
      health.withDetail("lastBackup", newest.get().setId())
          .withDetail("lastBackupAt", since.toString())
          .withDetail("lastBackupAgeSeconds", Duration.between(since, now).toSeconds());
    } else {
      health.withDetail("lastBackup", "none");
    }
    if (maxBackupAge != null && Duration.between(since, now).compareTo(maxBackupAge) > 0) {
      String limit = "cairn.health.max-backup-age=" + maxBackupAge;
      health.down().withDetail("backupOverdue", newest.isPresent()
          ? "the newest backup is older than " + limit
          : "no backup within " + limit + " of startup");
    }
  }
}
