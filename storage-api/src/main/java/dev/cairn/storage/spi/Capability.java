package dev.cairn.storage.spi;

/**
 * What a plugin can do. Providers declare their capabilities; the engine and the conformance
 * kit adapt to them (a kit test that needs a missing capability is skipped with the reason,
 * never passed silently). Declare only what the plugin really does: declaring a capability turns
 * on the kit tests that hold the plugin to it, and the engine relies on it.
 */
public enum Capability {
  /**
   * Backend: scans return keys in unsigned lexicographic byte order. The engine needs it (it pages
   * scans and key ranges by the last key seen, and reads the expiry index and the change feed as
   * ranges) and refuses to open a store on a backend that does not declare it; the backend kit
   * alone can test one without it, comparing scan results as sets.
   */
  ORDERED_SCAN,
  /**
   * Backend: {@link Backend#snapshotTo(java.nio.file.Path)} writes a consistent copy while
   * writers keep committing (NATIVE backups need it; LOGICAL ones do not).
   */
  HOT_BACKUP,
  /**
   * Backend: read transactions run concurrently with each other and with the writer, each on its
   * own snapshot, never seeing uncommitted writes. Without it the engine serialises reads with
   * writes.
   */
  CONCURRENT_READERS,
  /**
   * Backend: several write transactions may be open at once; {@code commit} may then throw
   * {@link dev.cairn.storage.TransactionConflictException}, which the engine retries. Without it
   * {@link Backend#beginWrite()} must block while another write transaction is open.
   */
  MULTI_WRITER,
  /**
   * Backend: after {@code commit(SYNC)} or {@code commit(GROUP)} returns, the commit survives a
   * process crash and a power loss (not an in-memory store), and a crash never leaves part of a
   * transaction. The kit checks it with {@code kill -9} (the crash recovery group) and, with the
   * power-loss harness, against writes that were never fsynced.
   */
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
