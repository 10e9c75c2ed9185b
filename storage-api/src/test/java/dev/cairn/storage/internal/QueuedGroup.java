package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Durability;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A group commit of a known size, for tests: a SYNC transaction holds the write lock while
 * {@code writers} GROUP writes queue behind it; {@link #releaseAndAwait()} lets them commit,
 * all in one group.
 */
final class QueuedGroup implements AutoCloseable {

  private final CountDownLatch release = new CountDownLatch(1);
  private final ExecutorService pool;
  private final Future<?> blocker;
  private final List<Future<?>> writes = new ArrayList<>();

  /**
   * Queues {@code writers} calls of {@code write.apply(i)} (each a GROUP write on its own
   * thread) behind a SYNC transaction of {@code s} that writes nothing.
   */
  QueuedGroup(Engine s, int writers, IntFunction<Runnable> write) throws InterruptedException {
    pool = Executors.newFixedThreadPool(writers + 1);
    CountDownLatch holding = new CountDownLatch(1);
    blocker = pool.submit(() -> s.transaction(Durability.SYNC, tx -> {
      holding.countDown();
      try {
        assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return null;
    }));
    assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
    for (int t = 0; t < writers; t++) {
      writes.add(pool.submit(write.apply(t)));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (s.groupQueued() < writers && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(s.groupQueued()).isEqualTo(writers);
  }

  /** Ends the SYNC transaction and waits until it and every queued write returned. */
  void releaseAndAwait() throws Exception {
    release.countDown();
    blocker.get(30, TimeUnit.SECONDS);
    for (Future<?> f : writes) {
      f.get(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    release.countDown();
    pool.shutdownNow();
  }
}
