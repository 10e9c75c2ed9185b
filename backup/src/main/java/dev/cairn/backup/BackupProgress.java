package dev.cairn.backup;

/**
 * One progress event of a backup, verification or restore, passed to a {@link BackupListener}.
 * Totals are {@code -1} when not known in advance (for example the record count of a logical
 * backup while it is being exported).
 *
 * @param operation what is running
 * @param setId the set concerned
 * @param phase the current phase of the operation
 * @param recordsDone records processed so far in this phase
 * @param recordsTotal records this phase will process, or -1 if unknown
 * @param bytesDone bytes processed so far in this phase
 * @param bytesTotal bytes this phase will process, or -1 if unknown
 */
public record BackupProgress(
    Operation operation, String setId, Phase phase, long recordsDone, long recordsTotal,
    long bytesDone, long bytesTotal) {

  /** The operation an event belongs to. */
  public enum Operation {
    /** {@link BackupManager#backup(dev.cairn.storage.Storage, BackupKind)}. */
    BACKUP,
    /** {@link BackupManager#verify(String)}. */
    VERIFY,
    /** A restore: {@code restoreTo} or {@code restoreOver}. */
    RESTORE
  }

  /** The phases, in the order an operation goes through those it uses. */
  public enum Phase {
    /** The backend writes its hot snapshot (native backup). */
    SNAPSHOT,
    /** Records are read from one consistent snapshot and written to the stream (logical). */
    EXPORT,
    /** Snapshot files are compressed into the archive (native backup). */
    PACK,
    /** Set files are written to the target. */
    UPLOAD,
    /** Set files are read from the target and their checksums computed. */
    DOWNLOAD,
    /** Archive entries are extracted (native verify and restore). */
    UNPACK,
    /** Records are decoded and checked, or the backend's integrity check runs. */
    CHECK,
    /** Records are written into the new store (logical restore). */
    IMPORT,
    /** The live store is closed and the directories swapped (restore over a live store). */
    SWAP,
    /** The operation finished. */
    DONE
  }

  /** {@return the fraction done in this phase (0..1), or -1 if no total is known} */
  public double fraction() {
    if (bytesTotal > 0) {
      return Math.min(1.0, (double) bytesDone / bytesTotal);
    }
    if (recordsTotal > 0) {
      return Math.min(1.0, (double) recordsDone / recordsTotal);
    }
    return phase == Phase.DONE ? 1.0 : -1;
  }
}
