package dev.cairn.storage.internal;

import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.RecordCache;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Runs transaction functions and commits them: one backend write transaction per attempt
 * under the engine's write lock, the {@link TransactionImpl} the function writes through,
 * retries after conflicts (alone after {@value ConflictRetry#ALONE_AFTER_CONFLICTS}, see
 * {@link ConflictRetry#retryAlone}), group commit for {@link Durability#GROUP}, and what follows
 * a commit: the version high-water mark, the engine's counters, forgetting deleted records'
 * pending access statistics, dictionary-training counts, and dropping every touched key from
 * the cache (after any attempt, since a failed commit may or may not have applied). Each
 * transaction's outcome (committed, rolled back, retried; group commits) is reported to
 * {@link Observers} once, on the caller's thread and outside the write lock.
 *
 * <p>Threading: any thread may call {@link #run}. Writers are serialised by the write lock
 * (shared with the access-statistics flush and dictionary training); a function runs on its
 * caller's thread, or in a group commit on the thread leading the group, with the
 * {@link TransactionImpl} bound to that thread ({@link #currentTx}) while it runs.
 */
final class CommitPipeline {

  private final StorageConfig config;
  private final Backend backend;
  private final ValueMapping mapping;
  private final RecordStore records;
  private final VersionSequence versions;
  private final Observers observers;
  private final Metrics metrics;
  private final AccessTracker access;
  private final DictionaryTrainer dictionaries;
  private final RecordCache cache;
  private final CacheCoherence coherence;
  private final Lifecycle lifecycle;
  private final ReentrantLock writeLock;
  /** The change feed, or null when the store has none. */
  private final FeedLog feed;

  /**
   * The transaction each thread is running. The engine's read path reads this and
   * {@link #threadsInTransaction} itself (a cache hit must not add a call), so both are fields.
   */
  final ThreadLocal<TransactionImpl> currentTx = new ThreadLocal<>();
  /**
   * Threads with a {@link #currentTx} bound: while it is zero, a read outside any transaction
   * skips the thread-local lookup. A thread's own increment precedes its reads, so it always
   * finds its transaction.
   */
  final AtomicInteger threadsInTransaction = new AtomicInteger();

  CommitPipeline(StorageConfig config, Backend backend, ValueMapping mapping,
      RecordStore records, VersionSequence versions, Observers observers, AccessTracker access,
      DictionaryTrainer dictionaries, RecordCache cache, CacheCoherence coherence,
      Lifecycle lifecycle, ReentrantLock writeLock, FeedLog feed) {
    this.config = config;
    this.backend = backend;
    this.mapping = mapping;
    this.records = records;
    this.versions = versions;
    this.observers = observers;
    this.metrics = observers.metrics;
    this.access = access;
    this.dictionaries = dictionaries;
    this.cache = cache;
    this.coherence = coherence;
    this.lifecycle = lifecycle;
    this.writeLock = writeLock;
    this.feed = feed;
  }

  /**
   * Runs {@code work} in a transaction and commits it with {@code durability}, retrying it
   * after conflicts; see {@link Storage#transaction(Durability, Function)}.
   *
   * @throws IllegalStateException if this thread is already running a transaction
   */
  <R> R run(Durability durability, Function<? super TransactionImpl, R> work) {
    if (currentTransaction() != null) {
      throw new IllegalStateException(
          "a transaction is already running on this thread: use the Transaction passed to it");
    }
    Observers.TxTrace trace = new Observers.TxTrace();
    lifecycle.enterOrThrow();
    try {
      R result;
      try {
        // a GROUP transaction that runs alone commits alone, with the same promise as GROUP
        result = ConflictRetry.retryAlone(alone -> alone
                ? runOnce(durability == Durability.GROUP ? Durability.SYNC : durability, work,
                    true, trace)
                : durability == Durability.GROUP ? runGrouped(work, trace)
                    : runOnce(durability, work, false, trace),
            conflict -> observers.conflictRetried(trace, conflict));
      } catch (RuntimeException | Error e) {
        observers.rolledBack(e);
        throw e;
      }
      if (!trace.discarded) {
        observers.committed(trace, durability);
      }
      return result;
    } finally {
      lifecycle.exit();
    }
  }

  /**
   * Runs one conditional write ({@code Storage.putIfAbsent}, {@code replaceIfVersion},
   * {@code deleteIfVersion}) as a transaction of its own: {@code op} checks and, if the check
   * passes, writes, returning whether it did. One that applied is committed and reported like
   * any write call; one that did not wrote nothing, so its backend transaction ends without a
   * commit (alone) or adds nothing to its group's, and nothing is counted or reported: no
   * version taken, no counter, no listener, no cache entry dropped. Its answer was read under
   * the write lock in a backend write transaction, so it reflects the latest committed state.
   */
  boolean runConditional(Durability durability, Predicate<TransactionImpl> op) {
    return run(durability, tx -> {
      boolean applied = op.test(tx);
      if (!applied) {
        tx.discard();
      }
      return applied;
    });
  }

  /** The transaction this thread is running, or null. */
  TransactionImpl currentTransaction() {
    return threadsInTransaction.get() == 0 ? null : currentTx.get();
  }

  private void bindTransaction(TransactionImpl tx) {
    threadsInTransaction.incrementAndGet();
    currentTx.set(tx);
  }

  private void unbindTransaction() {
    currentTx.remove();
    threadsInTransaction.decrementAndGet();
  }

  private <R> R runOnce(Durability durability, Function<? super TransactionImpl, R> work,
      boolean alone, Observers.TxTrace trace) {
    writeLock.lock();
    TransactionImpl tx = null;
    try (BackendTransaction btx = alone ? backend.beginWriteAlone() : backend.beginWrite()) {
      tx = new TransactionImpl(mapping, config, records, versions, btx, feed != null);
      bindTransaction(tx);
      R result;
      try {
        result = work.apply(tx);
      } finally {
        unbindTransaction();
        tx.end();
      }
      if (tx.discarded()) {
        trace.discarded = true;
        return result; // wrote nothing: closing btx rolls it back
      }
      trace.discarded = false; // an earlier attempt may have been discarded
      tx.reserveVersions();
      FeedLog.Batch positions = feed == null ? null : feed.begin(btx);
      if (positions != null) {
        feed.append(positions, tx.changes());
        feed.beforeCommit(positions);
      }
      commit(btx, durability, positions);
      committed(tx);
      trace.committed(tx.delta(), 1);
      return result;
    } finally {
      try {
        if (tx != null) {
          // a failed commit may or may not have applied: drop cached values either way
          invalidateTouched(tx);
        }
      } finally {
        writeLock.unlock();
      }
    }
  }

  /** A transaction waiting to be run by a group commit. */
  private static final class GroupRequest<R> {
    final Function<? super TransactionImpl, R> work;
    final Observers.TxTrace trace;
    final Thread caller = Thread.currentThread();
    R result;
    Throwable failure;
    TransactionImpl tx;
    volatile boolean done;

    GroupRequest(Function<? super TransactionImpl, R> work, Observers.TxTrace trace) {
      this.work = work;
      this.trace = trace;
    }
  }

  private final ConcurrentLinkedQueue<GroupRequest<?>> groupQueue = new ConcurrentLinkedQueue<>();
  /** How many requests {@link #groupQueue} holds (its size() walks the queue). */
  private final AtomicInteger groupQueued = new AtomicInteger();
  /**
   * With a group commit window: every thread that ran a GROUP transaction lately, with the
   * {@code System.nanoTime()} it last started one. The leader waits only for these.
   */
  private final ConcurrentHashMap<Thread, Long> groupWriters = new ConcurrentHashMap<>();
  /** The leader waiting out the window, if any; each request that joins wakes it. */
  private volatile Thread windowLeader;
  /** At most this many transactions form one group. */
  private static final int MAX_GROUP = 1024;
  /** A GROUP writer counts as one that may join for this long after it last started one. */
  private static final long RECENT_GROUP_WRITER_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * {@link Durability#GROUP}: the caller queues its work; whoever holds the write lock next runs
   * every queued function in one backend transaction (one that throws is dropped and the others
   * run again: {@link #runGroup}) and commits them with one SYNC commit. Every caller
   * returns only after the commit that holds its writes is durable. Callers that arrive while a
   * group commits form the next group.
   */
  private <R> R runGrouped(Function<? super TransactionImpl, R> work, Observers.TxTrace trace) {
    GroupRequest<R> mine = new GroupRequest<>(work, trace);
    boolean window = !config.groupCommitWindow().isZero();
    if (window) {
      groupWriters.put(mine.caller, System.nanoTime());
    }
    groupQueue.add(mine);
    groupQueued.incrementAndGet();
    Thread leader = window ? windowLeader : null;
    if (leader != null) {
      LockSupport.unpark(leader); // it re-checks whether all joined
    }
    while (!mine.done) {
      if (writeLock.tryLock()) {
        try {
          if (!mine.done) {
            awaitMoreToJoin();
            runGroup();
          }
        } finally {
          writeLock.unlock();
        }
        GroupRequest<?> next = groupQueue.peek();
        if (next != null) {
          LockSupport.unpark(next.caller); // it leads the next group
        }
      } else {
        // the leader wakes us when our work is committed, or when we are to lead the next group.
        // Only the head of the queue polls (a lock held by a transaction of another durability
        // wakes nobody when it is released); the others sleep until woken, with a long timeout
        // as a safety net, so that 64 waiting writers do not spin on two cores.
        LockSupport.parkNanos(this, groupQueue.peek() == mine ? 200_000 : 20_000_000);
      }
    }
    if (mine.failure != null) {
      if (mine.failure instanceof RuntimeException re) {
        throw re;
      }
      if (mine.failure instanceof Error er) {
        throw er;
      }
      throw new IllegalStateException(mine.failure);
    }
    return mine.result;
  }

  /**
   * The leader's wait, with a {@code groupCommitWindow}, for more transactions to join its
   * group: at most the window, and only while some writer may still join. The rule: a thread
   * that started a GROUP transaction in the last second (or the last window, if longer) and is
   * alive is a writer that may join; once every such writer is queued (or the group is full),
   * nobody the leader knows of is left to wait for, so it commits at once. Each request that
   * joins wakes the leader to check again. A thread that never ran a GROUP transaction is not
   * waited for; one that arrives within the window still joins. This only shortens the wait:
   * who is in the group and when each caller returns (after the commit holding its writes is
   * durable) are unchanged.
   */
  private void awaitMoreToJoin() {
    long window = config.groupCommitWindow().toNanos();
    if (window <= 0) {
      return;
    }
    long start = System.nanoTime();
    long recent = Math.max(RECENT_GROUP_WRITER_NANOS, window);
    groupWriters.entrySet().removeIf(e -> !e.getKey().isAlive() || start - e.getValue() > recent);
    windowLeader = Thread.currentThread();
    try {
      // a request counts itself before it reads windowLeader, so one of the two sees the other
      for (long left = window; left > 0; left = start + window - System.nanoTime()) {
        if (groupQueued.get() >= Math.min(groupWriters.size(), MAX_GROUP)
            || Thread.currentThread().isInterrupted()) { // park would not wait: commit now
          return;
        }
        LockSupport.parkNanos(this, left);
      }
    } finally {
      windowLeader = null;
    }
  }

  /** GROUP transactions queued and not yet taken into a group (for tests). */
  int groupQueued() {
    return groupQueued.get();
  }

  /**
   * Runs every queued grouped transaction in one backend transaction and commits it once; holds
   * the write lock. Optimistic: if one function throws, the backend transaction is rolled back,
   * that caller gets its exception, and the others run again in a fresh backend transaction
   * (transaction functions may run more than once, as documented on
   * {@link Storage#transaction}). The common case pays nothing for isolating failures.
   */
  private void runGroup() {
    List<GroupRequest<?>> group = new ArrayList<>();
    for (GroupRequest<?> r; group.size() < MAX_GROUP && (r = groupQueue.poll()) != null; ) {
      groupQueued.decrementAndGet();
      group.add(r);
    }
    while (!group.isEmpty()) {
      GroupRequest<?> thrower = null;
      boolean committed = false;
      Throwable groupFailure = null;
      JfrEvents.GroupCommit event = JfrEvents.beginGroupCommit();
      try (BackendTransaction btx = backend.beginWrite()) {
        // the group's changes are numbered in the order its transactions ran
        FeedLog.Batch positions = feed == null ? null : feed.begin(btx);
        for (GroupRequest<?> r : group) {
          if (!runInGroup(r, btx)) {
            thrower = r;
            break;
          }
          if (positions != null) {
            feed.append(positions, r.tx.changes());
          }
        }
        if (thrower == null) {
          if (positions != null) {
            feed.beforeCommit(positions);
          }
          commit(btx, Durability.SYNC, positions);
          committed = true;
        }
      } catch (RuntimeException | Error e) {
        groupFailure = e;
      }
      for (GroupRequest<?> r : group) {
        if (r.tx != null) {
          invalidateTouched(r.tx); // a failed commit may or may not have applied
        }
      }
      if (thrower != null && groupFailure == null) {
        // everyone else runs again without the function that threw
        group.remove(thrower);
        finish(thrower);
        continue;
      }
      long written = 0;
      long deleted = 0;
      int applied = 0;
      for (GroupRequest<?> r : group) {
        applied += discarded(r) ? 0 : 1;
      }
      for (GroupRequest<?> r : group) {
        r.trace.discarded = discarded(r);
        if (committed && r.trace.discarded) {
          continue; // a conditional write that did not apply: nothing to count
        }
        if (committed) {
          committed(r.tx);
          r.trace.committed(r.tx.delta(), applied);
          written += r.tx.delta().writes;
          deleted += r.tx.delta().deletes;
        } else {
          r.failure = groupFailure;
        }
      }
      if (committed && applied > 0) {
        observers.groupCommitted(applied, written, deleted, event);
      }
      for (GroupRequest<?> r : group) {
        finish(r); // after the counts: a caller may read stats() as soon as it returns
      }
      return;
    }
  }

  /** Runs one grouped function; false if it threw (its failure is recorded). */
  private <R> boolean runInGroup(GroupRequest<R> r, BackendTransaction btx) {
    TransactionImpl tx = new TransactionImpl(mapping, config, records, versions, btx, feed != null);
    r.tx = tx;
    bindTransaction(tx);
    try {
      r.result = r.work.apply(tx);
      tx.end();
      tx.reserveVersions();
      return true;
    } catch (RuntimeException | Error e) {
      tx.end();
      r.failure = e;
      return false;
    } finally {
      unbindTransaction();
    }
  }

  /** Whether {@code r} ran in this group as a conditional write that did not apply. */
  private static boolean discarded(GroupRequest<?> r) {
    return r.tx != null && r.tx.discarded();
  }

  private static void finish(GroupRequest<?> r) {
    r.done = true;
    LockSupport.unpark(r.caller);
  }

  /**
   * Commits {@code btx}; with a feed, a commit that throws may or may not have applied its
   * positions, so the feed reads its head again before the next.
   */
  private void commit(BackendTransaction btx, Durability durability, FeedLog.Batch positions) {
    if (positions == null) {
      btx.commit(durability);
      return;
    }
    boolean done = false;
    try {
      btx.commit(durability);
      done = true;
    } finally {
      if (done) {
        feed.committed(positions);
      } else {
        feed.failed(positions);
      }
    }
  }

  private void invalidateTouched(TransactionImpl tx) {
    if (cache == null) {
      return;
    }
    for (AccessTracker.Ref ref : tx.touched()) {
      coherence.afterCommit(CacheCoherence.stripe(ref.collection(), ref.key()),
          () -> cache.invalidate(ref.collection(), ref.key()));
    }
  }

  /** After {@code tx}'s commit: its versions, the counters, and what its writes change. */
  private void committed(TransactionImpl tx) {
    tx.committed();
    TransactionImpl.Delta d = tx.delta();
    metrics.committed.increment();
    metrics.writes.add(d.writes);
    metrics.deletes.add(d.deletes);
    metrics.dedupHits.add(d.dedupHits);
    metrics.rawBytesWritten.add(d.raw);
    metrics.storedBytesWritten.add(d.stored);
    metrics.savedByDedup.add(d.savedByDedup);
    metrics.savedByCompression.add(d.savedByCompression);
    access.forget(tx.deleted());
    dictionaries.countWrites(d.dictionaryCandidates);
  }
}
