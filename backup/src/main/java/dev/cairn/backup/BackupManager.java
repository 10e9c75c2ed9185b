package dev.cairn.backup;

import dev.cairn.storage.BackupException;
import dev.cairn.storage.MaintenanceTask;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.spi.BackupTarget;
import dev.cairn.storage.spi.BackupTargetProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Creates, lists, verifies and restores backups of a {@link Storage}, applies retention, and
 * provides the {@link MaintenanceTask} that takes scheduled backups.
 *
 * <pre>{@code
 * BackupManager backups = BackupManager.builder()
 *     .target(Path.of("/var/backups/orders"))
 *     .kind(BackupKind.INCREMENTAL)
 *     .interval(Duration.ofHours(6))
 *     .retainLast(14)
 *     .build();
 * Storage storage = Storage.builder()
 *     .directory(Path.of("/var/lib/orders"))
 *     .maintenanceTask(backups.maintenanceTask())
 *     .open();
 * BackupManifest set = backups.backup(storage);            // also on demand
 * VerifyReport report = backups.verify(set.setId());        // never throws for findings
 * backups.restoreTo(set.setId(), Path.of("/tmp/orders-copy"), Storage.builder());
 * }</pre>
 *
 * <p><b>Sets.</b> Each backup is a set of objects {@code <setId>/...} in the target; its
 * {@code manifest.json} is written last, so a set without one is incomplete: it is ignored by
 * {@link #list()} and removed by retention once it is older than
 * {@link Builder#incompleteGrace} (a day by default). A set whose manifest is present but
 * unusable is damaged: {@link #listDamaged()} lists it with the reason.
 *
 * <p><b>Restores</b> verify the set first and refuse a damaged one with a
 * {@link BackupException} naming the file. They build the new store in a temporary sibling
 * directory and move it into place only when it opened and passed the store's own integrity
 * check, so a failure never leaves a half-restored directory.
 *
 * <p>Thread-safe. Backups may run while the store is being written: every kind reads one
 * consistent snapshot.
 */
public final class BackupManager {

  // The API and its builder. The work is done by package-private classes, one per operation:
  // SetWriter (backup), SetCatalog (listing, reading the target), SetVerifier (verify),
  // Restorer and LogicalImporter (restoreTo, restoreOver), Retention (applyRetention) and
  // ScheduledBackupTask (maintenanceTask). They log under this class's category.

  private final BackupTarget target;
  private final SetCatalog catalog;
  private final SetWriter writer;
  private final SetVerifier verifier;
  private final Restorer restorer;
  private final Retention retention;
  private final BackupKind kind;
  private final Duration interval;
  private final Clock clock;
  private final BackupActivity activity;

  private BackupManager(Builder b) {
    this.target = b.target;
    this.catalog = new SetCatalog(b.target);
    this.activity = new BackupActivity(catalog);
    this.writer = new SetWriter(
        catalog, b.clock, b.listener, b.workDirectory, b.maxChainLength, activity);
    this.verifier = new SetVerifier(catalog, b.listener, b.workDirectory);
    this.restorer = new Restorer(verifier, b.listener, b.faultHook);
    this.retention = new Retention(catalog, b.clock, b.retainLast, b.retainMaxAge,
        b.incompleteGrace);
    this.kind = b.kind;
    this.interval = b.interval;
    this.clock = b.clock;
  }

  /**
   * A new builder; {@link Builder#target} is required.
   *
   * @return a builder with the defaults described on its setters
   */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the target this manager writes its sets to} */
  public BackupTarget target() {
    return target;
  }

  /**
   * Takes a backup of the configured {@link Builder#kind kind}.
   *
   * @param storage the open store to back up
   * @return the manifest of the new set
   */
  public BackupManifest backup(Storage storage) {
    return backup(storage, kind);
  }

  /**
   * Takes a backup of {@code storage} while it keeps running, and publishes it in the target.
   *
   * @param storage the open store to back up; it keeps serving meanwhile
   * @param kind the kind of set to take
   * @return the manifest of the new set
   * @throws BackupException if the backup cannot be taken or written; nothing of the set is
   *     left published
   */
  public BackupManifest backup(Storage storage, BackupKind kind) {
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(kind, "kind");
    return writer.write(storage, kind);
  }

  /**
   * Every complete set in the target (those with a readable manifest written by this module),
   * sorted by id (creation time). A set whose manifest is present but unusable is not a complete
   * set: it is not in this list but in {@link #listDamaged()}.
   *
   * @return the complete sets, oldest first
   * @throws BackupException if the target cannot be listed
   */
  public List<BackupManifest> list() {
    return catalog.list();
  }

  /**
   * The newest complete set of one store: what scheduled backups and health checks measure the
   * age of the store's backups by.
   *
   * @param storeId the store's id ({@code storage.admin().storeId()})
   * @return its newest complete set, or empty if the target holds none
   * @throws BackupException if the target cannot be listed
   */
  public Optional<BackupManifest> newest(String storeId) {
    Objects.requireNonNull(storeId, "storeId");
    return catalog.newest(storeId);
  }

  /**
   * A set whose {@code manifest.json} exists but cannot be used: it cannot be read, is truncated
   * or not JSON, is not a manifest of this module, has a format version this module does not
   * read, or does not describe the set. Such a set cannot be restored; {@link #verify} reports
   * the same reason as a problem of {@code manifest.json}; retention never deletes it.
   *
   * @param setId the set's id (its directory in the target)
   * @param reason why its manifest is unusable, one line, e.g. {@code manifest.json: not valid
   *     JSON: Unexpected end-of-input ...}
   */
  public record DamagedSet(String setId, String reason) {
    /**
     * Checks that both components are present.
     *
     * @param setId the set's id (its directory in the target)
     * @param reason why its manifest is unusable, one line, e.g. {@code manifest.json: not valid
     *     JSON: Unexpected end-of-input ...}
     */
    public DamagedSet {
      Objects.requireNonNull(setId, "setId");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Every set in the target whose manifest is present but unusable (see {@link DamagedSet}),
   * sorted by id: what {@link #list()} leaves out, so that a listing can show every set. A set
   * without a manifest is not damaged but incomplete (a backup in progress or interrupted) and
   * is in neither list.
   *
   * @return the damaged sets, oldest first
   * @throws BackupException if the target cannot be listed
   */
  public List<DamagedSet> listDamaged() {
    return catalog.listDamaged();
  }

  /**
   * The manifest of a set, if it is complete and readable.
   *
   * @param setId the set's id
   * @return its manifest, or empty if the set is absent, incomplete or damaged
   */
  public Optional<BackupManifest> manifest(String setId) {
    SetIds.check(setId);
    return catalog.manifest(setId);
  }

  /**
   * Verifies a set: every file's size and SHA-256 against the manifest; for a native set, the
   * archive is unpacked to a temporary directory, opened with its backend and checked with the
   * store's integrity check; for a logical set, every record is decoded and every blob's hash
   * checked and every blob reference resolved (through the parents of an incremental set,
   * whose files are checksummed too). Never throws for what it finds.
   *
   * @param setId the set's id
   * @return what was checked and every problem found
   * @throws IllegalArgumentException if {@code setId} is not a well-formed set id
   */
  public VerifyReport verify(String setId) {
    SetIds.check(setId);
    return verifier.verify(setId);
  }

  /**
   * Restores a set into a new directory with the set's own backend and default settings.
   *
   * @param setId the set's id
   * @param directory an absent or empty directory
   * @see #restoreTo(String, Path, StorageBuilder)
   */
  public void restoreTo(String setId, Path directory) {
    SetIds.check(setId);
    BackupManifest m = manifest(setId).orElseThrow(() -> new BackupException("set " + setId
        + " has no usable manifest in " + target));
    restoreTo(setId, directory, Storage.builder().backend(m.backend()));
  }

  /**
   * Restores a set into {@code directory}, which must be absent or empty. The set is verified
   * first; the store is built in a temporary sibling directory with {@code builder} (its
   * backend, codec and other settings; a logical set may be restored into any backend, a
   * native one only into its own), opened and checked there, and then renamed into place.
   * The builder's directory is set to {@code directory} on return.
   *
   * @param setId the set's id
   * @param directory an absent or empty directory
   * @param builder the settings of the restored store
   * @throws IllegalArgumentException if {@code directory} is not absent or empty
   * @throws BackupException if the set is damaged (the message names the file) or the restore
   *     fails; {@code directory} is then left as it was
   */
  public void restoreTo(String setId, Path directory, StorageBuilder builder) {
    SetIds.check(setId);
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(builder, "builder");
    activity.restore(setId, directory, false, () -> {
      restorer.restoreTo(setId, directory, builder);
      return null;
    });
  }

  /**
   * Restores a set over a running store and returns the store reopened on the restored data.
   *
   * <p>Steps: verify the set; build and check the restored store in a temporary sibling of the
   * store's directory (the live store keeps serving meanwhile); write the swap journal
   * {@code .<dir>.swap} beside the directory and hold its lock; close {@code live}; rename its
   * directory to {@code <dir>.old-<setId>} and the new one to {@code <dir>}; open it with
   * {@code reopen} and run its integrity check; record the restore as committed in the journal;
   * only then delete the old directory, the staging directory and the journal. Nothing is ever
   * copied under open files. The returned instance has a new, empty cache.
   *
   * <p>If anything fails before {@code live} is closed, {@code live} stays open and untouched.
   * If it fails after, the old directory is renamed back, so the store reopens with its data as
   * it was; {@code live} is closed and the exception says so.
   *
   * <p>If the process dies at any point ({@code kill -9}, power loss), the next open of the
   * directory — by any program, with or without this module — finishes the swap from the
   * journal before it opens the store: it puts the old directory back unless the restore was
   * committed, and finishes it if it was. The store then holds its data from before the
   * restore or the complete restored data, never nothing. An {@link Error} thrown inside this
   * method is treated like a crash: it releases what it holds, leaves the directories as they
   * are and the next open finishes the job. See backup/README.md, "After a crash".
   *
   * @param setId the set's id
   * @return the store reopened on the restored data, in place of {@code live}
   * @param live the open store; closed by this call once the restored data is ready
   * @param reopen the builder to reopen it with (its directory is set to the store's)
   * @throws BackupException if the set is damaged or the restore fails
   */
  public Storage restoreOver(String setId, Storage live, StorageBuilder reopen) {
    SetIds.check(setId);
    Objects.requireNonNull(live, "live");
    Objects.requireNonNull(reopen, "reopen");
    return activity.restore(setId, live.admin().directory(), true,
        () -> restorer.restoreOver(setId, live, reopen));
  }

  /**
   * What this manager did since it was built: backups and restores, their failures, and when
   * the newest backup began (see {@link BackupStats}). Cheap, except that the first call before
   * any backup lists the target once to find its newest set. Each backup and restore is also
   * recorded as a JFR event ({@code dev.cairn.Backup}, {@code dev.cairn.Restore}) while a
   * recording enables it.
   *
   * @return the counters now
   */
  public BackupStats stats() {
    return activity.stats();
  }

  /**
   * Deletes the sets that retention no longer keeps, for every store in the target, and
   * incomplete sets (no manifest) older than {@link Builder#incompleteGrace} (a day by
   * default). Kept, per store: the newest set; the newest {@link Builder#retainLast N} sets; the
   * sets younger than {@link Builder#retainMaxAge}; and every parent of a kept incremental set.
   * Without any retention rule nothing complete is deleted. Only sets whose manifest carries
   * this module's marker are ever deleted.
   *
   * @return the ids of the deleted sets
   * @throws BackupException if the target cannot be listed
   */
  public List<String> applyRetention() {
    return retention.apply(null);
  }

  /**
   * The maintenance step named {@code backup}, for {@link StorageBuilder#maintenanceTask}. Each
   * maintenance run checks when the newest set of the store was taken; if that is at least
   * {@link Builder#interval} ago (or there is none) it takes a backup of the configured kind.
   * Every run then applies retention to the store's sets. Its report line names the set, its
   * size and how long it took.
   *
   * @return the task; add it to every store that should be backed up on schedule
   */
  public MaintenanceTask maintenanceTask() {
    return new ScheduledBackupTask(catalog, writer, retention, clock, interval, kind);
  }

  /**
   * Configures a {@link BackupManager}. Every setter validates at once and throws
   * {@link IllegalArgumentException} saying what was wrong.
   */
  public static final class Builder {
    private BackupTarget target;
    private BackupKind kind = BackupKind.LOGICAL;
    private int retainLast;
    private Duration retainMaxAge;
    private Duration interval = Duration.ofHours(24);
    private int maxChainLength = 8;
    private Duration incompleteGrace = Duration.ofDays(1);
    private BackupListener listener = BackupListener.NONE;
    private Path workDirectory = Path.of(System.getProperty("java.io.tmpdir"));
    private Clock clock = Clock.systemUTC();
    private Restorer.FaultHook faultHook = Restorer.FaultHook.NONE;

    private Builder() {}

    /**
     * Where sets are written (required).
     *
     * @param target any implementation of the {@link BackupTarget} SPI, e.g. a third party's
     * @return this builder
     */
    public Builder target(BackupTarget target) {
      this.target = Objects.requireNonNull(target, "target");
      return this;
    }

    /**
     * A local directory as the target (created if absent).
     *
     * @param directory the directory holding the sets
     * @return this builder
     */
    public Builder target(Path directory) {
      Objects.requireNonNull(directory, "directory");
      this.target = new LocalBackupTarget(directory);
      return this;
    }

    /**
     * The target at a URI, opened by the {@link BackupTargetProvider} that supports it (found
     * with {@link ServiceLoader}; {@code file:} is built in).
     *
     * @param location the target's location, e.g. {@code file:/var/backups/orders}
     * @return this builder
     * @throws IllegalArgumentException if no provider, or more than one, supports it
     */
    public Builder target(URI location) {
      Objects.requireNonNull(location, "location");
      List<BackupTargetProvider> found = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (BackupTargetProvider p : ServiceLoader.load(BackupTargetProvider.class)) {
        names.add(p.name());
        if (p.supports(location)) {
          found.add(p);
        }
      }
      if (found.size() != 1) {
        throw new IllegalArgumentException((found.isEmpty() ? "no backup target provider supports "
            : "several backup target providers support ") + location + "; found " + names);
      }
      this.target = found.get(0).open(location);
      return this;
    }

    /**
     * The kind {@link BackupManager#backup(Storage)} and the maintenance task take (default
     * LOGICAL).
     *
     * @param kind {@code NATIVE}, {@code LOGICAL} or {@code INCREMENTAL}
     * @return this builder
     */
    public Builder kind(BackupKind kind) {
      this.kind = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /**
     * Retention keeps the newest {@code n} sets of each store (default 0: no count rule).
     *
     * @param n 0 or more
     * @return this builder
     */
    public Builder retainLast(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("retain last must not be negative, got " + n);
      }
      this.retainLast = n;
      return this;
    }

    /**
     * Retention keeps the sets younger than {@code age} (default: no age rule).
     *
     * @param age a positive duration
     * @return this builder
     */
    public Builder retainMaxAge(Duration age) {
      Objects.requireNonNull(age, "retain max age");
      if (age.isNegative() || age.isZero()) {
        throw new IllegalArgumentException("retain max age must be positive, got " + age);
      }
      this.retainMaxAge = age;
      return this;
    }

    /**
     * The least time between two backups taken by the maintenance task (default 24 h). A
     * maintenance run before it has passed since the store's newest set takes no backup.
     *
     * @param interval zero or more
     * @return this builder
     */
    public Builder interval(Duration interval) {
      this.interval = notNegative(interval, "interval");
      return this;
    }

    /**
     * The most sets an incremental chain holds, the full set included (default 8); the next
     * incremental backup after that is a full logical set.
     *
     * @param sets 1 to 1000
     * @return this builder
     */
    public Builder maxChainLength(int sets) {
      if (sets < 1 || sets > 1000) {
        throw new IllegalArgumentException("max chain length must be in 1..1000, got " + sets);
      }
      this.maxChainLength = sets;
      return this;
    }

    /**
     * How old an incomplete set must be before retention removes it (default 1 day).
     *
     * @param grace zero or more
     * @return this builder
     */
    public Builder incompleteGrace(Duration grace) {
      this.incompleteGrace = notNegative(grace, "incomplete grace");
      return this;
    }

    /**
     * Receives progress events (default: none).
     *
     * @param listener told of every progress event
     * @return this builder
     */
    public Builder listener(BackupListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Where backups stage their files and verifications unpack (default
     * {@code java.io.tmpdir}). Restores stage next to the destination instead, so the final
     * rename stays on one file system.
     *
     * @param directory a directory for temporary files, created if absent
     * @return this builder
     */
    public Builder workDirectory(Path directory) {
      this.workDirectory = Objects.requireNonNull(directory, "work directory");
      return this;
    }

    Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    Builder faultHook(Restorer.FaultHook hook) {
      this.faultHook = Objects.requireNonNull(hook, "fault hook");
      return this;
    }

    /**
     * The manager.
     *
     * @return a manager of the sets in the target
     * @throws IllegalArgumentException if no target is set
     */
    public BackupManager build() {
      if (target == null) {
        throw new IllegalArgumentException("a backup target is required: call target(...)");
      }
      return new BackupManager(this);
    }

    private static Duration notNegative(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative, got " + d);
      }
      return d;
    }
  }
}
