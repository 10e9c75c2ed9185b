package dev.cairn.backup;

import static dev.cairn.backup.SetCatalog.ARCHIVE;
import static dev.cairn.backup.SetCatalog.DATA;
import static dev.cairn.backup.SetCatalog.INDEX;
import static dev.cairn.backup.SetCatalog.MANIFEST;

import dev.cairn.backup.BackupManifest.FileEntry;
import dev.cairn.backup.BackupProgress.Operation;
import dev.cairn.backup.BackupProgress.Phase;
import dev.cairn.backup.LogicalFormat.FormatException;
import dev.cairn.backup.ManifestCodec.InvalidManifestException;
import dev.cairn.storage.BackupException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageAdmin.VerificationReport;
import dev.cairn.storage.spi.BackupTarget;
import dev.cairn.storage.spi.Capability;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a backup of a running store and publishes it as a new set: a native snapshot packed
 * into a ZIP and opened once before it counts, or a logical stream exported from one read
 * snapshot (incremental: without the blobs its parents hold). The files are staged in a work
 * directory, uploaded, and the manifest written last; on failure everything uploaded is deleted
 * again, manifest first.
 */
final class SetWriter {

  // logs as the manager: operators configure and search for its category
  private static final Logger LOG = LoggerFactory.getLogger(BackupManager.class);
  private static final Set<String> ISSUED = ConcurrentHashMap.newKeySet();

  private final SetCatalog catalog;
  private final BackupTarget target;
  private final Clock clock;
  private final BackupListener listener;
  private final Path workDirectory;
  private final int maxChainLength;

  private final BackupActivity activity;

  SetWriter(SetCatalog catalog, Clock clock, BackupListener listener, Path workDirectory,
      int maxChainLength, BackupActivity activity) {
    this.catalog = catalog;
    this.target = catalog.target();
    this.clock = clock;
    this.listener = listener;
    this.workDirectory = workDirectory;
    this.maxChainLength = maxChainLength;
    this.activity = activity;
  }

  /**
   * Takes a backup of {@code kind} and publishes it, counted in the manager's
   * {@link BackupStats}; see {@link BackupManager#backup}.
   */
  BackupManifest write(Storage storage, BackupKind kind) {
    return activity.backup(storage, () -> writeSet(storage, kind));
  }

  private BackupManifest writeSet(Storage storage, BackupKind kind) {
    StorageAdmin admin = storage.admin();
    String id = newSetId();
    ProgressReporter progress = new ProgressReporter(listener, Operation.BACKUP, id);
    Instant created = clock.instant();
    long t0 = System.nanoTime();
    Path work = null;
    List<String> uploaded = new ArrayList<>();
    try {
      work = WorkDirectories.create(workDirectory, "cairn-backup-");
      Contents c = kind == BackupKind.NATIVE
          ? nativeContents(admin, work, progress)
          : logicalContents(admin, kind, work, progress);
      long stored = 0;
      for (Map.Entry<FileEntry, Path> f : c.files.entrySet()) {
        progress.start(Phase.UPLOAD, -1, f.getKey().size());
        String name = id + "/" + f.getKey().name();
        try (InputStream in = progress.counting(Files.newInputStream(f.getValue()))) {
          uploaded.add(name);
          target.write(name, in);
        }
        progress.end();
        stored += f.getKey().size();
      }
      BackupManifest m = new BackupManifest(id, admin.storeId(), admin.backendName(), c.kind,
          BackupManifest.FORMAT_VERSION, created, (System.nanoTime() - t0) / 1_000_000,
          c.records, c.blobs, c.rawBytes, stored, c.parents, List.copyOf(c.files.keySet()),
          c.entries);
      uploaded.add(id + "/" + MANIFEST);
      target.write(id + "/" + MANIFEST, new ByteArrayInputStream(ManifestCodec.write(m)));
      progress.done();
      LOG.info("backup {} of store {} ({}): {} records, {} bytes in {} ms", id, m.storeId(),
          m.kind(), m.records(), m.storedBytes(), m.durationMillis());
      return m;
    } catch (IOException | UncheckedIOException e) {
      discard(uploaded);
      throw new BackupException("backup " + id + " to " + target + " failed: " + e, e);
    } catch (RuntimeException | Error e) {
      discard(uploaded);
      throw e;
    } finally {
      WorkDirectories.deleteQuietly(work);
    }
  }

  /** The files of a set being made, in the order they are uploaded. */
  private static final class Contents {
    BackupKind kind;
    final Map<FileEntry, Path> files = new LinkedHashMap<>();
    List<FileEntry> entries = List.of();
    List<String> parents = List.of();
    long records;
    long blobs;
    long rawBytes;
  }

