package dev.cairn.storage.internal;

import dev.cairn.storage.StorageClosedException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets {@code close()} stop new operations and wait for those in flight, at the cost of two
 * atomic adds per operation on a counter of the caller's own stripe.
 *
 * <p>A {@link java.util.concurrent.locks.ReentrantReadWriteLock} did the same, but every read
 * lock and unlock is a compare-and-set on one shared word: with two threads reading, the cache
 * line bounced between cores on every operation and reads did not scale (JFR on
 * {@code CompareBenchmark.pointRead2t}). Here each thread counts on its own cache line (stripes
 * chosen by thread id), and {@link #closeAndAwait()} sums the stripes.
 *
 * <p>Correctness is Dekker's: {@link #enter()} increments, then reads {@code closing};
 * {@link #closeAndAwait()} sets {@code closing}, then reads the counters. Both are sequentially
 * consistent accesses, so either the operation sees {@code closing} (and backs out) or the
 * closer sees its increment (and waits for it). A thread's increment and decrement hit the same
 * stripe, so a stripe's count is never negative.
 */
final class Lifecycle {

  private static final int STRIPES = 16; // a power of two
  private static final int PAD = 16; // longs per stripe: 128 bytes, two cache lines

  private final AtomicLongArray inFlight = new AtomicLongArray(STRIPES * PAD);
  private final Path directory;
  private volatile boolean closing;

  /** @param directory the store's directory, named by {@link #closedException()} */
  Lifecycle(Path directory) {
    this.directory = directory;
  }

  /** The caller's stripe: a hash of its thread id. */
  static int stripe() {
    long id = Thread.currentThread().getId();
    return (int) ((id * 0x9E3779B97F4A7C15L) >>> 60) & (STRIPES - 1);
  }

  /** Registers an operation; false (nothing registered) once closing has begun. */
  boolean enter() {
    if (closing) {
      return false; // without touching the counters: callers retrying in a loop cannot keep
                    // the closer waiting on their momentary increments
    }
    int i = stripe() * PAD;
    inFlight.getAndIncrement(i);
    if (closing) {
      inFlight.getAndDecrement(i);
      return false;
    }
    return true;
  }

  /**
   * Registers an operation.
   *
   * @throws StorageClosedException once closing has begun (nothing is registered then)
   */
  void enterOrThrow() {
    if (!enter()) {
      throw closedException();
    }
  }

  /** What an operation on the closed store throws. */
  StorageClosedException closedException() {
    return new StorageClosedException("storage " + directory + " is closed");
  }

  /** Ends an operation {@link #enter()} registered, on the same thread. */
  void exit() {
    inFlight.getAndDecrement(stripe() * PAD);
  }

  /** Refuses new operations, then waits until none is in flight. */
  void closeAndAwait() {
    closing = true;
    long parkNanos = TimeUnit.MICROSECONDS.toNanos(50);
    while (inFlightCount() != 0) {
      LockSupport.parkNanos(parkNanos);
      parkNanos = Math.min(parkNanos * 2, TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  long inFlightCount() {
    long n = 0;
    for (int s = 0; s < STRIPES; s++) {
      n += inFlight.get(s * PAD);
    }
    return n;
  }
}
