package dev.cairn.backup;

import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts one manager's backups and restores ({@link BackupStats}) and records each as a JFR
 * event, {@code dev.cairn.Backup} or {@code dev.cairn.Restore} (category "Cairn"), when a
 * recording enables it. A disabled event costs an enabled check on a shared probe instance and
 * allocates nothing.
 *
 * <p>Threading: any thread; backups and restores may run concurrently.
 */
final class BackupActivity {

  private static final Logger LOG = LoggerFactory.getLogger(BackupManager.class);

  /** A backup. */
  @Name("dev.cairn.Backup")
  @Label("Cairn Backup")
  @Category("Cairn")
  @Description("A backup of a store into a set, on demand or by the maintenance task")
  @StackTrace(false)
  static final class BackupEvent extends Event {
    @Label("Set")
    String setId;

    @Label("Store")
    @Description("The store's directory")
    String store;

    @Label("Kind")
    @Description("NATIVE, LOGICAL or INCREMENTAL (as taken: an incremental backup without a"
        + " usable parent is LOGICAL)")
    String kind;

    @Label("Records")
    long records;

    @Label("Stored Bytes")
    @Description("The size of the set's files in the target")
    @DataAmount
    long storedBytes;

    @Label("Success")
    boolean success;

    @Label("Error")
    String error;
  }

  /** A restore. */
  @Name("dev.cairn.Restore")
  @Label("Cairn Restore")
  @Category("Cairn")
  @Description("A restore of a set into a new directory (restoreTo) or over a running store"
      + " (restoreOver), its verification included")
  @StackTrace(false)
  static final class RestoreEvent extends Event {
    @Label("Set")
    String setId;

    @Label("Directory")
    @Description("The directory restored into")
    String directory;

    @Label("Over Live Store")
    @Description("true for restoreOver, false for restoreTo")
    boolean overLiveStore;

    @Label("Success")
    boolean success;

    @Label("Error")
    String error;
  }

  private static final BackupEvent BACKUP_PROBE = new BackupEvent();
  private static final RestoreEvent RESTORE_PROBE = new RestoreEvent();

  private final SetCatalog catalog;
  private final LongAdder backups = new LongAdder();
  private final LongAdder backupFailures = new LongAdder();
  private final LongAdder restores = new LongAdder();
  private final LongAdder restoreFailures = new LongAdder();
  private volatile Instant lastBackup;
  private volatile boolean targetListed;

  BackupActivity(SetCatalog catalog) {
    this.catalog = catalog;
  }

  /** Runs one backup of {@code storage} ({@code work} takes it), counting and recording it. */
  BackupManifest backup(Storage storage, Supplier<BackupManifest> work) {
    BackupEvent event = null;
    if (BACKUP_PROBE.isEnabled()) {
      event = new BackupEvent();
      event.begin();
      try {
        event.store = storage.admin().directory().toString();
      } catch (RuntimeException closed) {
        // a closed store: the backup fails below and says so
      }
    }
    BackupManifest m;
    try {
      m = work.get();
    } catch (RuntimeException | Error e) {
      backupFailures.increment();
      if (event != null) {
        event.error = String.valueOf(e.getMessage()); // names the set, if it had an id
        event.commit();
      }
      throw e;
    }
    backups.increment();
    Instant last = lastBackup;
    if (last == null || m.createdAt().isAfter(last)) {
      lastBackup = m.createdAt();
    }
    if (event != null) {
      event.setId = m.setId();
      event.kind = m.kind().name();
      event.records = m.records();
      event.storedBytes = m.storedBytes();
      event.success = true;
      event.commit();
    }
    return m;
  }

  /** Runs one restore into {@code directory}, counting and recording it. */
  <T> T restore(String setId, Path directory, boolean overLiveStore, Supplier<T> work) {
    RestoreEvent event = null;
    if (RESTORE_PROBE.isEnabled()) {
      event = new RestoreEvent();
      event.begin();
      event.setId = setId;
      event.directory = directory.toString();
      event.overLiveStore = overLiveStore;
    }
    T result;
    try {
      result = work.get();
    } catch (RuntimeException | Error e) {
      restoreFailures.increment();
      if (event != null) {
        event.error = String.valueOf(e.getMessage());
        event.commit();
      }
      throw e;
    }
    restores.increment();
    if (event != null) {
      event.success = true;
      event.commit();
    }
    return result;
  }

  /** The counters; lists the target once if no backup was taken yet (see {@link BackupStats}). */
  BackupStats stats() {
    if (lastBackup == null && !targetListed) {
      targetListed = true;
      try {
        catalog.list().stream().map(BackupManifest::createdAt).max(Comparator.naturalOrder())
            .ifPresent(t -> {
              if (lastBackup == null) {
                lastBackup = t;
              }
            });
      } catch (RuntimeException e) {
        LOG.warn("cannot list {} for the time of its newest backup: {}", catalog.target(),
            e.toString());
      }
    }
    return new BackupStats(backups.sum(), backupFailures.sum(), restores.sum(),
        restoreFailures.sum(), Optional.ofNullable(lastBackup));
  }
}
