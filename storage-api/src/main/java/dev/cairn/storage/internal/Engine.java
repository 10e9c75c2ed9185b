package dev.cairn.storage.internal;

import dev.cairn.storage.AsyncStorage;
import dev.cairn.storage.Bytes;
import dev.cairn.storage.ChangeFeed;
import dev.cairn.storage.Durability;
import dev.cairn.storage.KeyRange;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.Transaction;
import dev.cairn.storage.Versioned;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.RecordCache;
import dev.cairn.storage.spi.RecordCache.CachedValue;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage engine: the {@link Storage} a store is used through. Engine is the façade: each
 * operation checks its arguments once, encodes the collection and key once ({@link RecordKey}),
 * and hands the work to the part that owns it:
 *
 * <ul>
 *   <li>{@link StoreOpener} opened the store and built this engine;
 *   <li>{@link CommitPipeline} runs transactions and commits them (retries, group commit);
 *       its {@link TransactionImpl} writes through the {@link RecordStore}, which owns the data
 *       model (records, deduplicated blobs, reference counts) and takes version numbers from
 *       the {@link VersionSequence};
 *   <li>reads the cache does not answer go to the {@link RecordStore}, under the cache protocol
 *       of {@link CacheCoherence}; scans to the {@link ScanPager};
 *   <li>{@link AdminView} ({@code admin()}) and {@link AsyncView} ({@code async()}) are the
 *       other views of the store; {@link Maintenance}, {@link AccessStatsFlusher},
 *       {@link DictionaryTrainer} and {@link ExternalInvalidation} work in the background, on
 *       {@link StoreThreads}.
 * </ul>
 *
 * <p>The one thing Engine does itself is the cache-hit read ({@link #getValue} and
 * {@code cacheHit}): a hit costs a few nanoseconds, so it stays one flat method with no call
 * into the parts above.
 *
 * <p>Threading: any number of threads may use an engine concurrently. Writes are serialised by
 * one write lock (so reference counts are changed by one writer at a time, in the same backend
 * transaction as the record), reads run concurrently in read-only backend transactions. A
 * {@link Lifecycle} (striped in-flight counters) lets {@link #close()} wait for operations in
 * flight.
 */
public final class Engine implements Storage {

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  // read by the cache-hit path
  private final StorageConfig config;
  private final RecordCache cache;
  private final Metrics metrics = new Metrics();
  private final AccessTracker access;
  /**
   * The commit pipeline's transaction of each thread, and how many threads have one bound: the
   * pipeline's own objects, read here directly so that a cache hit adds no call.
   */
  private final ThreadLocal<TransactionImpl> currentTx;
  private final AtomicInteger threadsInTransaction;
  private volatile boolean closed;

  private final BackendProvider backendProvider;
  private final Backend backend;
  private final StoreOpener.Resources opened;
  private final CacheCoherence coherence = new CacheCoherence();
  private final Lifecycle lifecycle;
  private final Object closeLock = new Object();
  private final ValueMapping mapping;
  private final RecordStore records;
  private final ScanPager scans;
  private final CommitPipeline pipeline;
  private final AccessStatsFlusher accessStats;
  private final ExternalInvalidation external;
  private final StoreThreads threads;
  private final AdminView admin;
  private final AsyncView asyncView;
  private final Maintenance maintenance;
  /** The change feed, or null when the store has none. */
  private final FeedLog feed;
  private final Observers observers;

  /** Builds the parts of a store {@link StoreOpener} opened, and starts its background work. */
  Engine(StorageConfig config, StoreOpener.Resources r) {
    this.config = config;
    this.lifecycle = new Lifecycle(config.directory());
    this.mapping = new ValueMapping(config);
    this.backendProvider = r.backendProvider;
    this.backend = r.backend;
    this.cache = r.cache;
    this.opened = r;
    this.observers = new Observers(metrics, config.listeners(), config.directory().toString());
    this.access = new AccessTracker(config.accessStatistics());
    VersionSequence versions = new VersionSequence(
        backend, r.backendProvider.capabilities().contains(Capability.MULTI_PROCESS), r.seq);
    this.records = new RecordStore(config, backend, r.codecs, versions, observers);
    this.scans = new ScanPager(backend, records, metrics, lifecycle);
    // writes are serialised by one lock: transactions, the access-statistics flush, training
    ReentrantLock writeLock = new ReentrantLock();
    this.threads = new StoreThreads(config);
    ScheduledExecutorService scheduler = threads.scheduler();
    this.accessStats =
        new AccessStatsFlusher(config, backend, access, writeLock, lifecycle, scheduler);
    DictionaryTrainer dictionaries = new DictionaryTrainer(
        config, backend, r.codecs, records, writeLock, lifecycle, scheduler);
    boolean shared = r.backendProvider.capabilities().contains(Capability.MULTI_PROCESS);
    this.feed = r.feed == null ? null : new FeedLog(backend, shared, r.feed, writeLock, lifecycle);
    this.pipeline = new CommitPipeline(config, backend, mapping, records, versions, observers,
        access, dictionaries, cache, coherence, lifecycle, writeLock, feed);
    this.currentTx = pipeline.currentTx;
    this.threadsInTransaction = pipeline.threadsInTransaction;
    this.admin = new AdminView(
        config, r, lifecycle, mapping, records, pipeline, dictionaries, observers);
    this.external = ExternalInvalidation.watch(backend, backendProvider, cache, coherence);
    this.asyncView = new AsyncView(this, config.directory(), threads.async());
    Deduplicator dedup = new Deduplicator(config, backend, records, versions, metrics, writeLock);
    this.maintenance = new Maintenance(
        config, this, backend, cache, accessStats, this::purgeExpired, dedup, feed, admin,
        lifecycle, observers);
    maintenance.schedule(scheduler);
    if (config.accessStatistics()) {
      accessStats.schedule();
      CoarseClock.acquire(); // released by close()
    }
  }

  /** Opens a store with a validated configuration. */
  public static Storage open(StorageConfig config) {
    return StoreOpener.open(config);
  }

  // ------------------------------------------------------------------------------- lifecycle

  /** The transaction this thread is running, or null. */
  private TransactionImpl currentTransaction() {
    return threadsInTransaction.get() == 0 ? null : currentTx.get();
  }

  private StorageClosedException closedException() {
    return lifecycle.closedException();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    threads.shutdown();
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
    opened.release(); // the cache, the backend, the store lock
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
    if (cv == null || (cv.expiresAtMillis() != 0 && expired(cv))) {
      metrics.cacheMisses.increment();
      return null;
    }
    countAccess(collection, key);
    return cv;
  }

  /** Whether a cached value of a record with a TTL has expired by the store's clock. */
  private boolean expired(CachedValue cv) {
    return cv.expiresAtMillis() <= config.clock().millis();
  }

  /** A read the cache did not answer: in the thread's transaction, or from the backend. */
  private byte[] readMissed(String collection, String key) {
    TransactionImpl tx = currentTransaction();
    if (tx != null) {
      return tx.read(RecordKey.of(collection, key));
    }
    RecordStore.Read read = readBackend(RecordKey.of(collection, key), true);
    return read == null ? null : read.raw();
  }

  /**
   * One read outside any transaction from the backend, timed and reported
   * ({@link Observers#read}); offered to the cache if {@code offerToCache}.
   */
  private RecordStore.Read readBackend(RecordKey k, boolean offerToCache) {
    long start = System.nanoTime();
    JfrEvents.SlowRead slow = JfrEvents.beginSlowRead(); // null unless a recording enables it
    lifecycle.enterOrThrow();
    try {
      RecordStore.Read read = readOne(k, null, 0, offerToCache);
      observers.read(k, read != null, start, slow); // latency, JFR, listeners
      return read;
    } finally {
      lifecycle.exit();
    }
  }

  /**
   * Reads one value from the backend, in {@code btx} or a new read transaction, and offers it to
   * the cache if {@code offerToCache} (the caller found no cached copy). With a {@code btx},
   * {@code stampBeforeBtx} is the key's coherence stamp noted before {@code btx} began.
   */
  private RecordStore.Read readOne(RecordKey k, BackendTransaction btx, long stampBeforeBtx,
      boolean offerToCache) {
    String collection = k.collection();
    String key = k.key();
    int stripe = cache == null ? 0 : CacheCoherence.stripe(collection, key);
    // the stamp must be noted before the snapshot the value is read from was taken: a read
    // transaction opened earlier can return a value older than a commit that bumped the stamp
    long stamp = cache == null ? 0 : btx != null ? stampBeforeBtx : coherence.stamp(stripe);
    RecordStore.Read read = btx != null ? records.read(btx, k) : records.readLatest(k);
    if (read == null) {
      return null;
    }
    metrics.backendReads.increment();
    countAccess(collection, key);
    if (cache != null && offerToCache) {
      coherence.populateIfUnchanged(stripe, stamp, () -> cache.put(collection, key,
          new CachedValue(read.version(), read.raw(), read.expiresAt())));
    }
    return read; // its array is shared with the cache from here on: callers copy it
  }

  private void countAccess(String collection, String key) {
    if (!config.accessStatistics()) {
      return;
    }
    if (access.recordRead(collection, key, CoarseClock.millis())) {
      accessStats.collectSoon();
    }
  }

  @Override
  public boolean contains(String collection, String key) {
    RecordKey k = RecordKey.of(collection, key);
    TransactionImpl tx = currentTransaction();
    if (tx != null) {
      return tx.contains(k);
    }
    lifecycle.enterOrThrow();
    try {
      if (cache != null) {
        CachedValue cv = cache.get(collection, key);
        if (cv != null && (cv.expiresAtMillis() == 0 || !expired(cv))) {
          return true;
        }
      }
      try (BackendTransaction rtx = backend.beginRead()) {
        return records.contains(rtx, k);
      }
    } finally {
      lifecycle.exit();
    }
  }

  @Override
  public Optional<RecordMetadata> metadata(String collection, String key) {
    RecordKey k = RecordKey.of(collection, key);
    lifecycle.enterOrThrow();
    try (BackendTransaction rtx = backend.beginRead()) {
      RecordFormat.StoredRecord rec = records.find(rtx, k);
      if (rec == null) {
        return Optional.empty();
      }
      long[] accessed = accessStats.statsOf(rtx, k);
      return Optional.of(records.metadata(k, rec, accessed[0], accessed[1]));
    } finally {
      lifecycle.exit();
    }
  }

  @Override
  public long count(String collection) {
    Keys.checkCollection(collection);
    lifecycle.enterOrThrow();
    try (BackendTransaction rtx = backend.beginRead()) {
      return records.count(rtx, collection, config.clock().millis());
    } finally {
      lifecycle.exit();
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

  @Override
  public Stream<String> keys(String collection, KeyRange range) {
    Keys.checkCollection(collection);
    ScanRange r = ScanRange.of(collection, range);
    ensureOpen();
    return scans.keys(r);
  }

  @Override
  public Stream<Map.Entry<String, byte[]>> entries(String collection, KeyRange range) {
    Keys.checkCollection(collection);
    ScanRange r = ScanRange.of(collection, range);
    ensureOpen();
    return scans.entries(collection, r);
  }

  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  @Override
  public Set<String> collections() {
    lifecycle.enterOrThrow();
    try (BackendTransaction rtx = backend.beginRead()) {
      return records.collections(rtx, config.clock().millis());
    } finally {
      lifecycle.exit();
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
    List<RecordKey> rks = new ArrayList<>(keys.size());
    for (String k : keys) {
      rks.add(RecordKey.in(collection, k));
    }
    TransactionImpl tx = currentTransaction();
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (tx != null) {
      for (RecordKey k : rks) {
        byte[] v = tx.read(k);
        if (v != null) {
          out.put(k.key(), v);
        }
      }
      return out;
    }
    lifecycle.enterOrThrow();
    long[] stamps = new long[rks.size()];
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
          JfrEvents.SlowRead slow = JfrEvents.beginSlowRead();
          RecordStore.Read read = readOne(rks.get(i), rtx, stamps[i], true);
          v = read == null ? null : read.raw();
          observers.read(rks.get(i), v != null, start, slow);
        }
        i++;
        if (v != null) {
          out.put(k, v.clone()); // the caller's to keep: never the cache's array
        }
      }
      return out;
    } finally {
      lifecycle.exit();
    }
  }

  // ---------------------------------------------------------------------------------- writes

  // A write checks the collection and key and encodes them once, here (RecordKey), maps and
  // checks the value, and hands them to the commit pipeline: pipeline -> transaction ->
  // record store -> backend.

  @Override
  public void put(String collection, String key, Object value) {
    RecordKey k = RecordKey.of(collection, key);
    byte[] bytes = mapping.write(value);
    mapping.checkSize(bytes);
    write(k, bytes);
  }

  @Override
  public void putBytes(String collection, String key, byte[] value) {
    RecordKey k = RecordKey.of(collection, key);
    Objects.requireNonNull(value, "value");
    mapping.checkSize(value);
    write(k, value.clone());
  }

  @Override
  public void put(String collection, String key, Object value, Duration ttl) {
    RecordKey k = RecordKey.of(collection, key);
    long ttlMillis = Expiry.ttlMillis(ttl);
    byte[] bytes = mapping.write(value);
    mapping.checkSize(bytes);
    write(k, bytes, ttlMillis);
  }

  @Override
  public void putBytes(String collection, String key, byte[] value, Duration ttl) {
    RecordKey k = RecordKey.of(collection, key);
    long ttlMillis = Expiry.ttlMillis(ttl);
    Objects.requireNonNull(value, "value");
    mapping.checkSize(value);
    write(k, value.clone(), ttlMillis);
  }

  private void write(RecordKey k, byte[] value) {
    pipeline.run(config.durability(), tx -> {
      tx.write(k, value);
      return null;
    });
  }

  /** A write expiring {@code ttlMillis} after it runs (its transaction, not this call). */
  private void write(RecordKey k, byte[] value, long ttlMillis) {
    pipeline.run(config.durability(), tx -> {
      tx.write(k, value, 0, 0, Expiry.after(config.clock().millis(), ttlMillis));
      return null;
    });
  }

  @Override
  public boolean delete(String collection, String key) {
    RecordKey k = RecordKey.of(collection, key);
    return pipeline.run(config.durability(), tx -> tx.delete(k));
  }

  // Conditional writes: the check and the write are one transaction of the commit pipeline
  // (write lock, one backend write transaction), so the check sees the latest committed state,
  // never the cache; one that does not apply is ended without a commit and reported nowhere.

  @Override
  public boolean putIfAbsent(String collection, String key, Object value) {
    RecordKey k = RecordKey.of(collection, key);
    byte[] bytes = mapping.mapped(value);
    return pipeline.runConditional(config.durability(), tx -> tx.writeIfAbsent(k, bytes));
  }

  @Override
  public boolean putBytesIfAbsent(String collection, String key, byte[] value) {
    RecordKey k = RecordKey.of(collection, key);
    byte[] bytes = mapping.checked(value).clone();
    return pipeline.runConditional(config.durability(), tx -> tx.writeIfAbsent(k, bytes));
  }

  @Override
  public boolean replaceIfVersion(
      String collection, String key, long expectedVersion, Object value) {
    RecordKey k = RecordKey.of(collection, key);
    long expected = TransactionImpl.checkVersion(expectedVersion);
    byte[] bytes = mapping.mapped(value);
    return pipeline.runConditional(
        config.durability(), tx -> tx.writeIfVersion(k, expected, bytes));
  }

  @Override
  public boolean replaceBytesIfVersion(
      String collection, String key, long expectedVersion, byte[] value) {
    RecordKey k = RecordKey.of(collection, key);
    long expected = TransactionImpl.checkVersion(expectedVersion);
    byte[] bytes = mapping.checked(value).clone();
    return pipeline.runConditional(
        config.durability(), tx -> tx.writeIfVersion(k, expected, bytes));
  }

  @Override
  public boolean deleteIfVersion(String collection, String key, long expectedVersion) {
    RecordKey k = RecordKey.of(collection, key);
    long expected = TransactionImpl.checkVersion(expectedVersion);
    return pipeline.runConditional(config.durability(), tx -> tx.deleteIfVersion(k, expected));
  }

  /**
   * A cache hit answers it (the entry holds the value with its version); otherwise the thread's
   * transaction, or one backend read. A miss does not populate the cache: {@link #readOne} does
   * that for the plain reads.
   */
  @Override
  public <T> Optional<Versioned<T>> getVersioned(String collection, String key, Class<T> type) {
    Objects.requireNonNull(type, "type");
    CachedValue hit = cacheHit(collection, key);
    RecordStore.Read read = hit != null
        ? new RecordStore.Read(hit.version(), hit.raw(), hit.expiresAtMillis())
        : readVersionedMissed(RecordKey.of(collection, key));
    return read == null ? Optional.empty()
        : Optional.of(new Versioned<>(mapping.read(read.raw(), type), read.version()));
  }

  private RecordStore.Read readVersionedMissed(RecordKey k) {
    TransactionImpl tx = currentTransaction();
    return tx != null ? tx.readVersioned(k) : readBackend(k, false);
  }

  @Override
  public void putAll(String collection, Map<String, ?> values) {
    writeAll(collection, values, (k, v) -> {
      byte[] b = mapping.write(v);
      mapping.checkSize(b);
      return b;
    });
  }

  @Override
  public void putAllBytes(String collection, Map<String, byte[]> values) {
    writeAll(collection, values, (k, v) -> {
      Objects.requireNonNull(v, "value of key " + k);
      mapping.checkSize(v);
      return v.clone();
    });
  }

  /** Checks and maps every value ({@code bytes}) before the one transaction that writes all. */
  private <V> void writeAll(
      String collection, Map<String, V> values, BiFunction<String, V, byte[]> bytes) {
    Keys.checkCollection(collection);
    Objects.requireNonNull(values, "values");
    List<Map.Entry<RecordKey, byte[]>> writes = new ArrayList<>(values.size());
    values.forEach((k, v) -> {
      RecordKey rk = RecordKey.in(collection, k);
      writes.add(Map.entry(rk, bytes.apply(k, v)));
    });
    pipeline.run(config.durability(), tx -> {
      for (Map.Entry<RecordKey, byte[]> w : writes) {
        tx.write(w.getKey(), w.getValue());
      }
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
    return pipeline.run(durability, work);
  }

  /** GROUP transactions queued and not yet taken into a group (for tests). */
  int groupQueued() {
    return pipeline.groupQueued();
  }

  // ------------------------------------------------------------------------------ async/stats

  @Override
  public AsyncStorage async() {
    ensureOpen();
    return asyncView;
  }

  @Override
  public StorageStats stats() {
    lifecycle.enterOrThrow();
    try {
      return metrics.stats(cache == null ? List.of() : cache.stats(), backend.sizeOnDisk());
    } finally {
      lifecycle.exit();
    }
  }

  // ------------------------------------------------------------------------------ maintenance

  @Override
  public MaintenanceReport maintenance() {
    return maintenance.run();
  }

  /** Expiry index entries handled per purge transaction. */
  static final int PURGE_BATCH = 256;

  /**
   * Maintenance's {@code purge-expired} step: removes the records expired by the store's clock,
   * {@value #PURGE_BATCH} per transaction of the commit pipeline (the write lock, one backend
   * transaction with their blob references released, the cache invalidated after the commit);
   * returns how many it removed. When nothing has expired it costs one read of the expiry index.
   */
  long purgeExpired() {
    long now = config.clock().millis();
    lifecycle.enterOrThrow();
    try {
      try (BackendTransaction rtx = backend.beginRead()) {
        if (!records.anyExpired(rtx, now)) {
          return 0;
        }
      }
      long purged = 0;
      while (true) {
        long[] removed = new long[1];
        int handled = pipeline.run(Durability.SYNC, tx -> {
          int n = tx.purgeExpired(now, PURGE_BATCH);
          removed[0] = tx.delta().purged;
          return n;
        });
        purged += removed[0];
        if (handled < PURGE_BATCH) {
          return purged;
        }
      }
    } finally {
      lifecycle.exit();
    }
  }

  // ------------------------------------------------------------------------------------ admin

  @Override
  public ChangeFeed changes() {
    if (feed == null) {
      throw new IllegalStateException("the change feed of " + config.directory() + " is off:"
          + " turn it on with StorageBuilder.changeFeed(ChangeFeedRetention)");
    }
    return feed;
  }

  /** The change feed, or null (for a restore, {@link ChangeFeedRestart}). */
  FeedLog feed() {
    return feed;
  }

  @Override
  public StorageAdmin admin() {
    ensureOpen();
    return admin;
  }

  @Override
  public void catchUp() {
    lifecycle.enterOrThrow();
    try {
      external.catchUp();
    } finally {
      lifecycle.exit();
    }
  }
}
