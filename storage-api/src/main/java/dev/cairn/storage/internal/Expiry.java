package dev.cairn.storage.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Times to live turned into expiry instants (epoch milliseconds, as records store them:
 * {@link RecordFormat#NEVER} for none). Every expiry decision uses the store's clock
 * ({@link StorageConfig#clock()}).
 */
final class Expiry {

  private Expiry() {}

  /**
   * A time to live in milliseconds, rounded up (a positive TTL never expires a record at the
   * instant it is written); a TTL too long to count in milliseconds is capped.
   *
   * @throws NullPointerException if {@code ttl} is null
   * @throws IllegalArgumentException if {@code ttl} is zero or negative
   */
  static long ttlMillis(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
    try {
      long ms = ttl.toMillis();
      return ttl.minusMillis(ms).isZero() ? ms : ms + 1;
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The instant {@code ttlMillis} after {@code nowMillis}, capped at the greatest instant. */
  static long after(long nowMillis, long ttlMillis) {
    long at = nowMillis + ttlMillis;
    return at < nowMillis ? Long.MAX_VALUE : at;
  }
}
