package dev.cairn.backup;

import dev.cairn.backup.BackupProgress.Operation;
import dev.cairn.backup.BackupProgress.Phase;
import dev.cairn.storage.BackendException;
import dev.cairn.storage.BackupException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin.VerificationReport;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.internal.ChangeFeedRestart;
import dev.cairn.storage.internal.Directories;
import dev.cairn.storage.internal.RestoreSwap;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a set: into a new directory ({@link #restoreTo}), or over a running store
 * ({@link #restoreOver}) with the crash-safe swap. Both verify the set and build and check the
 * restored store in a staging directory {@code .<dir>.restore-<random>} beside the destination
 * (so every rename stays on one file system) before anything is moved into place. The swap is
 * journaled through storage-api's {@link RestoreSwap}, whose recovery, run by the next open of
 * the store, finishes or undoes a swap a crash interrupted; backup/README.md, "Restore" and
 * "After a crash", describes the steps and what each failure leaves.
 */
final class Restorer {

  // logs as the manager: operators configure and search for its category
  private static final Logger LOG = LoggerFactory.getLogger(BackupManager.class);

  /** A test seam: called at named steps of a restore; throwing simulates a failure there. */
  interface FaultHook {
    FaultHook NONE = step -> { };

    void at(String step) throws IOException;
  }

  private final SetVerifier verifier;
  private final BackupListener listener;
  private final FaultHook faultHook;

  Restorer(SetVerifier verifier, BackupListener listener, FaultHook faultHook) {
    this.verifier = verifier;
    this.listener = listener;
    this.faultHook = faultHook;
  }

  /** Restores into an absent or empty directory; see {@link BackupManager#restoreTo}. */
  void restoreTo(String setId, Path directory, StorageBuilder builder) {
    Path dest = directory.toAbsolutePath().normalize();
    try {
      if (!absentOrEmpty(dest)) {
        throw new IllegalArgumentException("directory must be absent or empty: " + dest);
      }
      Files.createDirectories(dest.getParent());
    } catch (IOException e) {
      throw new BackupException("cannot prepare " + dest + ": " + e, e);
    }
    ProgressReporter progress = new ProgressReporter(listener, Operation.RESTORE, setId);
    Path staging = stagingDir(dest);
    Closeable stagingLock = null;
    try {
      stagingLock = RestoreSwap.lockStaging(staging);
      Path store = prepare(setId, staging, builder, null, progress, 0);
      if (Files.isDirectory(dest)) {
        Files.delete(dest); // empty, checked above
      }
      move(store, dest);
      progress.done();
    } catch (IOException e) {
      throw new BackupException("restore of set " + setId + " into " + dest + " failed: " + e, e);
    } finally {
      builder.directory(dest);
      closeQuietly(stagingLock);
      WorkDirectories.deleteQuietly(staging);
    }
  }

  /** Restores over a running store; see {@link BackupManager#restoreOver}. */
  Storage restoreOver(String setId, Storage live, StorageBuilder reopen) {
    Path dir = live.admin().directory().toAbsolutePath().normalize();
    String backend = live.admin().backendName();
    ProgressReporter progress = new ProgressReporter(listener, Operation.RESTORE, setId);
    Path staging = stagingDir(dir);
    Path old = null;
    Closeable stagingLock = null;
    RestoreSwap journal = null;
    Storage opened = null;
    boolean closed = false;
    boolean moved = false;
    boolean swapped = false;
    try {
      stagingLock = RestoreSwap.lockStaging(staging);
      // the restored feed starts above every position the live store issued
      long liveHead = ChangeFeedRestart.head(live);
      Path store = prepare(setId, staging, reopen, backend, progress, liveHead);
      DurableFiles.fsyncTree(store); // it must survive a power loss once the old one is deleted
      faultHook.at("before-close");
      old = oldDir(dir, setId);
      journal = RestoreSwap.begin(dir, old, staging, setId);
      faultHook.at("after-journal");
      progress.start(Phase.SWAP, -1, -1);
      live.close();
      closed = true;
      faultHook.at("after-close");
      move(dir, old);
      moved = true;
      faultHook.at("after-move-old");
      move(store, dir);
      swapped = true;
      faultHook.at("after-swap");
      opened = reopen.directory(dir).open();
      faultHook.at("after-reopen");
      VerificationReport v = opened.admin().verify();
      if (!v.ok()) {
        throw new BackupException("the restored store failed its integrity check: "
            + v.problems().get(0));
      }
      journal.commit();
    } catch (IOException | RuntimeException e) {
      closeQuietly(opened);
      try {
        if (journal != null) {
          rollBack(dir, old, staging, moved, swapped, journal);
        }
      } finally {
        closeQuietly(stagingLock);
        WorkDirectories.deleteQuietly(staging);
        reopen.directory(dir);
      }
      String state = closed
          ? "; the store was closed and its previous data put back in " + dir + ": reopen it"
          : "; the store was not touched";
      if (e instanceof BackupException be && !closed) {
        throw be;
      }
      throw new BackupException("restore of set " + setId + " over " + dir + " failed: "
          + e.getMessage() + state, e);
    } catch (Error e) {
      throw asCrash(e, opened, journal, stagingLock, reopen, dir);
    }
    // committed: the restore stands; what follows is cleanup that the next open would finish
    try {
      faultHook.at("after-commit");
      Directories.deleteTree(old);
      Directories.fsync(dir.getParent());
      faultHook.at("after-delete-old");
      closeQuietly(stagingLock);
      Directories.deleteTree(staging);
      journal.finish();
    } catch (IOException | RuntimeException e) {
      LOG.warn("restored set {} over {}, but could not remove {} ({}); the next open of the store"
          + " finishes that", setId, dir, old, e.toString());
      journal.close();
      closeQuietly(stagingLock);
    } catch (Error e) {
      throw asCrash(e, opened, journal, stagingLock, reopen, dir);
    }
    reopen.directory(dir);
    progress.end();
    progress.done();
    LOG.info("restored set {} over {}", setId, dir);
    return opened;
  }

  /**
   * Verifies the set, then builds the restored store in {@code staging/store} with
   * {@code builder}, opens it and checks it, and starts its change feed (if it has one) again
   * above {@code feedAbove} ({@link ChangeFeedRestart}). Returns that directory (closed).
   */
  private Path prepare(String setId, Path staging, StorageBuilder builder, String requiredBackend,
      ProgressReporter progress, long feedAbove) throws IOException {
    Files.createDirectories(staging);
    Path work = staging.resolve("work");
    Path store = staging.resolve("store");
    SetVerifier.Checked c = verifier.check(setId, work, store, progress);
    if (!c.problems.isEmpty()) {
      VerifyReport.Problem first = c.problems.get(0);
      throw new BackupException("set " + setId + " failed verification and was not restored: "
          + first + (c.problems.size() > 1 ? " (and " + (c.problems.size() - 1) + " more)" : ""));
    }
    BackupManifest m = c.manifest;
    if (m.kind() == BackupKind.NATIVE) {
      if (requiredBackend != null && !requiredBackend.equals(m.backend())) {
        throw new BackupException("set " + setId + " is a native " + m.backend()
            + " snapshot; it cannot be restored over a " + requiredBackend + " store (use a"
            + " logical set to migrate between backends)");
      }
      Storage s;
      try {
        s = builder.directory(store).open();
      } catch (BackendException | IllegalArgumentException e) {
        throw new BackupException("set " + setId + " is a native " + m.backend() + " snapshot"
            + " and the builder cannot open it (configure backend(\"" + m.backend() + "\")): "
            + e.getMessage(), e);
      }
      try (s) {
        if (!s.admin().backendName().equals(m.backend()) || !s.admin().storeId().equals(m.storeId())) {
          throw new BackupException("set " + setId + " is a native " + m.backend() + " snapshot;"
              + " the builder opened it as a " + s.admin().backendName() + " store: configure"
              + " backend(\"" + m.backend() + "\")");
        }
        ChangeFeedRestart.afterRestore(s, feedAbove);
      }
      return store;
    }
    LogicalImporter.importSet(c, work, store, builder, progress, feedAbove);
    return store;
  }

  /**
   * An {@link Error} in {@link #restoreOver} is handled like a crash: release what this process
   * holds (the reopened store, the journal's and the staging directory's locks), move nothing,
   * and let the next open finish the swap from the journal.
   */
  private static Error asCrash(Error e, Storage opened, RestoreSwap journal,
      Closeable stagingLock, StorageBuilder reopen, Path dir) {
    closeQuietly(opened);
    if (journal != null) {
      journal.close();
    }
    closeQuietly(stagingLock);
    reopen.directory(dir);
    LOG.error("restore over {} stopped by {}; the next open of the store finishes or undoes it",
        dir, e.toString());
    return e;
  }

  /** Closes a store or releases a staging directory's lock, if any, logging a failure. */
  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("could not close {}: {}", c, e.toString());
    }
  }

  /** Whether {@code dir} is absent or an empty directory. */
  private static boolean absentOrEmpty(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return true;
    }
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  /**
   * Undoes a swap that failed before it was committed: the restored directory (if it was moved
   * in) goes into the staging directory, the old one back to {@code dir}. Then the journal is
   * deleted; if the old directory cannot be moved back the journal stays, so the next open of
   * the store puts it back.
   */
  private void rollBack(Path dir, Path old, Path staging, boolean moved, boolean swapped,
      RestoreSwap journal) {
    try {
      if (swapped) {
        move(dir, staging.resolve("failed"));
      }
      if (moved) {
        move(old, dir);
        LOG.warn("restore over {} failed; the previous data was put back", dir);
      }
      journal.finish();
    } catch (IOException | RuntimeException e) {
      journal.close();
      LOG.error("restore over {} failed and the previous data could not be put back; it is in {}"
          + " and the next open of the store puts it back", dir, old, e);
      throw new BackupException("restore failed and the previous data could not be moved back"
          + " from " + old + " to " + dir + ": " + e + "; the next open of " + dir + " puts it"
          + " back (journal " + journal.file() + ")", e);
    }
  }

  private static Path stagingDir(Path dest) {
    String rand = Long.toHexString(new SecureRandom().nextLong() & Long.MAX_VALUE);
    return dest.getParent().resolve("." + dest.getFileName() + ".restore-" + rand);
  }

  private static Path oldDir(Path dir, String setId) {
    Path old = dir.resolveSibling(dir.getFileName() + ".old-" + setId);
    for (int i = 2; Files.exists(old); i++) {
      old = dir.resolveSibling(dir.getFileName() + ".old-" + setId + "-" + i);
    }
    return old;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + from + " to " + to + " atomically", e);
    }
    Directories.fsync(to.getParent());
  }
}
