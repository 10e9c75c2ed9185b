package dev.cairn.storage.internal;

import dev.cairn.storage.StorageStats;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * A lock-free log-bucketed latency histogram in microseconds: 8 sub-buckets per power of two
 * (values within about 10%), up to about 2^40 µs, and the exact sum of every value in
 * nanoseconds. Recording is two atomic adds on a row of counters chosen by thread (one shared
 * row made every reader's add bounce a cache line between cores): the bucket and the row's sum,
 * plus a maximum that is written only when it grows.
 */
final class LatencyHistogram {

  private static final int SUB = 8;
  private static final int BUCKETS = 41 * SUB;
  /** A row: the bucket counters, then the sum of the row's values in nanoseconds. */
  private static final int ROW = BUCKETS + 1;
  private static final int ROWS = 8; // a power of two
  private final AtomicLongArray counts = new AtomicLongArray(ROWS * ROW);
  private final LongAccumulator max = new LongAccumulator(Math::max, 0);

  void recordNanos(long nanos) {
    long n = Math.max(0, nanos);
    long micros = n / 1000;
    int row = (Lifecycle.stripe() & (ROWS - 1)) * ROW;
    counts.incrementAndGet(row + bucket(micros));
    counts.addAndGet(row + BUCKETS, n);
    max.accumulate(micros);
  }

  static int bucket(long micros) {
    if (micros < SUB) {
      return (int) micros;
    }
    int exp = 63 - Long.numberOfLeadingZeros(micros); // >= 3
    int sub = (int) (micros >>> (exp - 3)) & (SUB - 1);
    int b = (exp - 2) * SUB + sub;
    return Math.min(b, BUCKETS - 1);
  }

  /** Upper bound (inclusive) of a bucket's values. */
  static long upperBound(int bucket) {
    if (bucket < SUB) {
      return bucket;
    }
    int exp = bucket / SUB + 2;
    int sub = bucket % SUB;
    return ((long) (SUB + sub + 1) << (exp - 3)) - 1;
  }

  StorageStats.Latency snapshot() {
    long[] c = new long[BUCKETS];
    long total = 0;
    long sumNanos = 0;
    for (int row = 0; row < ROWS; row++) {
      sumNanos += counts.get(row * ROW + BUCKETS);
    }
    for (int i = 0; i < BUCKETS; i++) {
      for (int row = 0; row < ROWS; row++) {
        c[i] += counts.get(row * ROW + i);
      }
      total += c[i];
    }
    long mx = max.get();
    return new StorageStats.Latency(
        total, percentile(c, total, 0.50, mx), percentile(c, total, 0.95, mx),
        percentile(c, total, 0.99, mx), percentile(c, total, 0.999, mx), mx, sumNanos / 1000);
  }

  private static long percentile(long[] c, long total, double p, long max) {
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(p * total);
    long seen = 0;
    for (int i = 0; i < c.length; i++) {
      seen += c[i];
      if (seen >= rank) {
        return Math.min(upperBound(i), max);
      }
    }
    return max;
  }
}
