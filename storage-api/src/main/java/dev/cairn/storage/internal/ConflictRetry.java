package dev.cairn.storage.internal;

import dev.cairn.storage.TransactionConflictException;
import dev.cairn.storage.spi.Backend;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a backend write again when it loses a conflict ({@link TransactionConflictException}):
 * after a short random backoff, at most {@value #MAX_RETRIES} times. Opening a store, reserving
 * a block of version numbers, committing transactions and flushing access statistics all retry
 * this way. Stateless; every method may be called from any thread.
 */
final class ConflictRetry {

  /** Retries after the first attempt; the conflict of the last one is thrown. */
  static final int MAX_RETRIES = 8;
  /** Conflicted attempts after which {@link #retryAlone} runs the next attempts alone. */
  static final int ALONE_AFTER_CONFLICTS = 3;

  private ConflictRetry() {}

  /**
   * Runs {@code work}, again after a short random backoff each time it throws
   * {@link TransactionConflictException}, at most {@value #MAX_RETRIES} retries.
   * {@code onRetry} (may be null) receives each conflict that is retried, before the retry.
   */
  static <T> T retryOnConflict(Supplier<T> work, Consumer<TransactionConflictException> onRetry) {
    return retry(alone -> work.get(), Integer.MAX_VALUE, onRetry);
  }

  /**
   * As {@link #retryOnConflict}, but after {@value #ALONE_AFTER_CONFLICTS} conflicts the
   * attempts run alone ({@code work} is passed true: use {@link Backend#beginWriteAlone()}).
   * Optimistic attempts under contention can keep losing to other instances' writers however
   * many retries they get (three instances updating one shared blob's reference count, say); an
   * attempt that runs alone waits for them instead of racing them, so a transaction that keeps
   * conflicting still commits (an attempt alone can fail only by a backend's rare false
   * positive, and is retried alone). Not for a write transaction nested in another one of the
   * same thread: it would wait for the outer one.
   */
  static <T> T retryAlone(Function<Boolean, T> work,
      Consumer<TransactionConflictException> onRetry) {
    return retry(work, ALONE_AFTER_CONFLICTS, onRetry);
  }

  private static <T> T retry(Function<Boolean, T> work, int aloneAfter,
      Consumer<TransactionConflictException> onRetry) {
    for (int attempt = 0; ; attempt++) {
      try {
        return work.apply(attempt >= aloneAfter);
      } catch (TransactionConflictException e) {
        if (attempt >= MAX_RETRIES) {
          throw e;
        }
        if (onRetry != null) {
          onRetry.accept(e);
        }
        backoff(attempt);
      }
    }
  }

  private static void backoff(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextInt(1, 2 << Math.min(attempt, 6)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransactionConflictException("interrupted while retrying a conflicting transaction", e);
    }
  }
}
