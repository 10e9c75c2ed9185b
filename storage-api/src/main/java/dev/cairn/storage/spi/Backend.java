package dev.cairn.storage.spi;

import java.nio.file.Path;

/**
 * A transactional, ordered key-value store of {@code byte[]} keys and values, partitioned into
 * named keyspaces fixed at open.
 *
 * <p>Semantics every implementation honours (the conformance kit checks them):
 *
 * <ul>
 *   <li>Keys compare as unsigned bytes, lexicographically (memcmp order).
 *   <li>A write transaction's changes are invisible to other transactions until its commit
 *       returns, and are all applied or none.
 *   <li>A read transaction sees one consistent snapshot for its whole life.
 *   <li>After {@code commit(SYNC)} returns, the data survives {@code kill -9}.
 *   <li>Several read transactions may run on several threads alongside one write transaction
 *       (if {@link Capability#CONCURRENT_READERS}); a transaction is used by one thread, and a
 *       write transaction is begun and ended (commit, rollback or close) on the same thread.
 *   <li>A thread may hold a read transaction while it has a write transaction open, but a
 *       backend may then be unable to grow its storage (LMDB's map) and fail the write with a
 *       clear {@link dev.cairn.storage.BackendException}; the engine avoids doing so on its
 *       hot paths.
 *   <li>{@link #beginWrite()} blocks while another write transaction of this backend is open,
 *       unless the backend has {@link Capability#MULTI_WRITER}.
 * </ul>
 *
 * <p>Errors are {@link dev.cairn.storage.BackendException} (native cause kept),
 * {@link dev.cairn.storage.StorageFullException} when out of space, and
 * {@link dev.cairn.storage.TransactionConflictException} for retryable conflicts.
 */
public interface Backend extends AutoCloseable {

  /** Begins a read-only transaction over a consistent snapshot. */
  BackendTransaction beginRead();

  /** Begins a read-write transaction. */
  BackendTransaction beginWrite();

  /**
   * Writes a consistent copy of the whole store into {@code target} (created; must not exist or
   * be empty) while other transactions keep running. The copy opens with this provider.
   */
  void snapshotTo(Path target);

  /** Reclaims space and refreshes statistics (SQLite {@code PRAGMA optimize}, compaction...). */
  void optimize();

  /** Bytes the store occupies on disk. */
  long sizeOnDisk();

  /**
   * Closes the store. Idempotent; open transactions are rolled back. Afterwards
   * {@link #beginRead()}, {@link #beginWrite()}, {@link #snapshotTo} and {@link #optimize()}
   * throw {@link dev.cairn.storage.StorageClosedException} or {@link IllegalStateException}.
   */
  @Override
  void close();
}
