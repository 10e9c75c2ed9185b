package dev.cairn.storage;

import java.time.Duration;

/**
 * Receives what a store does, as it happens: for metrics with per-operation timers (such as
 * cairn-micrometer's latency histograms), tracing or audit logs. Registered with
 * {@link StorageBuilder#listener(StorageListener)}, any number per store, called in
 * registration order. Every method is a no-op by default: implement those you need.
 *
 * <p><b>Cost.</b> A store without listeners pays one array-length check per event. A listener
 * runs on the thread doing the work, inside the operation it reports, so keep it quick and
 * non-blocking (increment a counter, record a timer). Cache hits are never reported: they take
 * nanoseconds, and the cache counts them ({@link StorageStats#cacheHits()}).
 *
 * <p><b>Failures.</b> An exception thrown by a listener is caught and logged (at most one log
 * line per store a minute, with a count of those left out) and never fails the operation or
 * stops later listeners.
 *
 * <p><b>Threads.</b> Methods are called concurrently from any thread that uses the store, and
 * from its maintenance thread. {@link #onRead}, {@link #onCommit}, {@link #onRollback} and
 * {@link #onConflictRetry} run on the caller's thread, outside the store's write lock;
 * {@link #onCorruption} may run under it (a write that found the record it replaces damaged).
 */
public interface StorageListener {

  /**
   * A single-key read that the backend answered (a cache miss, or any read of a store without
   * a cache), outside a transaction. Reads in a transaction, scans and cache hits are not
   * reported.
   *
   * @param collection the collection read
   * @param nanos how long the read took, from the call to the value decoded and checked
   */
  default void onRead(String collection, long nanos) {}

  /**
   * A transaction committed: an explicit {@link Storage#transaction} or a single write call
   * ({@code put}, {@code putAll}, {@code delete}, ...), reported once however often it was
   * retried. With {@link Durability#GROUP}, each transaction of a group is reported on its own
   * caller's thread, after the group's commit is durable.
   *
   * @param durability the durability the transaction asked for
   * @param recordsWritten records it wrote
   * @param recordsDeleted records it deleted (deletes of absent keys do not count)
   * @param groupSize transactions carried by the backend commit that held this one: more than
   *     1 only for {@link Durability#GROUP} transactions committed together; 1 otherwise
   * @param nanos how long the call took, from its start to its commit being durable (retries
   *     and the wait for a group included)
   */
  default void onCommit(Durability durability, long recordsWritten, long recordsDeleted,
      int groupSize, long nanos) {}

  /**
   * A transaction ended without a commit: its function threw, its commit failed, or it still
   * conflicted after the last retry. Reported once per transaction; the exception is then
   * rethrown to the caller.
   *
   * @param cause what ended it
   */
  default void onRollback(Throwable cause) {}

  /**
   * An attempt of a transaction lost a conflict with another writer and is about to run again.
   * Several retries of one transaction are reported one by one.
   *
   * @param conflict the conflict the attempt lost
   */
  default void onConflictRetry(TransactionConflictException conflict) {}

  /**
   * A maintenance run finished, scheduled or on demand ({@link Storage#maintenance()}); called
   * on the thread that ran it, before the report is returned.
   *
   * @param report what the run did, step by step
   */
  default void onMaintenance(MaintenanceReport report) {}

  /**
   * A run of {@link StorageAdmin#verify()} finished (maintenance's {@code verify} step is one).
   * A verification that threw (a backend failure) is not reported here.
   *
   * @param report what it checked and found
   * @param duration how long it took
   */
  default void onVerify(StorageAdmin.VerificationReport report, Duration duration) {}

  /**
   * A read or write found stored bytes damaged and raised (or, for a record being overwritten
   * or deleted, logged) a {@link DataCorruptionException}; counted in
   * {@link StorageStats#corruptionsDetected()}.
   *
   * @param exception the exception, naming the record
   */
  default void onCorruption(DataCorruptionException exception) {}
}