  private Contents nativeContents(StorageAdmin admin, Path work, ProgressReporter progress)
      throws IOException {
    if (!admin.backendCapabilities().contains(Capability.SELF_CONTAINED_SNAPSHOT)) {
      throw new BackupException("backend " + admin.backendName() + " cannot take native backups:"
          + " its snapshots are not self-contained files (a PostgreSQL snapshot is a schema on"
          + " the same server); use BackupKind.LOGICAL or INCREMENTAL");
    }
    Path snapshot = work.resolve("snapshot");
    progress.start(Phase.SNAPSHOT, -1, -1);
    admin.snapshotTo(snapshot);
    progress.end();
    progress.start(Phase.PACK, -1, -1);
    NativeArchive.Packed packed =
        NativeArchive.pack(snapshot, work.resolve(ARCHIVE), ARCHIVE, progress);
    progress.end();
    // Open the snapshot once before publishing it: a backup that cannot be opened is no backup.
    progress.start(Phase.CHECK, -1, -1);
    Contents c = new Contents();
    try (Storage s = NativeArchive.openSnapshot(snapshot, admin.backendName())) {
      VerificationReport v = s.admin().verify();
      if (!v.ok()) {
        throw new BackupException("the snapshot of " + admin.directory() + " failed the integrity"
            + " check (" + v.problems().size() + " problems, first: " + v.problems().get(0) + ")");
      }
      c.records = v.records();
      c.blobs = v.blobs();
    }
    progress.add(c.records, 0);
    progress.end();
    c.kind = BackupKind.NATIVE;
    c.files.put(packed.archive(), work.resolve(ARCHIVE));
    c.entries = packed.entries();
    c.rawBytes = packed.rawBytes();
    return c;
  }

  private Contents logicalContents(StorageAdmin admin, BackupKind wanted, Path work,
      ProgressReporter progress) throws IOException {
    Contents c = new Contents();
    Set<ByteBuffer> parentBlobs = new HashSet<>();
    if (wanted == BackupKind.INCREMENTAL) {
      c.parents = chooseParents(admin.storeId(), work, parentBlobs);
    }
    c.kind = c.parents.isEmpty() ? BackupKind.LOGICAL : BackupKind.INCREMENTAL;
    Set<ByteBuffer> written = new HashSet<>();
    long[] raw = new long[1];
    FileEntry data;
    progress.start(Phase.EXPORT, -1, -1);
    try (LogicalFormat.Writer w = new LogicalFormat.Writer(work.resolve(DATA))) {
      admin.exportRecords(r -> {
        try {
          byte[] v = r.value();
          if (r.contentHash() != null) {
            ByteBuffer h = ByteBuffer.wrap(r.contentHash().clone());
            if (!parentBlobs.contains(h) && written.add(h)) {
              w.blob(r.contentHash(), v);
            }
            w.record(r.collection(), r.key(), r.createdAtMillis(), r.updatedAtMillis(), null,
                r.contentHash(), v.length, r.expiresAtMillis());
          } else {
            w.record(r.collection(), r.key(), r.createdAtMillis(), r.updatedAtMillis(), v, null,
                v.length, r.expiresAtMillis());
          }
          raw[0] += v.length;
          progress.add(1, v.length);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      data = w.finish(DATA);
      c.records = w.records();
      c.blobs = w.blobs();
    }
    progress.end();
    c.rawBytes = raw[0];
    c.files.put(data, work.resolve(DATA));
    c.files.put(LogicalFormat.writeIndex(work.resolve(INDEX), written, INDEX), work.resolve(INDEX));
    return c;
  }

  /**
   * The parents of a new incremental set: the newest logical set of the same store and its own
   * parents, unless that chain is at its maximum length or a parent's blob index is unusable
   * (then a full set is made). Fills {@code blobs} with every blob the parents hold.
   */
  private List<String> chooseParents(String storeId, Path work, Set<ByteBuffer> blobs)
      throws IOException {
    Optional<BackupManifest> latest = catalog.list().stream()
        .filter(m -> m.storeId().equals(storeId) && m.kind() != BackupKind.NATIVE)
        .max(Comparator.comparing(BackupManifest::createdAt).thenComparing(BackupManifest::setId));
    if (latest.isEmpty() || latest.get().parents().size() + 1 >= maxChainLength) {
      return List.of();
    }
    List<String> parents = new ArrayList<>(latest.get().parents());
    parents.add(latest.get().setId());
    try {
      for (String p : parents) {
        BackupManifest pm = catalog.readManifest(p);
        FileEntry idx = pm.file(INDEX).orElseThrow(() -> new IOException("set " + p + " has no "
            + INDEX));
        Path local = work.resolve("parent-" + p + ".idx");
        String problem = catalog.download(p + "/" + idx.name(), idx, local, null);
        if (problem != null) {
          throw new IOException(problem);
        }
        blobs.addAll(LogicalFormat.readIndex(local));
      }
    } catch (IOException | InvalidManifestException | FormatException e) {
      LOG.warn("cannot extend the incremental chain of {} ({}); taking a full logical backup",
          latest.get().setId(), e.getMessage());
      blobs.clear();
      return List.of();
    }
    return parents;
  }

  private String newSetId() {
    for (int attempt = 0; ; attempt++) {
      String id = SetIds.next(clock);
      if (!ISSUED.add(id)) {
        continue;
      }
      try {
        if (target.list().stream().noneMatch(n -> n.startsWith(id + "/"))) {
          return id;
        }
      } catch (IOException e) {
        throw new BackupException("cannot list " + target + ": " + e, e);
      }
      if (attempt > 100) {
        throw new BackupException("cannot find an unused set id in " + target);
      }
    }
  }

  private void discard(List<String> names) {
    // the manifest first (if it was written), so a half-deleted set is never "complete"
    for (int i = names.size() - 1; i >= 0; i--) {
      try {
        target.delete(names.get(i));
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not remove {} of a failed backup: {}", names.get(i), e.toString());
      }
    }
  }
}
