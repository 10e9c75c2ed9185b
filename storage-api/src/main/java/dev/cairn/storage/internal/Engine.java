package dev.cairn.storage.internal;

import dev.cairn.storage.AsyncStorage;
import dev.cairn.storage.Bytes;
import dev.cairn.storage.CacheTierStats;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.Transaction;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.RecordCache;
import dev.cairn.storage.spi.RecordCache.CachedValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage engine: the records/blobs/meta data model of DESIGN.md section 4 over any
 * {@link Backend}, with the cache protocol of {@link CacheCoherence}.
 *
 * <p>Writes are serialised by one engine write lock (so reference counts are changed by one
 * writer at a time, in the same backend transaction as the record), reads run concurrently in
 * read-only backend transactions. A {@link Lifecycle} (striped in-flight counters) lets
 * {@link #close()} wait for operations in flight.
 */
public final class Engine implements Storage, StorageAdmin {


  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  final StorageConfig config;
  private final BackendProvider backendProvider;
  private final Backend backend;
  private final CodecRegistry codecs;
  private final RecordCache cache;
  private final CacheCoherence coherence = new CacheCoherence();
  final Metrics metrics = new Metrics();
  private final AccessTracker access = new AccessTracker();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Lifecycle lifecycle;
  private final Object closeLock = new Object();
  private final ReentrantLock maintenanceLock = new ReentrantLock();
  private final ThreadLocal<TransactionImpl> currentTx = new ThreadLocal<>();
  /**
   * Threads with a {@link #currentTx} bound: while it is zero, a read outside any transaction
   * skips the thread-local lookup. A thread's own increment precedes its reads, so it always
   * finds its transaction.
   */
  private final AtomicInteger threadsInTransaction = new AtomicInteger();
  private final String storeId;
  private final List<String> restoreLeftovers;
  private final StoreLock storeLock;
  private final ScheduledExecutorService scheduler;
  private final ThreadPoolExecutor asyncExecutor;
  private final AsyncView asyncView;
  private volatile boolean closed;
  private final VersionSequence versions;
  private final ValueMapping mapping;
  private final RecordStore records;
  private final ScanPager scans;
  private final AccessStatsFlusher accessStats;
  private final DictionaryTrainer dictionaries;
  /** Whether the backend reports other instances' commits to the cache's listener. */
  private final boolean externalCommitsWatched;

  Engine(StorageConfig config, StoreOpener.Resources r) {
    this.config = config;
    this.lifecycle = new Lifecycle(config.directory());
    this.mapping = new ValueMapping(config);
    this.backendProvider = r.backendProvider;
    this.backend = r.backend;
    this.codecs = r.codecs;
    this.cache = r.cache;
    this.storeLock = r.storeLock;
    this.storeId = r.storeId;
    this.restoreLeftovers = r.restoreLeftovers;
    this.versions = new VersionSequence(
        backend, r.backendProvider.capabilities().contains(Capability.MULTI_PROCESS), r.seq);
    this.records = new RecordStore(config, backend, codecs, versions, metrics);
    this.scans = new ScanPager(backend, records, metrics, lifecycle);
    int id = INSTANCES.incrementAndGet();
    this.scheduler = new ScheduledThreadPoolExecutor(1, daemon("cairn-maintenance-" + id));
    this.asyncExecutor = new ThreadPoolExecutor(
        config.asyncThreads(), config.asyncThreads(), 30, TimeUnit.SECONDS,
        new java.util.concurrent.ArrayBlockingQueue<>(config.asyncQueueCapacity()),
        daemon("cairn-async-" + id), (task, pool) -> {
          if (pool.isShutdown()) {
            throw new java.util.concurrent.RejectedExecutionException("storage is closed");
          }
          task.run(); // queue full: back-pressure by running in the caller
        });
    this.asyncExecutor.allowCoreThreadTimeOut(true);
    this.accessStats =
        new AccessStatsFlusher(config, backend, access, writeLock, lifecycle, scheduler);
    this.dictionaries = new DictionaryTrainer(
        config, backend, codecs, records, writeLock, lifecycle, scheduler);
    // publish our commits for other instances; listen only when there is a cache to invalidate
    boolean watched = backend.watchExternalCommits(
        Set.of(RecordStore.RECORDS), cache == null ? null : new ExternalInvalidation());
    this.externalCommitsWatched = watched && cache != null;
    if (cache != null) {
      if (!watched && backendProvider.capabilities().contains(Capability.MULTI_PROCESS)) {
        LOG.warn("backend {} is shared by several processes but cannot report their commits:"
            + " this instance's cache may serve values other instances have since changed",
            backendProvider.name());
      }
    }
    this.asyncView = new AsyncView(this, asyncExecutor);
    accessStats.schedule();
    if (config.maintenanceInterval() != null) {
      long ms = config.maintenanceInterval().toMillis();
      scheduler.scheduleWithFixedDelay(this::scheduledMaintenance, ms, ms, TimeUnit.MILLISECONDS);
    }
    if (config.accessStatistics()) {
      CoarseClock.acquire(); // released by close()
    }
  }

  /** Opens a store with a validated configuration. */
  public static Storage open(StorageConfig config) {
    return StoreOpener.open(config);
  }

  /** Drops cached values that commits of other instances (other processes) changed. */
  private final class ExternalInvalidation implements dev.cairn.storage.spi.ExternalCommitListener {
    @Override
    public void changed(String keyspace, List<byte[]> keys) {
      for (byte[] rk : keys) {
        String collection;
        String key;
        try {
          collection = Keys.collectionOf(rk);
          key = Keys.keyOf(rk);
        } catch (RuntimeException e) {
          unknownChanges();
          return;
        }
        coherence.afterCommit(CacheCoherence.stripe(collection, key),
            () -> cache.invalidate(collection, key));
      }
    }

    @Override
    public void unknownChanges() {
      coherence.afterUnknownCommits(cache::invalidateAll);
    }
  }

  // ------------------------------------------------------------------------------- lifecycle

  private void enter() {
    lifecycle.enterOrThrow();
  }

  private void exit() {
    lifecycle.exit();
  }

  /** The transaction this thread is running, or null. */
  private TransactionImpl currentTransaction() {
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

  private StorageClosedException closedException() {
    return lifecycle.closedException();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    scheduler.shutdownNow();
    asyncExecutor.shutdown();
    try {
      if (!asyncExecutor.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("async operations still running after 30 s; closing anyway");
        asyncExecutor.shutdownNow();
      }
      scheduler.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      lifecycle.closeAndAwait(); // new operations fail from here; those in flight finish
      try {
        accessStats.flush();
      } catch (RuntimeException e) {
        LOG.warn("could not flush access statistics at close", e);
      }
      closed = true;
      if (config.accessStatistics()) {
        CoarseClock.release();
      }
    }
    StoreOpener.Resources r = new StoreOpener.Resources();
    r.cache = cache;
    r.backend = backend;
    r.storeLock = storeLock;
    r.release();
  }

  // ----------------------------------------------------------------------------------- reads

  @Override
  public <T> Optional<T> get(String collection, String key, Class<T> type) {
    Objects.requireNonNull(type, "type");
    byte[] shared = readShared(collection, key);
    return shared == null ? Optional.empty() : Optional.of(mapping.read(shared, type));
  }

  @Override
  public Optional<byte[]> getBytes(String collection, String key) {
    byte[] shared = readShared(collection, key);
    if (shared == null) {
      return Optional.empty();
    }
    // without a cache the array is this read's own; with one it may be the cache's
    return Optional.of(cache == null ? shared : shared.clone());
  }

  @Override
  public Optional<ByteBuffer> getBuffer(String collection, String key) {
    byte[] shared = readShared(collection, key);
    return shared == null ? Optional.empty() : Optional.of(ByteBuffer.wrap(shared).asReadOnlyBuffer());
  }

  /**
   * As {@link #readShared}; a cache hit returns the entry's own {@code Optional}, so it
   * allocates nothing.
   */
  @Override
  public Optional<Bytes> getValue(String collection, String key) {
    CachedValue hit = cacheHit(collection, key);
    if (hit != null) {
      return hit.bytes();
    }
    byte[] v = readMissed(collection, key);
    return v == null ? Optional.empty() : Optional.of(BytesAccess.wrap(v));
  }

  /**
   * One read outside a batch: the value, or null. The array may be the cache's own, so callers
   * copy it or wrap it read-only and never modify it.
   */
  private byte[] readShared(String collection, String key) {
    CachedValue hit = cacheHit(collection, key);
    return hit != null ? hit.raw() : readMissed(collection, key);
  }

  /**
   * The cache's entry for a read outside a transaction, counted as an access of the record, or
   * null (no cache, a transaction, or a miss, which is counted).
   *
   * <p>A cache hit is the hot path of a cached store and costs a few nanoseconds, so it skips
   * what a backend read needs: it checks names only on a miss, takes no lifecycle lock (a hit
   * touches only the cache, which tolerates a concurrent {@code close()}; the {@code closed}
   * check keeps calls after close failing) and is not timed: the read-latency histogram measures
   * the reads the backend answers, as a cache's load time does, and the cache counts its hits.
   */
  private CachedValue cacheHit(String collection, String key) {
    // one flat method: every call level left on this path costs a measurable part of a hit
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(key, "key");
    if (cache == null || currentTransaction() != null) {
      return null;
    }
    // names are checked after the cache: only valid names were ever cached
    if (closed) {
      throw closedException();
    }
    CachedValue cv;
    try {
      cv = cache.get(collection, key);
    } catch (RuntimeException e) {
      if (closed) {
        throw closedException(); // the cache was closed under us
      }
      throw e;
    }
    if (cv == null) {
      metrics.cacheMisses.increment();
      return null;
    }
    countAccess(collection, key);
    return cv;
  }

  /** A read the cache did not answer: in the thread's transaction, or from the backend. */
  private byte[] readMissed(String collection, String key) {
    TransactionImpl tx = currentTransaction();
    if (tx != null) {
      return tx.getBytes(collection, key).orElse(null);
    }
    long start = System.nanoTime();
    Keys.checkCollection(collection);
    Keys.checkKey(key);
    enter();
    try {
      byte[] raw = readOne(collection, key, null, null, 0);
      metrics.readLatency.recordNanos(System.nanoTime() - start);
      return raw;
    } finally {
      exit();
    }
  }

  /**
   * Reads one value from the backend, in {@code btx} or a new read transaction, and offers it to
   * the cache (the caller found no cached copy). {@code kb} is the key's bytes, or null to
   * compute them here. With a {@code btx},
   * {@code stampBeforeBtx} is the key's coherence stamp noted before {@code btx} began.
   */
  private byte[] readOne(String collection, String key, byte[] kb, BackendTransaction btx,
      long stampBeforeBtx) {
    int stripe = cache == null ? 0 : CacheCoherence.stripe(collection, key);
    // the stamp must be noted before the snapshot the value is read from was taken: a read
    // transaction opened earlier can return a value older than a commit that bumped the stamp
    long stamp = cache == null ? 0 : btx != null ? stampBeforeBtx : coherence.stamp(stripe);
    byte[] rk = Keys.recordKey(collection, kb != null ? kb : Keys.keyBytes(key));
    RecordStore.Read read = btx != null
        ? records.readIn(btx, rk, collection, key)
        : records.readLatest(rk, collection, key);
    if (read == null) {
      return null;
    }
    byte[] raw = read.raw();
    long version = read.version();
    metrics.backendReads.increment();
    countAccess(collection, key);
    if (cache != null) {
      long ver = version;
      coherence.populateIfUnchanged(stripe, stamp,
          () -> cache.put(collection, key, new CachedValue(ver, raw)));
    }
    return raw; // shared with the cache from here on: callers copy it
  }

  private void countAccess(String collection, String key) {
    if (!config.accessStatistics()) {
      return;
    }
    int pending = access.recordRead(collection, key, CoarseClock.millis());
    if (pending >= config.accessStatsMaxPending()) {
      accessStats.flushSoon();
    }
  }

  @Override
  public boolean contains(String collection, String key) {
    Keys.checkCollection(collection);
    byte[] kb = Keys.keyBytes(key);
    TransactionImpl tx = currentTransaction();
    if (tx != null) {
      return tx.contains(collection, key);
    }
    enter();
    try {
      if (cache != null && cache.get(collection, key) != null) {
        return true;
      }
      try (BackendTransaction rtx = backend.beginRead()) {
        return rtx.get(RecordStore.RECORDS, Keys.recordKey(collection, kb)) != null;
      }
    } finally {
      exit();
    }
  }

  @Override
  public Optional<RecordMetadata> metadata(String collection, String key) {
    Keys.checkCollection(collection);
    byte[] kb = Keys.keyBytes(key);
    enter();
    try (BackendTransaction rtx = backend.beginRead()) {
      byte[] rk = Keys.recordKey(collection, kb);
      byte[] v = rtx.get(RecordStore.RECORDS, rk);
      if (v == null) {
        return Optional.empty();
      }
      RecordFormat.StoredRecord rec = records.parse(v, rk, collection, key);
      long count = 0;
      long last = 0;
      byte[] a = rtx.get(RecordStore.META, RecordStore.accessKey(rk));
      if (a != null) {
        long[] persisted = RecordFormat.parseAccess(a, RecordStore.where(collection, key) + " access stats");
        count = persisted[0];
        last = persisted[1];
      }
      long[] pending = access.pendingFor(collection, key);
      if (pending != null) {
        count += pending[0];
        last = Math.max(last, pending[1]);
      }
      Codec codec = codecs.byId(rec.codecId());
      return Optional.of(new RecordMetadata(
          collection, key, rec.version(), Instant.ofEpochMilli(rec.created()),
          Instant.ofEpochMilli(rec.updated()), rec.rawLength(), rec.storedLength(),
          codec == null ? "id " + rec.codecId() : codec.name(), rec.isBlob(), count,
          last == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(last))));
    } finally {
      exit();
    }
  }

  @Override
  public long count(String collection) {
    Keys.checkCollection(collection);
    enter();
    try (BackendTransaction rtx = backend.beginRead()) {
      byte[] start = Keys.collectionStart(collection);
      return rtx.count(RecordStore.RECORDS, start, Keys.prefixEnd(start));
    } finally {
      exit();
    }
  }

  @Override
  public Stream<String> keys(String collection, String prefix) {
    Keys.checkCollection(collection);
    byte[] start = Keys.recordKey(collection, Keys.prefixBytes(prefix));
    ensureOpen();
    return scans.keys(start);
  }

  @Override
  public Stream<Map.Entry<String, byte[]>> entries(String collection, String prefix) {
    Keys.checkCollection(collection);
    byte[] start = Keys.recordKey(collection, Keys.prefixBytes(prefix));
    ensureOpen();
    return scans.entries(collection, start);
  }

  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  @Override
  public Set<String> collections() {
    enter();
    try (BackendTransaction rtx = backend.beginRead()) {
      Set<String> out = new TreeSet<>();
      byte[] from = null;
      while (true) {
        byte[] first;
        try (BackendCursor c = rtx.scan(RecordStore.RECORDS, from, null)) {
          if (!c.next()) {
            return out;
          }
          first = c.key();
        }
        String collection = Keys.collectionOf(first);
        out.add(collection);
        from = Keys.prefixEnd(Keys.collectionStart(collection));
      }
    } finally {
      exit();
    }
  }

  @Override
  public <T> Map<String, T> getAll(String collection, Collection<String> keys, Class<T> type) {
    Objects.requireNonNull(type, "type");
    Map<String, byte[]> raw = getAllBytes(collection, keys);
    Map<String, T> out = new LinkedHashMap<>();
    raw.forEach((k, v) -> out.put(k, mapping.read(v, type)));
    return out;
  }

  Map<String, byte[]> getAllBytes(String collection, Collection<String> keys) {
    Keys.checkCollection(collection);
    Objects.requireNonNull(keys, "keys");
    List<byte[]> kbs = new ArrayList<>(keys.size());
    for (String k : keys) {
      kbs.add(Keys.keyBytes(k));
    }
    TransactionImpl tx = currentTransaction();
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (tx != null) {
      for (String k : keys) {
        tx.getBytes(collection, k).ifPresent(v -> out.put(k, v));
      }
      return out;
    }
    enter();
    long[] stamps = new long[kbs.size()];
    if (cache != null) {
      int i = 0;
      for (String k : keys) {
        stamps[i++] = coherence.stamp(CacheCoherence.stripe(collection, k));
      }
    }
    try (BackendTransaction rtx = backend.beginRead()) {
      int i = 0;
      for (String k : keys) {
        CachedValue hit = cacheHit(collection, k);
        byte[] v = hit == null ? null : hit.raw();
        if (v == null) {
          long start = System.nanoTime();
          v = readOne(collection, k, kbs.get(i), rtx, stamps[i]);
          metrics.readLatency.recordNanos(System.nanoTime() - start);
        }
        i++;
        if (v != null) {
          out.put(k, v.clone()); // the caller's to keep: never the cache's array
        }
      }
      return out;
    } finally {
      exit();
    }
  }

  // ---------------------------------------------------------------------------------- writes

  @Override
  public void put(String collection, String key, Object value) {
    Keys.checkCollection(collection);
    Keys.keyBytes(key);
    byte[] bytes = mapping.write(value);
    putBytes(collection, key, bytes);
  }

  @Override
  public void putBytes(String collection, String key, byte[] value) {
    Keys.checkCollection(collection);
    Keys.keyBytes(key);
    Objects.requireNonNull(value, "value");
    mapping.checkSize(value);
    byte[] copy = value.clone();
    transaction(config.durability(), tx -> {
      tx.putBytes(collection, key, copy);
      return null;
    });
  }

  @Override
  public boolean delete(String collection, String key) {
    Keys.checkCollection(collection);
    Keys.keyBytes(key);
    return transaction(config.durability(), tx -> tx.delete(collection, key));
  }

  @Override
  public void putAll(String collection, Map<String, ?> values) {
    Keys.checkCollection(collection);
    Objects.requireNonNull(values, "values");
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    values.forEach((k, v) -> {
      Keys.keyBytes(k);
      byte[] b = mapping.write(v);
      mapping.checkSize(b);
      bytes.put(k, b);
    });
    writeAll(collection, bytes);
  }

  @Override
  public void putAllBytes(String collection, Map<String, byte[]> values) {
    Keys.checkCollection(collection);
    Objects.requireNonNull(values, "values");
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    values.forEach((k, v) -> {
      Keys.keyBytes(k);
      Objects.requireNonNull(v, "value of key " + k);
      mapping.checkSize(v);
      bytes.put(k, v.clone());
    });
    writeAll(collection, bytes);
  }

  private void writeAll(String collection, Map<String, byte[]> bytes) {
    transaction(config.durability(), tx -> {
      bytes.forEach((k, v) -> tx.putBytes(collection, k, v));
      return null;
    });
  }

  @Override
  public <R> R transaction(Function<Transaction, R> work) {
    return transaction(config.durability(), work);
  }

  @Override
  public <R> R transaction(Durability durability, Function<Transaction, R> work) {
    Objects.requireNonNull(durability, "durability");
    Objects.requireNonNull(work, "work");
    if (currentTransaction() != null) {
      throw new IllegalStateException(
          "a transaction is already running on this thread: use the Transaction passed to it");
    }
    long start = System.nanoTime();
    enter();
    try {
      // a GROUP transaction that runs alone commits alone, with the same promise as GROUP
      R result = ConflictRetry.retryAlone(alone -> alone
              ? runOnce(durability == Durability.GROUP ? Durability.SYNC : durability, work, true)
              : durability == Durability.GROUP ? runGrouped(work) : runOnce(durability, work, false),
          metrics.conflictsRetried::increment);
      metrics.writeLatency.recordNanos(System.nanoTime() - start);
      return result;
    } finally {
      exit();
    }
  }

  private <R> R runOnce(Durability durability, Function<Transaction, R> work, boolean alone) {
    writeLock.lock();
    TransactionImpl tx = null;
    boolean committed = false;
    try (BackendTransaction btx = alone ? backend.beginWriteAlone() : backend.beginWrite()) {
      tx = new TransactionImpl(this, mapping, records, versions, btx);
      bindTransaction(tx);
      R result;
      try {
        result = work.apply(tx);
      } finally {
        unbindTransaction();
        tx.end();
      }
      tx.reserveVersions();
      btx.commit(durability);
      committed = true;
      tx.committed();
      return result;
    } finally {
      try {
        if (tx != null) {
          if (!committed) {
            metrics.rolledBack.increment();
          }
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
    final Function<Transaction, R> work;
    final Thread caller = Thread.currentThread();
    R result;
    Throwable failure;
    TransactionImpl tx;
    volatile boolean done;

    GroupRequest(Function<Transaction, R> work) {
      this.work = work;
    }
  }

  private final java.util.concurrent.ConcurrentLinkedQueue<GroupRequest<?>> groupQueue =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** How many requests {@link #groupQueue} holds (its size() walks the queue). */
  private final AtomicInteger groupQueued = new AtomicInteger();
  /**
   * With a group commit window: every thread that ran a GROUP transaction lately, with the
   * {@code System.nanoTime()} it last started one. The leader waits only for these.
   */
  private final java.util.concurrent.ConcurrentHashMap<Thread, Long> groupWriters =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** The leader waiting out the window, if any; each request that joins wakes it. */
  private volatile Thread windowLeader;
  /** At most this many transactions form one group. */
  private static final int MAX_GROUP = 1024;
  /** A GROUP writer counts as one that may join for this long after it last started one. */
  private static final long RECENT_GROUP_WRITER_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * {@link Durability#GROUP}: the caller queues its work; whoever holds the write lock next runs
   * every queued function in one backend transaction (each under its own savepoint, so one that
   * throws loses only its own writes) and commits them with one SYNC commit. Every caller
   * returns only after the commit that holds its writes is durable. Callers that arrive while a
   * group commits form the next group.
   */
  private <R> R runGrouped(Function<Transaction, R> work) {
    GroupRequest<R> mine = new GroupRequest<>(work);
    boolean window = !config.groupCommitWindow().isZero();
    if (window) {
      groupWriters.put(mine.caller, System.nanoTime());
    }
    groupQueue.add(mine);
    groupQueued.incrementAndGet();
    Thread leader = window ? windowLeader : null;
    if (leader != null) {
      java.util.concurrent.locks.LockSupport.unpark(leader); // it re-checks whether all joined
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
          java.util.concurrent.locks.LockSupport.unpark(next.caller); // it leads the next group
        }
      } else {
        // the leader wakes us when our work is committed, or when we are to lead the next group;
        // the timeout covers a lock held by a transaction of another durability
        java.util.concurrent.locks.LockSupport.parkNanos(this, 200_000);
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
        java.util.concurrent.locks.LockSupport.parkNanos(this, left);
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
      try (BackendTransaction btx = backend.beginWrite()) {
        for (GroupRequest<?> r : group) {
          if (!runInGroup(r, btx)) {
            thrower = r;
            break;
          }
        }
        if (thrower == null) {
          btx.commit(Durability.SYNC);
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
        metrics.rolledBack.increment();
        group.remove(thrower);
        finish(thrower);
        continue;
      }
      for (GroupRequest<?> r : group) {
        if (committed) {
          r.tx.committed();
        } else {
          metrics.rolledBack.increment();
          r.failure = groupFailure;
        }
        finish(r);
      }
      return;
    }
  }

  /** Runs one grouped function; false if it threw (its failure is recorded). */
  private <R> boolean runInGroup(GroupRequest<R> r, BackendTransaction btx) {
    TransactionImpl tx = new TransactionImpl(this, mapping, records, versions, btx);
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

  private static void finish(GroupRequest<?> r) {
    r.done = true;
    java.util.concurrent.locks.LockSupport.unpark(r.caller);
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

  void afterCommit(TransactionImpl.Delta d, List<AccessTracker.Ref> deleted) {
    metrics.committed.increment();
    metrics.writes.add(d.writes);
    metrics.deletes.add(d.deletes);
    metrics.dedupHits.add(d.dedupHits);
    metrics.rawBytesWritten.add(d.raw);
    metrics.storedBytesWritten.add(d.stored);
    metrics.savedByDedup.add(d.savedByDedup);
    metrics.savedByCompression.add(d.savedByCompression);
    for (AccessTracker.Ref r : deleted) {
      access.forget(r.collection(), r.key());
    }
    dictionaries.countWrites(d.dictionaryCandidates);
  }

  @Override
  public java.util.OptionalInt trainDictionary(String collection) {
    Keys.checkCollection(collection);
    return dictionaries.train(collection);
  }

  // ------------------------------------------------------------------------------ async/stats

  @Override
  public AsyncStorage async() {
    ensureOpen();
    return asyncView;
  }

  @Override
  public StorageStats stats() {
    enter();
    try {
      Metrics m = metrics;
      List<CacheTierStats> tiers = cache == null ? List.of() : cache.stats();
      // one atomic add per hit is a large share of a hit's cost: the cache's per-tier counters
      // are the only count of hits
      long hits = tiers.stream().mapToLong(CacheTierStats::hits).sum();
      return new StorageStats(
          m.backendReads.sum() + hits, m.writes.sum(), m.deletes.sum(), hits, m.cacheMisses.sum(),
          m.dedupHits.sum(), m.rawBytesWritten.sum(), m.storedBytesWritten.sum(),
          m.savedByDedup.sum(), m.savedByCompression.sum(), m.committed.sum(),
          m.rolledBack.sum(), m.conflictsRetried.sum(), m.corruptions.sum(),
          m.readLatency.snapshot(), m.writeLatency.snapshot(), tiers, backend.sizeOnDisk());
    } finally {
      exit();
    }
  }

  // ------------------------------------------------------------------------------ maintenance

  private void scheduledMaintenance() {
    try {
      MaintenanceReport r = maintenance();
      if (!r.successful()) {
        LOG.warn("scheduled maintenance of {} had failures: {}", config.directory(), r.failures());
      }
    } catch (StorageClosedException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("scheduled maintenance failed", e);
    }
  }

  @Override
  public MaintenanceReport maintenance() {
    enter();
    maintenanceLock.lock();
    try {
      return new Maintenance(this).run(List.of(
          new Maintenance.Step("flush-access-stats", () -> "flushed " + accessStats.flush() + " records", null),
          new Maintenance.Step("cache-cleanup", () -> {
            long freed = cache.cleanup();
            return "freed " + freed + " bytes";
          }, cache == null ? "no cache configured" : null),
          new Maintenance.Step("verify", () -> {
            VerificationReport v = verify();
            if (!v.ok()) {
              throw new DataCorruptionException(v.problems().size() + " problems, first: "
                  + v.problems().get(0));
            }
            return "verified " + v.records() + " records and " + v.blobs() + " blobs";
          }, config.maintenanceVerify() ? null : "disabled by maintenanceVerify(false)"),
          new Maintenance.Step("optimize", () -> {
            long before = backend.sizeOnDisk();
            backend.optimize();
            long after = backend.sizeOnDisk();
            return "size on disk " + before + " -> " + after + " bytes";
          }, null)),
          config.maintenanceTasks());
    } finally {
      maintenanceLock.unlock();
      exit();
    }
  }

  long sizeOnDiskUnchecked() {
    return backend.sizeOnDisk();
  }

  // ------------------------------------------------------------------------------------ admin

  @Override
  public StorageAdmin admin() {
    ensureOpen();
    return this;
  }

  @Override
  public String backendName() {
    return backendProvider.name();
  }

  @Override
  public List<String> restoreLeftovers() {
    return restoreLeftovers;
  }

  @Override
  public Set<Capability> backendCapabilities() {
    return backendProvider.capabilities();
  }

  @Override
  public String codecName() {
    return codecs.writeCodec().name();
  }

  @Override
  public Path directory() {
    return config.directory();
  }

  @Override
  public String storeId() {
    return storeId;
  }

  /** Whether the backend declares {@code c}. */
  public boolean hasCapability(Capability c) {
    return backendProvider.capabilities().contains(c);
  }

  @Override
  public void snapshotTo(Path target) {
    Objects.requireNonNull(target, "target");
    enter();
    try {
      backend.snapshotTo(target);
    } finally {
      exit();
    }
  }

  @Override
  public long sizeOnDisk() {
    enter();
    try {
      return backend.sizeOnDisk();
    } finally {
      exit();
    }
  }

  @Override
  public VerificationReport verify() {
    enter();
    try {
      List<String> damaged = backend.verifyStructure();
      if (!damaged.isEmpty()) {
        List<String> problems = new ArrayList<>(damaged);
        problems.add("records were not checked: the backend's own structures are damaged");
        return new VerificationReport(0, 0, problems);
      }
      try (BackendTransaction rtx = backend.beginRead()) {
        return new Verifier(records, rtx).run();
      }
    } finally {
      exit();
    }
  }

  @Override
  public void exportRecords(Consumer<ExportedRecord> visitor) {
    Objects.requireNonNull(visitor, "visitor");
    enter();
    try (BackendTransaction rtx = backend.beginRead();
        BackendCursor c = rtx.scan(RecordStore.RECORDS, null, null)) {
      while (c.next()) {
        byte[] rk = c.key();
        String collection = Keys.collectionOf(rk);
        String key = Keys.keyOf(rk);
        RecordFormat.StoredRecord rec = records.parse(c.value(), rk, collection, key);
        byte[] raw = records.verifyRecord(rtx, rec, RecordStore.where(collection, key));
        byte[] hash = rec.isBlob()
            ? java.util.Arrays.copyOfRange(rec.blobKey(), rec.blobKey().length - 32, rec.blobKey().length)
            : null;
        visitor.accept(new ExportedRecord(collection, key, rec.created(), rec.updated(), raw, hash));
      }
    } finally {
      exit();
    }
  }

  @Override
  public void importRecords(List<ExportedRecord> records) {
    Objects.requireNonNull(records, "records");
    for (ExportedRecord r : records) {
      Keys.checkCollection(r.collection());
      Keys.keyBytes(r.key());
      mapping.checkSize(r.value());
    }
    transaction(config.durability(), tx -> {
      TransactionImpl t = (TransactionImpl) tx;
      for (ExportedRecord r : records) {
        t.putWithTimes(r.collection(), r.key(), r.value(), r.createdAtMillis(), r.updatedAtMillis());
      }
      return null;
    });
  }

  @Override
  public void catchUp() {
    enter();
    try {
      if (cache == null || !backendProvider.capabilities().contains(Capability.MULTI_PROCESS)) {
        return; // no cache: every read is current; one process: its commits invalidate as they go
      }
      if (!externalCommitsWatched) {
        // nothing reports the other instances' commits: forget everything they may have changed
        coherence.afterUnknownCommits(cache::invalidateAll);
      } else if (!backend.catchUpExternalCommits()) {
        try (BackendTransaction rtx = backend.beginRead()) {
          rtx.get(RecordStore.META, StoreOpener.FORMAT_KEY); // its end reports every external commit its snapshot saw
        }
      }
    } finally {
      exit();
    }
  }

  /** Invalidates the whole cache (after a restore, for example). */
  public void invalidateCache() {
    if (cache != null) {
      cache.invalidateAll();
    }
  }

  // ---------------------------------------------------------------------------------- helpers

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

}
