package dev.cairn.storage.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background threads of one store, all daemons: the scheduler
 * ({@code cairn-maintenance-N}: access-statistics flushes, dictionary training, scheduled
 * maintenance) and the bounded executor of {@code storage.async()} ({@code cairn-async-N},
 * {@code asyncThreads} threads, {@code asyncQueueCapacity} queued tasks; with the queue full a
 * task runs in the caller, as back-pressure). {@link #shutdown} stops both at close.
 *
 * <p>Threading: the executors are thread-safe; {@link #shutdown} is called once, by close.
 */
final class StoreThreads {

  private static final Logger LOG = LoggerFactory.getLogger(StoreThreads.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final ScheduledExecutorService scheduler;
  private final ThreadPoolExecutor async;

  StoreThreads(StorageConfig config) {
    int id = INSTANCES.incrementAndGet();
    this.scheduler = new ScheduledThreadPoolExecutor(1, daemon("cairn-maintenance-" + id));
    this.async = new ThreadPoolExecutor(
        config.asyncThreads(), config.asyncThreads(), 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(config.asyncQueueCapacity()),
        daemon("cairn-async-" + id), (task, pool) -> {
          if (pool.isShutdown()) {
            throw new RejectedExecutionException("storage is closed");
          }
          task.run(); // queue full: back-pressure by running in the caller
        });
    this.async.allowCoreThreadTimeOut(true);
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  ThreadPoolExecutor async() {
    return async;
  }

  /**
   * Stops the scheduler at once (a flush or maintenance it started is cancelled; close flushes
   * itself) and lets async operations finish, waiting up to 30 s for each executor.
   */
  void shutdown() {
    scheduler.shutdownNow();
    async.shutdown();
    try {
      if (!async.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("async operations still running after 30 s; closing anyway");
        async.shutdownNow();
      }
      scheduler.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
