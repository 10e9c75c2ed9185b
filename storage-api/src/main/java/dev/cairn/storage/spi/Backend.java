package dev.cairn.storage.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

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
 * {@link dev.cairn.storage.StorageFullException} when out of space,
 * {@link dev.cairn.storage.TransactionConflictException} for retryable conflicts, and
 * {@link dev.cairn.storage.DataCorruptionException} for damage the backend detects in its own
 * files (a failed page checksum, an impossible structure, recovery that would drop committed
 * data) — at open, on a read, or from {@link #verifyStructure()}'s callers. Never answer damage by
 * starting an empty store or by silently falling back more than the one commit a crash may tear:
 * the kit's corruption checker fails a backend that does. Caller mistakes are JDK exceptions:
 * {@link IllegalArgumentException} (an unknown keyspace, an invalid option value or an unknown
 * option key, see {@link PluginOptions}), {@link IllegalStateException} (a transaction used after
 * it ended).
 *
 * <p><b>Files.</b> The store directory belongs to Cairn. The backend owns the files it creates
 * there and must leave the others alone: the engine keeps {@code cairn.lock} (held while a store
 * is open) and {@code cairn.store} beside them, and {@link dev.cairn.storage.StorageAdmin} tools
 * may put more. A backend must fsync what makes a commit durable, including the directory entry
 * of a file it creates (a new file whose entry is not synced can vanish in a power loss: the
 * kit's power-loss harness checks it).
 *
 * <p><b>Closing while other threads work.</b> {@link #close()} may be called while other threads
 * are inside calls on transactions and cursors of this backend. It must not crash the JVM (a
 * native library must not be closed under a thread still using it), lose committed data or
 * corrupt the files. Each call that races with it either completes normally or throws
 * {@link IllegalStateException} or a {@link dev.cairn.storage.StorageException} with a message;
 * every call that starts after {@code close()} returned throws. Open transactions are rolled
 * back; their owners' later calls throw {@link IllegalStateException}. The kit runs readers and a
 * writer against a {@code close()} to check it.
 */
public interface Backend extends AutoCloseable {

  /**
   * Begins a read-only transaction over a consistent snapshot.
   *
   * @return a read-only transaction; close it
   */
  BackendTransaction beginRead();

  /**
   * Begins a read-only transaction in which each read sees the latest committed state, not one
   * snapshot ("read committed"): a read transaction for backends whose snapshot costs extra work
   * (SQLite: {@code BEGIN}, a read to pin the snapshot and {@code ROLLBACK} around the reads).
   * Everything else is as for {@link #beginRead()}; the default returns {@link #beginRead()},
   * which satisfies this contract too.
   *
   * <p>The engine uses it for reads of one record: the record names its blob by an id that is
   * never reused and whose bytes never change, so the blob read needs no shared snapshot; if
   * the blob is gone (deleted by a commit in between), the engine reads again with
   * {@link #beginRead()}.
   *
   * @return a read-only transaction; close it
   */
  default BackendTransaction beginReadLatest() {
    return beginRead();
  }

  /**
   * Reads the value of one key as a {@link #beginReadLatest()} transaction of its own would:
   * passes it to {@code reader} as {@link BackendTransaction#read} does (the bytes between the
   * buffer's position and limit, possibly the backend's own memory, valid only while {@code
   * reader} runs, never to be written or kept) and returns what {@code reader} returns; {@code
   * null} if the key is absent ({@code reader} is not called). The engine reads a record by key
   * this way outside a transaction: it is the hottest call of most applications.
   *
   * <p>{@code reader} must return quickly and must not call this backend: a backend may hold
   * what {@link #close()} or its own maintenance waits for while it runs (LMDB: a read slot,
   * which a map growth waits for). An exception from {@code reader} propagates; the backend
   * releases what it held.
   *
   * <p>Throws as a transaction would: {@link IllegalArgumentException} for an unknown (or null)
   * keyspace, {@link IllegalStateException} after {@link #close()}.
   *
   * <p>The default begins a {@link #beginReadLatest()} transaction, reads, and closes it, which
   * satisfies the contract; a backend overrides it to skip the transaction's bookkeeping.
   *
   * @param keyspace the keyspace's name
   * @param key the key
   * @param reader reads the value; not called if the key is absent
   * @param <T> what {@code reader} makes of the value
   * @return {@code reader}'s result, or {@code null} if the key is absent
   */
  default <T> T readLatest(String keyspace, byte[] key,
      java.util.function.Function<java.nio.ByteBuffer, T> reader) {
    try (BackendTransaction t = beginReadLatest()) {
      return t.read(keyspace, key, reader);
    }
  }

  /**
   * {@link #readLatest}, handing the value in the parts the backend kept, as
   * {@link BackendTransaction#readParts} does. The default calls {@link #readLatest} and hands
   * the whole value with a null body.
   *
   * @param keyspace the keyspace's name
   * @param key the key
   * @param reader reads the value; not called if the key is absent
   * @param <T> what {@code reader} makes of the value
   * @return {@code reader}'s result, or {@code null} if the key is absent
   */
  default <T> T readLatestParts(String keyspace, byte[] key,
      BackendTransaction.PartsReader<T> reader) {
    return readLatest(keyspace, key, v -> reader.read(v, null));
  }

  /**
   * Begins a read-write transaction.
   *
   * @return a read-write transaction; commit or close it
   */
  BackendTransaction beginWrite();

  /**
   * Begins a read-write transaction that runs alone: once it has begun, no write transaction of
   * another instance sharing the store ({@link Capability#MULTI_WRITER}) writes until it ends,
   * and every one that had written has ended, so it cannot fail with a
   * {@link dev.cairn.storage.TransactionConflictException} because of them. It waits for those
   * writers and holds the others up while it runs, so it costs more than
   * {@link #beginWrite()}: the engine uses it only for the last attempts of a transaction that
   * kept conflicting, so that such a transaction makes progress however busy the store is.
   * Never called while the calling thread has another write transaction open.
   *
   * <p>The default returns {@link #beginWrite()}, which is right for a backend whose write
   * transactions never overlap.
   *
   * @return a read-write transaction; commit or close it
   */
  default BackendTransaction beginWriteAlone() {
    return beginWrite();
  }

  /**
   * Writes a consistent copy of the whole store into {@code target} (created; must not exist or
   * be empty) while other transactions keep running. The copy opens with this provider.
   *
   * @param target an absent or empty directory
   */
  void snapshotTo(Path target);

  /** Reclaims space and refreshes statistics (SQLite {@code PRAGMA optimize}, compaction...). */
  void optimize();

  /**
   * Optional, for {@link Capability#MULTI_PROCESS} backends: asks to be told of keys of
   * {@code keyspaces} changed by commits of other instances (other processes, or other
   * {@code Backend}s on the same store), so that a cache above this backend can stay coherent.
   *
   * <p>Contract when it returns true: when {@link BackendTransaction#commit},
   * {@link BackendTransaction#rollback} or {@link BackendTransaction#close} of any transaction
   * of this backend returns, {@code listener} has been told (by {@code changed} or
   * {@code unknownChanges}) of every external commit that transaction's snapshot saw. Commits
   * no transaction has seen yet are reported too, asynchronously. Commits of this backend
   * itself are not reported.
   *
   * <p>A backend publishes its own commits of {@code keyspaces} for other instances only after
   * this was called: the engine calls it on every open, with a {@code null} listener when it has
   * no cache (publish only, nothing to invalidate here).
   *
   * @param keyspaces the keyspaces whose changes matter
   * @param listener told of the changes; {@code null} to publish this backend's commits only
   * @return false if the backend cannot do it (the default): the caller must not cache values
   *     other instances may change, or must accept stale reads
   */
  default boolean watchExternalCommits(Set<String> keyspaces, ExternalCommitListener listener) {
    return false;
  }

  /**
   * Optional, for a backend whose {@link #watchExternalCommits} returned true: returns once the
   * listener has been told of every external commit that had completed when this call began
   * (for PostgreSQL, one round trip on the listening connection). The engine calls it for
   * {@link dev.cairn.storage.Storage#catchUp()}.
   *
   * @return false if the backend cannot (the default): the engine then reads in a new read
   *     transaction, whose end reports every commit its snapshot saw
   */
  default boolean catchUpExternalCommits() {
    return false;
  }

  /**
   * Checks the backend's own on-disk structures (pages, trees, free lists) without trusting
   * them. {@link dev.cairn.storage.StorageAdmin#verify()} calls it before it reads any record and
   * reads none if it reports a problem. A backend whose native code can crash on damage it reads
   * (LMDB) must find that damage here, so that verify reports it instead of taking the JVM down.
   *
   * @return one line per problem found, empty when the structures are intact; the default
   *     checks nothing (backends that detect their own damage as they read need no more)
   */
  default List<String> verifyStructure() {
    return List.of();
  }

  /** {@return how many bytes the store occupies on disk} */
  long sizeOnDisk();

  /**
   * Closes the store. Idempotent; open transactions are rolled back. Afterwards
   * {@link #beginRead()}, {@link #beginWrite()}, {@link #snapshotTo} and {@link #optimize()}
   * throw {@link dev.cairn.storage.StorageClosedException} or {@link IllegalStateException}.
   * Safe to call while other threads use the backend (see the class comment).
   */
  @Override
  void close();
}
