package dev.cairn.storage.internal;

import java.util.concurrent.atomic.LongAdder;

/** The engine's counters; see {@link dev.cairn.storage.StorageStats} for their meaning. */
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
  final LatencyHistogram readLatency = new LatencyHistogram();
  final LatencyHistogram writeLatency = new LatencyHistogram();
}
