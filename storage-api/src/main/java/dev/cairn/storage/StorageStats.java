package dev.cairn.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of an instance's counters since it was opened, from {@link Storage#stats()}.
 * Byte counts refer to values written through this instance since it was opened; the size of
 * the whole store on disk is {@link #sizeOnDisk()}.
 *
 * @param reads completed reads (get, getBytes, getAll per key, contains does not count)
 * @param writes records written (put, putBytes, putAll per record, transactional puts)
 * @param deletes records actually deleted by callers (deletes of absent keys do not count, nor
 *     do expired records that maintenance purges: its {@code purge-expired} step reports those)
 * @param cacheHits reads answered by the cache: the sum of its tiers' hit counters
 *     ({@link #cacheTiers}), which are the only count of hits
 * @param cacheMisses reads that went to the backend while a cache was configured
 * @param dedupHits writes whose content was already stored and only gained a reference
 * @param rawBytesWritten bytes of values as given by callers
 * @param storedBytesWritten bytes actually added to the store for those values
 * @param bytesSavedByDedup bytes not stored because equal content was already present (at
 *     write time, or found by maintenance: then the shared records' bytes move from
 *     {@code storedBytesWritten} and {@code bytesSavedByCompression} to this count, so that the
 *     raw bytes are always the sum of the three)
 * @param bytesSavedByCompression bytes saved by the codec on newly stored payloads
 * @param transactionsCommitted committed transactions (including single-record calls); each
 *     transaction of a {@link Durability#GROUP} group counts
 * @param transactionsRolledBack transactions that ended without a commit: the function threw,
 *     the commit failed, or the transaction still conflicted after its last retry (each counts
 *     once, however often it was retried)
 * @param conflictsRetried attempts run again after a {@link TransactionConflictException}
 * @param corruptionsDetected reads that raised {@link DataCorruptionException}
 * @param readLatency latency of single-key reads the backend answered (cache misses, and every
 *     read without a cache); cache hits take nanoseconds and are counted in {@code cacheHits},
 *     not timed, as a cache's load time covers only its misses
 * @param writeLatency latency of single-record writes and transactions
 * @param cacheTiers per-tier cache counters; empty without a cache
 * @param sizeOnDisk the backend's files' size in bytes
 * @param groupCommits backend commits that carried {@link Durability#GROUP} transactions
 * @param groupedTransactions transactions those commits carried ({@code groupedTransactions /
 *     groupCommits} is the mean group size)
 * @param maintenanceRuns maintenance runs finished, scheduled or on demand
 * @param maintenanceFailures maintenance runs with at least one failed step
 * @param lastMaintenance when the last finished maintenance run started; empty if none
 * @param verifyRuns runs of {@link StorageAdmin#verify()} finished (maintenance's verify step
 *     included); a verification that threw does not count
 * @param verifyFailures verifications that found problems
 * @param lastVerify when the last finished verification started; empty if none
 */
public record StorageStats(
    long reads,
    long writes,
    long deletes,
    long cacheHits,
    long cacheMisses,
    long dedupHits,
    long rawBytesWritten,
    long storedBytesWritten,
    long bytesSavedByDedup,
    long bytesSavedByCompression,
    long transactionsCommitted,
    long transactionsRolledBack,
    long conflictsRetried,
    long corruptionsDetected,
    Latency readLatency,
    Latency writeLatency,
    List<CacheTierStats> cacheTiers,
    long sizeOnDisk,
    long groupCommits,
    long groupedTransactions,
    long maintenanceRuns,
    long maintenanceFailures,
    Optional<Instant> lastMaintenance,
    long verifyRuns,
    long verifyFailures,
    Optional<Instant> lastVerify) {

  /**
   * Copies {@code cacheTiers}, so that the statistics cannot change.
   *
   * @param reads completed reads (get, getBytes, getAll per key, contains does not count)
   * @param writes records written (put, putBytes, putAll per record, transactional puts)
   * @param deletes records actually deleted by callers (deletes of absent keys do not count, nor
   *     do expired records that maintenance purges: its {@code purge-expired} step reports those)
   * @param cacheHits reads answered by the cache: the sum of its tiers' hit counters
   *     ({@link #cacheTiers}), which are the only count of hits
   * @param cacheMisses reads that went to the backend while a cache was configured
   * @param dedupHits writes whose content was already stored and only gained a reference
   * @param rawBytesWritten bytes of values as given by callers
   * @param storedBytesWritten bytes actually added to the store for those values
   * @param bytesSavedByDedup bytes not stored because equal content was already present, at
   *     write time or found by maintenance (see the record's description)
   * @param bytesSavedByCompression bytes saved by the codec on newly stored payloads
   * @param transactionsCommitted committed transactions (including single-record calls); each
   *     transaction of a {@link Durability#GROUP} group counts
   * @param transactionsRolledBack transactions that ended without a commit: the function threw,
   *     the commit failed, or the transaction still conflicted after its last retry (each counts
   *     once, however often it was retried)
   * @param conflictsRetried attempts run again after a {@link TransactionConflictException}
   * @param corruptionsDetected reads that raised {@link DataCorruptionException}
   * @param readLatency latency of single-key reads the backend answered (cache misses, and every
   *     read without a cache); cache hits take nanoseconds and are counted in {@code cacheHits},
   *     not timed, as a cache's load time covers only its misses
   * @param writeLatency latency of single-record writes and transactions
   * @param cacheTiers per-tier cache counters; empty without a cache
   * @param sizeOnDisk the backend's files' size in bytes
   * @param groupCommits backend commits that carried {@link Durability#GROUP} transactions
   * @param groupedTransactions transactions those commits carried ({@code groupedTransactions /
   *     groupCommits} is the mean group size)
   * @param maintenanceRuns maintenance runs finished, scheduled or on demand
   * @param maintenanceFailures maintenance runs with at least one failed step
   * @param lastMaintenance when the last finished maintenance run started; empty if none
   * @param verifyRuns runs of {@link StorageAdmin#verify()} finished (maintenance's verify step
   *     included); a verification that threw does not count
   * @param verifyFailures verifications that found problems
   * @param lastVerify when the last finished verification started; empty if none
   */
  public StorageStats {
    cacheTiers = List.copyOf(cacheTiers);
  }

  /**
   * Latency percentiles in microseconds, from a log-bucketed histogram (each value is the upper
   * bound of its bucket, within about 10% of the true value).
   *
   * @param count how many operations were measured
   * @param p50Micros median
   * @param p95Micros 95th percentile
   * @param p99Micros 99th percentile
   * @param p999Micros 99.9th percentile
   * @param maxMicros the largest observed
   * @param totalMicros the sum of every measured latency (exact, not bucketed): with
   *     {@code count}, the mean, and what a Micrometer {@code FunctionTimer} publishes
   */
  public record Latency(
      long count, long p50Micros, long p95Micros, long p99Micros, long p999Micros, long maxMicros,
      long totalMicros) {}
}
