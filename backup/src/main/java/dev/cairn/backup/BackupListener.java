package dev.cairn.backup;

/**
 * Receives progress events of backups, verifications and restores (for a progress bar, a log
 * line, metrics). Called on the thread doing the work, at the start and end of every phase and
 * about every 256 records or 1 MiB in between; keep it quick. An exception it throws is logged
 * and otherwise ignored: it never fails the operation.
 */
@FunctionalInterface
public interface BackupListener {

  /** A listener that ignores every event. */
  BackupListener NONE = event -> { };

  /**
   * Called with each progress event.
   *
   * @param event the operation, its phase and how far it has got
   */
  void onProgress(BackupProgress event);
}
