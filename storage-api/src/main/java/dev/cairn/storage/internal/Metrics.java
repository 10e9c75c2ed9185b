package dev.cairn.storage.internal;

import dev.cairn.storage.CacheTierStats;
import dev.cairn.storage.StorageStats;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's counters; see {@link StorageStats} for their meaning. The engine's parts count
 * here directly on their hot paths; events that listeners and JFR also see go through
 * {@link Observers}, which counts them here.
 */
final class Metrics {
  /** Reads answered from the backend; {@code StorageStats.reads} adds the cache hits. */
  final LongAdder backendReads = new LongAdder();
  final LongAdder writes = new LongAdder();
  final LongAdder deletes = new LongAdder();
  final LongAdder cacheMisses = new LongAdder();
  final LongAdder dedupHits = new LongAdder();
  final LongAdder rawBytesWritten = new LongAdder();
  final LongAdder storedBytesWritten = new LongAdder();
  final LongAdder savedByDedup = new LongAdder();
  final LongAdder savedByCompression = new LongAdder();
  final LongAdder committed = new LongAdder();
  final LongAdder rolledBack = new LongAdder();
  final LongAdder conflictsRetried = new LongAdder();
  final LongAdder corruptions = new LongAdder();
  final LongAdder groupCommits = new LongAdder();
  final LongAdder groupedTransactions = new LongAdder();
  final LongAdder maintenanceRuns = new LongAdder();
  final LongAdder maintenanceFailures = new LongAdder();
  final LongAdder verifyRuns = new LongAdder();
  final LongAdder verifyFailures = new LongAdder();
  /** Start of the last finished maintenance run / verification, or null. */
  volatile Instant lastMaintenance;
  volatile Instant lastVerify;
  final LatencyHistogram readLatency = new LatencyHistogram();
  final LatencyHistogram writeLatency = new LatencyHistogram();

  /** The counters as {@link StorageStats}, with the cache's tiers and the size on disk. */
  StorageStats stats(List<CacheTierStats> tiers, long sizeOnDisk) {
    // one atomic add per hit is a large share of a hit's cost: the cache's per-tier counters
    // are the only count of hits
    long hits = tiers.stream().mapToLong(CacheTierStats::hits).sum();
    return new StorageStats(
        backendReads.sum() + hits, writes.sum(), deletes.sum(), hits, cacheMisses.sum(),
        dedupHits.sum(), rawBytesWritten.sum(), storedBytesWritten.sum(),
        savedByDedup.sum(), savedByCompression.sum(), committed.sum(),
        rolledBack.sum(), conflictsRetried.sum(), corruptions.sum(),
        readLatency.snapshot(), writeLatency.snapshot(), tiers, sizeOnDisk,
        groupCommits.sum(), groupedTransactions.sum(),
        maintenanceRuns.sum(), maintenanceFailures.sum(), Optional.ofNullable(lastMaintenance),
        verifyRuns.sum(), verifyFailures.sum(), Optional.ofNullable(lastVerify));
  }
}
