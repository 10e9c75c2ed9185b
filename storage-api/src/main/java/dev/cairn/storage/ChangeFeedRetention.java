package dev.cairn.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * How much history a store's {@link ChangeFeed} keeps. Maintenance ({@link Storage#maintenance()},
 * scheduled every {@code maintenanceInterval}) removes the oldest changes beyond either limit;
 * until it runs the feed may hold more. A change is removed when more than {@code maxChanges}
 * newer ones exist, or when it was committed more than {@code maxAge} before the maintenance
 * run; whichever limit removes more wins. A reader behind what was removed gets
 * {@link HistoryTruncatedException}, never a gap.
 *
 * <p>The default ({@link #defaults()}) keeps the last 1,000,000 changes and at most 7 days.
 *
 * @param maxChanges the most changes kept; 0 for no limit by count
 * @param maxAge the longest a change is kept; {@link Duration#ZERO} for no limit by age
 */
public record ChangeFeedRetention(long maxChanges, Duration maxAge) {

  /** Changes kept by {@link #defaults()}. */
  public static final long DEFAULT_MAX_CHANGES = 1_000_000;
  /** Age limit of {@link #defaults()}. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);

  /**
   * Checks both limits.
   *
   * @param maxChanges the most changes kept; 0 for no limit by count
   * @param maxAge the longest a change is kept; zero for no limit by age
   * @throws IllegalArgumentException if {@code maxChanges} or {@code maxAge} is negative, or
   *     {@code maxAge} is not a whole number of milliseconds below 2^63
   * @throws NullPointerException if {@code maxAge} is null
   */
  public ChangeFeedRetention {
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxChanges < 0) {
      throw new IllegalArgumentException(
          "change feed maxChanges must not be negative (0 = no limit), got " + maxChanges);
    }
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException(
          "change feed maxAge must not be negative (zero = no limit), got " + maxAge);
    }
    try {
      maxAge.toMillis();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("change feed maxAge is too long: " + maxAge);
    }
  }

  /**
   * The default: the last {@value #DEFAULT_MAX_CHANGES} changes, none older than 7 days.
   *
   * @return the default retention
   */
  public static ChangeFeedRetention defaults() {
    return new ChangeFeedRetention(DEFAULT_MAX_CHANGES, DEFAULT_MAX_AGE);
  }

  /**
   * Keeps every change (the feed grows with every write until a restore starts it again).
   *
   * @return a retention without limits
   */
  public static ChangeFeedRetention unlimited() {
    return new ChangeFeedRetention(0, Duration.ZERO);
  }

  /**
   * This retention with another count limit.
   *
   * @param n the most changes kept; 0 for no limit by count
   * @return a new retention
   * @throws IllegalArgumentException if {@code n} is negative
   */
  public ChangeFeedRetention withMaxChanges(long n) {
    return new ChangeFeedRetention(n, maxAge);
  }

  /**
   * This retention with another age limit.
   *
   * @param age the longest a change is kept; zero for no limit by age
   * @return a new retention
   * @throws IllegalArgumentException if {@code age} is negative
   */
  public ChangeFeedRetention withMaxAge(Duration age) {
    return new ChangeFeedRetention(maxChanges, age);
  }
}
