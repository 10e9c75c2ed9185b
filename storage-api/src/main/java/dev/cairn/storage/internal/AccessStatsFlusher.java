package dev.cairn.storage.internal;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendTransaction;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the access statistics that reads collect in memory ({@link AccessTracker}) to the
 * records' meta entries ({@link RecordStore#accessKey}), so that a read never becomes a write:
 * on a timer ({@code accessStatsFlushInterval}), soon after too many records have pending
 * reads ({@code accessStatsMaxPending}, checked whenever the tracker's logged reads are counted:
 * {@link #collectSoon}), at maintenance and at close. Each batch of
 * {@value #BATCH} records is one backend write transaction, retried on conflict like a
 * transaction (instances sharing a store update the same records); a batch that fails puts its
 * reads, and those of the batches after it, back to be flushed later. {@link #statsOf} reads
 * a record's statistics back, flushed plus pending.
 *
 * <p>Threading: any thread may call it. Batches are written under the engine's write lock; at
 * most one collection requested by {@link #collectSoon} is queued at a time.
 */
final class AccessStatsFlusher {

  private static final int BATCH = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(AccessStatsFlusher.class);

  private final StorageConfig config;
  private final Backend backend;
  private final AccessTracker access;
  private final ReentrantLock writeLock;
  private final Lifecycle lifecycle;
  private final ScheduledExecutorService scheduler;
  private final AtomicBoolean collectScheduled = new AtomicBoolean();

  AccessStatsFlusher(StorageConfig config, Backend backend, AccessTracker access,
      ReentrantLock writeLock, Lifecycle lifecycle, ScheduledExecutorService scheduler) {
    this.config = config;
    this.backend = backend;
    this.access = access;
    this.writeLock = writeLock;
    this.lifecycle = lifecycle;
    this.scheduler = scheduler;
  }

  /** Starts the flush every {@code accessStatsFlushInterval}. */
  void schedule() {
    long flushMs = config.accessStatsFlushInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::flushQuietly, flushMs, flushMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Queues, unless one is queued already, a task on the scheduler that counts the reads the
   * tracker has logged, and flushes them if that leaves {@code accessStatsMaxPending} or more
   * records with pending reads.
   */
  void collectSoon() {
    if (!collectScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      scheduler.execute(() -> {
        collectScheduled.set(false);
        access.collect();
        if (access.pendingRecords() >= config.accessStatsMaxPending()) {
          flushQuietly();
        }
      });
    } catch (RejectedExecutionException e) {
      collectScheduled.set(false); // closing: close() flushes
    }
  }

  /** A background flush: nothing once the store is closing, failures only logged. */
  private void flushQuietly() {
    if (!lifecycle.enter()) {
      return;
    }
    try {
      flush();
    } catch (RuntimeException e) {
      LOG.warn("could not flush access statistics of {}", config.directory(), e);
    } finally {
      lifecycle.exit();
    }
  }

  /** Writes pending access statistics in batches; returns how many records were updated. */
  int flush() {
    int total = 0;
    List<AccessTracker.Drained> drained = access.drainAll();
    for (int from = 0; from < drained.size(); from += BATCH) {
      List<AccessTracker.Drained> batch =
          drained.subList(from, Math.min(drained.size(), from + BATCH));
      try {
        // instances sharing a store update the same records' statistics: a conflict is retried
        // like a transaction (each attempt adds to what is stored then, so none counts twice)
        ConflictRetry.retryAlone(alone -> {
          flushBatch(batch, alone);
          return null;
        }, null);
        total += batch.size();
      } catch (RuntimeException e) {
        access.restore(drained.subList(from, drained.size())); // this batch and the rest
        throw e;
      }
    }
    return total;
  }

  /**
   * A record's access statistics, those flushed (read in {@code rtx}) plus those pending:
   * {@code {count, lastMillis}}, zeros if it was never read.
   */
  long[] statsOf(BackendTransaction rtx, RecordKey k) {
    long count = 0;
    long last = 0;
    byte[] a = rtx.get(RecordStore.META, RecordStore.accessKey(k.bytes()));
    if (a != null) {
      long[] persisted = RecordFormat.parseAccess(
          a, RecordStore.where(k.collection(), k.key()) + " access stats");
      count = persisted[0];
      last = persisted[1];
    }
    long[] pending = access.pendingFor(k.collection(), k.key());
    if (pending != null) {
      count += pending[0];
      last = Math.max(last, pending[1]);
    }
    return new long[] {count, last};
  }

  private void flushBatch(List<AccessTracker.Drained> batch, boolean alone) {
    writeLock.lock();
    try (BackendTransaction btx = alone ? backend.beginWriteAlone() : backend.beginWrite()) {
      for (AccessTracker.Drained d : batch) {
        byte[] rk = Keys.recordKey(d.ref().collection(), d.ref().key());
        if (btx.get(RecordStore.RECORDS, rk) == null) {
          continue; // deleted since it was read
        }
        byte[] ak = RecordStore.accessKey(rk);
        byte[] prev = btx.get(RecordStore.META, ak);
        long count = d.count();
        long last = d.lastMillis();
        if (prev != null) {
          long[] p = RecordFormat.parseAccess(prev, "access stats");
          count += p[0];
          last = Math.max(last, p[1]);
        }
        btx.put(RecordStore.META, ak, RecordFormat.encodeAccess(count, last));
      }
      btx.commit(Durability.ASYNC);
    } finally {
      writeLock.unlock();
    }
  }
}
