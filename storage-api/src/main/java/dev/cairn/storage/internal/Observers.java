package dev.cairn.storage.internal;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.StorageAdmin.VerificationReport;
import dev.cairn.storage.StorageListener;
import dev.cairn.storage.TransactionConflictException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the engine reports what it did, in one place: each event is counted in {@link Metrics},
 * recorded as a JFR event ({@link JfrEvents}) when a recording enables it, and passed to the
 * configured {@link StorageListener}s. A store without listeners and without a recording pays
 * a counter, an enabled check and an array-length check per event.
 *
 * <p>The cache-hit path never comes here (the engine counts its misses itself). A listener that
 * throws is logged at most once a minute per store, with a count of the failures not logged,
 * and the operation goes on.
 *
 * <p>Threading: any thread; the counters are adders and the listeners are called on the
 * reporting thread.
 */
final class Observers {

  private static final Logger LOG = LoggerFactory.getLogger(Observers.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  final Metrics metrics;
  private final StorageListener[] listeners;
  /** The store's directory, as every JFR event names it. */
  private final String store;
  private final AtomicLong nextLogAt = new AtomicLong(System.nanoTime());
  private final LongAdder notLogged = new LongAdder();

  Observers(Metrics metrics, List<StorageListener> listeners, String store) {
    this.metrics = metrics;
    this.listeners = listeners.toArray(new StorageListener[0]);
    this.store = store;
  }

  // ----------------------------------------------------------------------------------- reads

  /**
   * A single-key read the backend answered, which began at {@code startNanos} with
   * {@code event} begun ({@link JfrEvents#beginSlowRead()}, may be null).
   */
  void read(RecordKey k, boolean found, long startNanos, JfrEvents.SlowRead event) {
    long nanos = System.nanoTime() - startNanos;
    metrics.readLatency.recordNanos(nanos);
    if (event != null) {
      event.end();
      if (event.shouldCommit()) { // longer than the recording's threshold
        event.store = store;
        event.collection = k.collection();
        event.key = k.key();
        event.found = found;
        event.commit();
      }
    }
    for (StorageListener l : listeners) {
      try {
        l.onRead(k.collection(), nanos);
      } catch (RuntimeException e) {
        listenerFailed(l, "onRead", e);
      }
    }
  }

  // ---------------------------------------------------------------------------- transactions

  /**
   * One transaction as the commit pipeline runs it: when it started, its JFR event, its
   * attempts, and, once committed, what it wrote and the size of its group.
   */
  static final class TxTrace {
    final long startNanos = System.nanoTime();
    final JfrEvents.Commit event = JfrEvents.beginCommit();
    int attempts = 1;
    long recordsWritten;
    long recordsDeleted;
    int groupSize = 1;
    /**
     * A conditional write that did not apply: it wrote nothing and is reported nowhere
     * ({@link CommitPipeline#runConditional}).
     */
    boolean discarded;

    /** Notes what the committed attempt did; called by whichever thread committed it. */
    void committed(TransactionImpl.Delta d, int groupSize) {
      this.recordsWritten = d.writes;
      this.recordsDeleted = d.deletes;
      this.groupSize = groupSize;
    }
  }

  /** An attempt of {@code tx} lost {@code conflict} and runs again. */
  void conflictRetried(TxTrace tx, TransactionConflictException conflict) {
    tx.attempts++;
    metrics.conflictsRetried.increment();
    tell("onConflictRetry", l -> l.onConflictRetry(conflict));
  }

  /** {@code tx}, asking for {@code durability}, committed; called on its caller's thread. */
  void committed(TxTrace tx, Durability durability) {
    long nanos = System.nanoTime() - tx.startNanos;
    metrics.writeLatency.recordNanos(nanos);
    JfrEvents.Commit e = tx.event;
    if (e != null) {
      e.end();
      if (e.shouldCommit()) {
        e.store = store;
        e.durability = durability.name();
        e.recordsWritten = tx.recordsWritten;
        e.recordsDeleted = tx.recordsDeleted;
        e.groupSize = tx.groupSize;
        e.attempts = tx.attempts;
        e.commit();
      }
    }
    for (StorageListener l : listeners) {
      try {
        l.onCommit(durability, tx.recordsWritten, tx.recordsDeleted, tx.groupSize, nanos);
      } catch (RuntimeException ex) {
        listenerFailed(l, "onCommit", ex);
      }
    }
  }

  /** A transaction ended without a commit; called on its caller's thread. */
  void rolledBack(Throwable cause) {
    metrics.rolledBack.increment();
    tell("onRollback", l -> l.onRollback(cause));
  }

  /**
   * One backend commit carried {@code size} GROUP transactions, which wrote and deleted the
   * given records; {@code event} was begun with the group's backend transaction (may be null).
   */
  void groupCommitted(int size, long written, long deleted, JfrEvents.GroupCommit event) {
    metrics.groupCommits.increment();
    metrics.groupedTransactions.add(size);
    if (event != null) {
      event.end();
      if (event.shouldCommit()) {
        event.store = store;
        event.durability = Durability.GROUP.name();
        event.groupSize = size;
        event.recordsWritten = written;
        event.recordsDeleted = deleted;
        event.commit();
      }
    }
  }

  // ------------------------------------------------------------------ integrity, maintenance

  /** Stored bytes were found damaged. */
  void corruption(DataCorruptionException exception) {
    metrics.corruptions.increment();
    if (JfrEvents.corruptionEnabled()) {
      JfrEvents.Corruption e = new JfrEvents.Corruption();
      e.store = store;
      e.message = exception.getMessage();
      e.commit();
    }
    tell("onCorruption", l -> l.onCorruption(exception));
  }

  /** A verification that started at {@code started} and took {@code nanos} finished. */
  void verified(VerificationReport report, Instant started, long nanos, JfrEvents.Verify event) {
    metrics.verifyRuns.increment();
    if (!report.ok()) {
      metrics.verifyFailures.increment();
    }
    metrics.lastVerify = started;
    if (event != null) {
      event.end();
      if (event.shouldCommit()) {
        event.store = store;
        event.records = report.records();
        event.blobs = report.blobs();
        event.problems = report.problems().size();
        event.firstProblem = report.ok() ? null : report.problems().get(0);
        event.commit();
      }
    }
    Duration took = Duration.ofNanos(nanos);
    tell("onVerify", l -> l.onVerify(report, took));
  }

  /** A maintenance step finished; {@code event} was begun before it ran (may be null). */
  void maintenanceStep(MaintenanceReport.Step step, JfrEvents.MaintenanceStep event) {
    if (event != null) {
      event.end();
      if (event.shouldCommit()) {
        event.store = store;
        event.step = step.name();
        event.outcome = step.outcome().name();
        event.detail = step.detail();
        event.bytesFreed = step.bytesFreed();
        event.error = step.error().orElse(null);
        event.commit();
      }
    }
  }

  /** A maintenance run finished. */
  void maintenance(MaintenanceReport report) {
    metrics.maintenanceRuns.increment();
    if (!report.successful()) {
      metrics.maintenanceFailures.increment();
    }
    metrics.lastMaintenance = report.startedAt();
    tell("onMaintenance", l -> l.onMaintenance(report));
  }

  // --------------------------------------------------------------------------------- failures

  /**
   * Calls every listener for an event that is rare (not a read or a commit, whose loops stay
   * inline and allocate nothing); a listener that throws is logged and the others still run.
   */
  private void tell(String method, Consumer<StorageListener> call) {
    for (StorageListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        listenerFailed(l, method, e);
      }
    }
  }

  private void listenerFailed(StorageListener l, String method, RuntimeException e) {
    long now = System.nanoTime();
    long next = nextLogAt.get();
    if (now - next >= 0 && nextLogAt.compareAndSet(next, now + LOG_EVERY_NANOS)) {
      LOG.warn("storage listener {} threw from {} for store {}; ignored ({} more listener"
          + " failures in the last minute were not logged)", l.getClass().getName(), method, store,
          notLogged.sumThenReset(), e);
    } else {
      notLogged.increment();
    }
  }
}
