package dev.cairn.cache.tiered;

import java.time.Duration;

/**
 * Expire-after-write and expire-after-access limits in nanoseconds ({@link Long#MAX_VALUE}:
 * never), shared by both tiers so an entry's age survives demotion and promotion.
 */
record ExpiryPolicy(long afterWriteNanos, long afterAccessNanos) {

  static ExpiryPolicy of(Duration afterWrite, Duration afterAccess) {
    return new ExpiryPolicy(nanos(afterWrite), nanos(afterAccess));
  }

  private static long nanos(Duration d) {
    if (d == null) {
      return Long.MAX_VALUE;
    }
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  boolean enabled() {
    return afterWriteNanos != Long.MAX_VALUE || afterAccessNanos != Long.MAX_VALUE;
  }

  boolean afterAccessEnabled() {
    return afterAccessNanos != Long.MAX_VALUE;
  }

  /** Nanoseconds left before the entry expires (0 if it has). */
  long remaining(long writeNanos, long accessNanos, long now) {
    long left = Long.MAX_VALUE;
    if (afterWriteNanos != Long.MAX_VALUE) {
      left = Math.min(left, afterWriteNanos - (now - writeNanos));
    }
    if (afterAccessNanos != Long.MAX_VALUE) {
      left = Math.min(left, afterAccessNanos - (now - accessNanos));
    }
    return Math.max(0, left);
  }

  boolean isExpired(long writeNanos, long accessNanos, long now) {
    return enabled() && remaining(writeNanos, accessNanos, now) == 0;
  }
}
