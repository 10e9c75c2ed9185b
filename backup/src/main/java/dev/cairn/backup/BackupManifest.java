package dev.cairn.backup;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The description of one backup set, stored as {@code <setId>/manifest.json} and published
 * after every data file, so a set without a manifest is incomplete and ignored. The JSON layout
 * is documented in the module's README.
 *
 * @param setId the set's id: UTC time to the millisecond plus a random suffix, e.g.
 *     {@code 20261125T101530123Z-3f9c0a1b7d2e}; ids sort by creation time
 * @param storeId the id of the store that was backed up
 * @param backend the backend of that store ({@code sqlite}, {@code h2}, {@code lmdb}, ...)
 * @param kind {@link BackupKind#NATIVE}, {@link BackupKind#LOGICAL} or
 *     {@link BackupKind#INCREMENTAL}
 * @param formatVersion the version of the set's layout ({@value #FORMAT_VERSION} today)
 * @param createdAt when the backup started
 * @param durationMillis how long taking it took
 * @param records how many records the set holds
 * @param blobs how many deduplicated blobs the set's own files hold (for an incremental set:
 *     only those absent from its parents)
 * @param rawBytes the raw (uncompressed) size of every record value
 * @param storedBytes the size of the set's files in the target (manifest excluded)
 * @param parents for an incremental set, every set it needs to restore, oldest first (the full
 *     set, then each incremental after it); empty otherwise
 * @param files every data file of the set with its size and SHA-256
 * @param entries for a native set, every file of the snapshot inside the archive with its size
 *     and SHA-256; empty for logical sets
 */
public record BackupManifest(
    String setId,
    String storeId,
    String backend,
    BackupKind kind,
    int formatVersion,
    Instant createdAt,
    long durationMillis,
    long records,
    long blobs,
    long rawBytes,
    long storedBytes,
    List<String> parents,
    List<FileEntry> files,
    List<FileEntry> entries) {

  /** The layout version this module writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /**
   * Checks the required components and copies the lists, so that the manifest cannot change.
   *
   * @param setId the set's id: UTC time to the millisecond plus a random suffix, e.g.
   *     {@code 20261125T101530123Z-3f9c0a1b7d2e}; ids sort by creation time
   * @param storeId the id of the store that was backed up
   * @param backend the backend of that store ({@code sqlite}, {@code h2}, {@code lmdb}, ...)
   * @param kind {@link BackupKind#NATIVE}, {@link BackupKind#LOGICAL} or
   *     {@link BackupKind#INCREMENTAL}
   * @param formatVersion the version of the set's layout ({@value #FORMAT_VERSION} today)
   * @param createdAt when the backup started
   * @param durationMillis how long taking it took
   * @param records how many records the set holds
   * @param blobs how many deduplicated blobs the set's own files hold (for an incremental set:
   *     only those absent from its parents)
   * @param rawBytes the raw (uncompressed) size of every record value
   * @param storedBytes the size of the set's files in the target (manifest excluded)
   * @param parents for an incremental set, every set it needs to restore, oldest first (the full
   *     set, then each incremental after it); empty otherwise
   * @param files every data file of the set with its size and SHA-256
   * @param entries for a native set, every file of the snapshot inside the archive with its size
   *     and SHA-256; empty for logical sets
   */
  public BackupManifest {
    Objects.requireNonNull(setId, "setId");
    Objects.requireNonNull(storeId, "storeId");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(createdAt, "createdAt");
    parents = List.copyOf(parents);
    files = List.copyOf(files);
    entries = List.copyOf(entries);
  }

  /**
   * One file and its checksum.
   *
   * @param name the path relative to the set (or, for archive entries, to the store directory),
   *     {@code /}-separated
   * @param size its size in bytes
   * @param sha256 the lowercase hex SHA-256 of its bytes
   */
  public record FileEntry(String name, long size, String sha256) {
    /**
     * Checks that the name and checksum are present.
     *
     * @param name the path relative to the set (or, for archive entries, to the store directory),
     *     {@code /}-separated
     * @param size its size in bytes
     * @param sha256 the lowercase hex SHA-256 of its bytes
     */
    public FileEntry {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  /** {@return whether restoring this set needs other sets} */
  public boolean incremental() {
    return !parents.isEmpty();
  }

  /**
   * The data file with this name, if the set has it.
   *
   * @param name the file's name, relative to the set
   * @return the file's entry, or empty if the set has no such file
   */
  public Optional<FileEntry> file(String name) {
    return files.stream().filter(f -> f.name().equals(name)).findFirst();
  }
}
