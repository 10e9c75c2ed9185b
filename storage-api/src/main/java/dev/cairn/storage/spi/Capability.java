package dev.cairn.storage.spi;

/**
 * What a plugin can do. Providers declare their capabilities; the engine and the conformance
 * kit adapt to them (a kit test that needs a missing capability is skipped with the reason,
 * never passed silently).
 */
public enum Capability {
  /** Backend: scans return keys in unsigned lexicographic byte order. */
  ORDERED_SCAN,
  /** Backend: {@link Backend#snapshotTo(java.nio.file.Path)} works while writers run. */
  HOT_BACKUP,
  /** Backend: read transactions run concurrently with each other and with the writer. */
  CONCURRENT_READERS,
  /** Backend: several write transactions may be open at once (conflicts possible). */
  MULTI_WRITER,
  /** Backend: data survives a process crash after {@code commit(SYNC)} (not an in-memory store). */
  DURABLE,
  /**
   * Backend: {@link Backend#snapshotTo(java.nio.file.Path)} writes every byte of the store into
   * the target directory, so archiving that directory is a complete backup. (A PostgreSQL
   * snapshot, by contrast, is a schema on the same server.)
   */
  SELF_CONTAINED_SNAPSHOT,
  /** Backend: several processes may open the same store at once. */
  MULTI_PROCESS,
  /** Codec: can train and use dictionaries ({@link Codec#trainDictionary}). */
  DICTIONARIES,
  /** Cache: supports expiry after write or access. */
  EXPIRY
}
