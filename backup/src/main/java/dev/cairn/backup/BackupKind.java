package dev.cairn.backup;

/** What a backup set holds. */
public enum BackupKind {
  /**
   * The backend's consistent hot snapshot ({@code StorageAdmin.snapshotTo}), packed and
   * compressed. Fast to take and restore, but restorable only into the same backend.
   */
  NATIVE,
  /**
   * A backend-neutral, compressed stream of every record and every deduplicated blob (each
   * once), read from one consistent snapshot. Restores into any backend (migration).
   */
  LOGICAL,
  /**
   * A logical set that stores every record but only the blobs absent from the earlier sets it
   * names as parents. Restoring it needs those parents. When no suitable parent exists (first
   * backup, another store, chain at its maximum length) a full {@link #LOGICAL} set is made.
   */
  INCREMENTAL
}
