package dev.cairn.backup;

import dev.cairn.storage.MaintenanceTask;
import dev.cairn.storage.Storage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The maintenance step named {@code backup} ({@link BackupManager#maintenanceTask()}): takes a
 * backup of the configured kind when the store's newest set in the target is at least
 * {@code interval} old (or there is none), then applies retention to the store's sets. The
 * "last backup" time comes from the target, so restarting the application does not trigger a
 * backup.
 */
final class ScheduledBackupTask implements MaintenanceTask {

  private final SetCatalog catalog;
  private final SetWriter writer;
  private final Retention retention;
  private final Clock clock;
  private final Duration interval;
  private final BackupKind kind;

  ScheduledBackupTask(SetCatalog catalog, SetWriter writer, Retention retention, Clock clock,
      Duration interval, BackupKind kind) {
    this.catalog = catalog;
    this.writer = writer;
    this.retention = retention;
    this.clock = clock;
    this.interval = interval;
    this.kind = kind;
  }

  @Override
  public String name() {
    return "backup";
  }

  @Override
  public String run(Storage storage) {
    String storeId = storage.admin().storeId();
    Instant now = clock.instant();
    Optional<BackupManifest> latest = catalog.newest(storeId);
    String did;
    if (latest.isPresent() && latest.get().createdAt().plus(interval).isAfter(now)) {
      did = "no backup due: last set " + latest.get().setId() + ", next after "
          + latest.get().createdAt().plus(interval);
    } else {
      long t0 = System.nanoTime();
      BackupManifest m = writer.write(storage, kind);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      did = "created " + m.kind().name().toLowerCase(Locale.ROOT) + " set " + m.setId()
          + ": " + m.records() + " records, " + m.storedBytes() + " bytes in " + ms + " ms";
    }
    List<String> deleted = retention.apply(storeId);
    return did + "; retention deleted " + deleted.size() + " set(s)";
  }
}
