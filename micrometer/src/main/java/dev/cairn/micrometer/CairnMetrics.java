package dev.cairn.micrometer;

import dev.cairn.storage.CacheTierStats;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.StorageListener;
import dev.cairn.storage.StorageStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Publishes a {@link Storage}'s statistics as Micrometer meters, every one named
 * {@code cairn.*} and tagged {@code store=<storeName>} plus the tags given:
 *
 * <pre>{@code
 * Storage storage = Storage.builder().directory(dir)
 *     .listener(CairnMetrics.latencyHistograms(registry, "orders", Tags.empty())) // opt-in
 *     .open();
 * new CairnMetrics(storage, "orders", Tags.empty()).bindTo(registry);
 * new CairnBackupMetrics(backupManager, "orders", Tags.empty()).bindTo(registry); // backups
 * }</pre>
 *
 * <p><b>No cost per operation.</b> Every meter this binder registers is a function of
 * {@link Storage#stats()} ({@code FunctionCounter}, {@code FunctionTimer}, {@code Gauge}): the
 * engine counts as it always does, and a scrape reads one snapshot of the counters, taken at
 * most once per {@link #statsInterval(Duration) stats interval} (default 1 s) however many
 * meters read it. The meters and what each means are listed in the module README; in short:
 * reads, writes, deletes, transactions by outcome, group commits, read and write latency
 * (count and total time), cache hits, misses, evictions, entries and bytes per tier, records
 * per collection, bytes written, stored and saved by dedup and compression, size on disk,
 * corruptions, maintenance and verify runs and the age of the last of each.
 *
 * <p><b>Per-collection record counts</b> ({@code cairn.records{collection=...}}) can cost a
 * scan of each collection on some backends, so they are taken together at most once per
 * {@link #collectionCountInterval(Duration) collection count interval} (default 1 min), and
 * only while the store has at most {@link #maxCollections(int) maxCollections} collections
 * (default 100; beyond it no collection is counted, and one line is logged). New collections
 * get their gauge at the next count.
 *
 * <p><b>Percentiles</b> need per-operation timers, which this binder does not register: pass
 * {@link #latencyHistograms} to {@link StorageBuilder#listener} for them (their cost is in the
 * module README).
 *
 * <p>The binder's settings apply to the {@link #bindTo} calls after them; a binder may be bound
 * to several registries. Its meters keep the store (and its last snapshot) reachable from the
 * registry; after the store is closed they keep their last values.
 */
public final class CairnMetrics implements MeterBinder {

  private final Storage storage;
  private final String storeName;
  private final Tags tags;
  private int maxCollections = 100;
  private Duration collectionCountInterval = Duration.ofMinutes(1);
  private Duration statsInterval = Duration.ofSeconds(1);

  /**
   * A binder of {@code storage}'s meters.
   *
   * @param storage the open store
   * @param storeName the value of every meter's {@code store} tag, telling this store's meters
   *     from those of the other stores of the application
   * @param tags more tags for every meter (for example the application's); may be empty. A
   *     {@code store} tag among them is replaced by {@code storeName}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code storeName} is blank
   */
  public CairnMetrics(Storage storage, String storeName, Iterable<Tag> tags) {
    this.storage = Objects.requireNonNull(storage, "storage");
    this.tags = storeTags(storeName, tags);
    this.storeName = storeName;
  }

  /**
   * Counts records per collection only while the store has at most this many collections
   * (default 100; 0 turns the {@code cairn.records} gauges off). Each counted collection is one
   * time series, so this bounds the meters' cardinality.
   *
   * @param max the most collections counted
   * @return this binder
   * @throws IllegalArgumentException if {@code max} is negative
   */
  public CairnMetrics maxCollections(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("max collections must not be negative, got " + max);
    }
    this.maxCollections = max;
    return this;
  }

  /**
   * How long per-collection record counts are reused before they are counted again (default
   * 1 minute; zero counts on every read of a gauge).
   *
   * @param interval the interval
   * @return this binder
   * @throws IllegalArgumentException if {@code interval} is negative
   */
  public CairnMetrics collectionCountInterval(Duration interval) {
    this.collectionCountInterval = requireNotNegative(interval, "collection count interval");
    return this;
  }

  /**
   * How long one snapshot of {@link Storage#stats()} serves the meters before it is taken
   * again (default 1 second: every meter of one scrape reads the same snapshot; zero takes a
   * snapshot on every read of a meter).
   *
   * @param interval the interval
   * @return this binder
   * @throws IllegalArgumentException if {@code interval} is negative
   */
  public CairnMetrics statsInterval(Duration interval) {
    this.statsInterval = requireNotNegative(interval, "stats interval");
    return this;
  }

  /**
   * Registers the store's meters with {@code registry}. The cache meters are those of the
   * cache's tiers at this moment (none without a cache).
   *
   * @param registry the registry
   * @throws dev.cairn.storage.StorageClosedException if the store is closed
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    StatsSnapshot snapshot = new StatsSnapshot(storage, storeName, statsInterval);
    Meters m = new Meters(registry, snapshot);
    m.counter("cairn.reads", "Reads completed, cache hits included", null, StorageStats::reads);
    m.counter("cairn.writes", "Records written", null, StorageStats::writes);
    m.counter("cairn.deletes", "Records deleted (deletes of absent keys do not count)", null,
        StorageStats::deletes);
    String transactions = "Transactions (single write calls included) by outcome: committed,"
        + " rolled_back (ended without a commit) or retried (attempts run again after a"
        + " conflict)";
    m.counter("cairn.transactions", transactions, null, StorageStats::transactionsCommitted,
        "outcome", "committed");
    m.counter("cairn.transactions", transactions, null, StorageStats::transactionsRolledBack,
        "outcome", "rolled_back");
    m.counter("cairn.transactions", transactions, null, StorageStats::conflictsRetried,
        "outcome", "retried");
    m.counter("cairn.group.commits", "Backend commits that carried GROUP transactions", null,
        StorageStats::groupCommits);
    m.counter("cairn.group.transactions", "Transactions carried by group commits", null,
        StorageStats::groupedTransactions);
    m.counter("cairn.dedup.hits", "Writes whose content was already stored", null,
        StorageStats::dedupHits);
    m.counter("cairn.raw.bytes", "Bytes of values written, as given", "bytes",
        StorageStats::rawBytesWritten);
    m.counter("cairn.stored.bytes", "Bytes added to the store for the values written", "bytes",
        StorageStats::storedBytesWritten);
    m.counter("cairn.dedup.saved.bytes", "Bytes not stored because equal content was",
        "bytes", StorageStats::bytesSavedByDedup);
    m.counter("cairn.compression.saved.bytes", "Bytes the codec saved on stored values",
        "bytes", StorageStats::bytesSavedByCompression);
    m.counter("cairn.corruptions", "Reads and writes that found stored bytes damaged", null,
        StorageStats::corruptionsDetected);
    String maintenance = "Maintenance runs by outcome: success, or failure (a step failed)";
    m.counter("cairn.maintenance.runs", maintenance, null,
        s -> s.maintenanceRuns() - s.maintenanceFailures(), "outcome", "success");
    m.counter("cairn.maintenance.runs", maintenance, null, StorageStats::maintenanceFailures,
        "outcome", "failure");
    m.counter("cairn.verify.runs", "Verifications of every record and blob", null,
        StorageStats::verifyRuns);
    m.counter("cairn.verify.failures", "Verifications that found problems", null,
        StorageStats::verifyFailures);
    m.timer("cairn.read.latency", "Single-key reads the backend answered (cache hits are not"
        + " timed)", StorageStats::readLatency);
    m.timer("cairn.write.latency", "Committed transactions and write calls, to the commit"
        + " being durable", StorageStats::writeLatency);
    m.gauge("cairn.disk.size.bytes", "Size of the backend's files", "bytes",
        StorageStats::sizeOnDisk);
    m.age("cairn.maintenance.last.age", "Time since the last finished maintenance run began"
        + " (NaN: none since open)", StorageStats::lastMaintenance);
    m.age("cairn.verify.last.age", "Time since the last finished verification began (NaN:"
        + " none since open)", StorageStats::lastVerify);
    for (CacheTierStats tier : snapshot.get().cacheTiers()) {
      String t = tier.tier();
      m.counter("cairn.cache.hits", "Lookups the cache tier answered", null,
          s -> tier(s, t, CacheTierStats::hits), "tier", t);
      m.counter("cairn.cache.misses", "Lookups the cache tier could not answer", null,
          s -> tier(s, t, CacheTierStats::misses), "tier", t);
      m.counter("cairn.cache.evictions", "Entries the cache tier removed for its bound", null,
          s -> tier(s, t, CacheTierStats::evictions), "tier", t);
      m.gauge("cairn.cache.entries", "Entries the cache tier holds", null,
          s -> tier(s, t, CacheTierStats::entries), "tier", t);
      m.gauge("cairn.cache.size.bytes", "Bytes the cache tier holds", "bytes",
          s -> tier(s, t, CacheTierStats::bytesUsed), "tier", t);
      m.gauge("cairn.cache.max.bytes", "The cache tier's bound", "bytes",
          s -> tier(s, t, CacheTierStats::maxBytes), "tier", t);
    }
    if (maxCollections > 0) {
      new CollectionGauges(storage, storeName, registry, tags, maxCollections,
          collectionCountInterval).bind();
    }
  }

  /** Registers meters reading one snapshot; each function holds the snapshot strongly. */
  private final class Meters {
    private final MeterRegistry registry;
    private final StatsSnapshot snapshot;

    Meters(MeterRegistry registry, StatsSnapshot snapshot) {
      this.registry = registry;
      this.snapshot = snapshot;
    }

    void counter(String name, String description, String unit, ToDoubleFunction<StorageStats> f,
        String... tagPairs) {
      FunctionCounter.builder(name, storage, st -> f.applyAsDouble(snapshot.get()))
          .description(description).baseUnit(unit).tags(tags).tags(tagPairs).register(registry);
    }

    void gauge(String name, String description, String unit, ToDoubleFunction<StorageStats> f,
        String... tagPairs) {
      Gauge.builder(name, storage, st -> f.applyAsDouble(snapshot.get()))
          .description(description).baseUnit(unit).tags(tags).tags(tagPairs)
          .strongReference(true).register(registry);
    }

    void timer(String name, String description, Function<StorageStats, StorageStats.Latency> f) {
      FunctionTimer.builder(name, storage, st -> f.apply(snapshot.get()).count(),
              st -> f.apply(snapshot.get()).totalMicros(), TimeUnit.MICROSECONDS)
          .description(description).tags(tags).register(registry);
    }

    void age(String name, String description, Function<StorageStats, Optional<Instant>> f) {
      TimeGauge.builder(name, storage, TimeUnit.MILLISECONDS, st -> f.apply(snapshot.get())
              .map(t -> (double) Duration.between(t, Instant.now()).toMillis())
              .orElse(Double.NaN))
          .description(description).tags(tags).strongReference(true).register(registry);
    }
  }

  private static double tier(StorageStats s, String name, ToLongFunction<CacheTierStats> f) {
    for (CacheTierStats t : s.cacheTiers()) {
      if (t.tier().equals(name)) {
        return f.applyAsLong(t);
      }
    }
    return Double.NaN;
  }

  /**
   * A {@link StorageListener} that times every backend read and every commit with a Micrometer
   * {@code Timer} publishing a percentile histogram: {@code cairn.read.latency.histogram} and
   * {@code cairn.write.latency.histogram{durability=SYNC|GROUP|ASYNC}}, tagged like the
   * binder's meters. Pass it to {@link StorageBuilder#listener} before the store is opened.
   *
   * <p>Opt-in because it costs on every operation it times: a listener call and a timer
   * update (about 0.1 µs; measured in benchmarks/README.md, "Observability"), and about 70
   * time series per timer in the backend the registry publishes to. Cache hits are never
   * timed.
   *
   * @param registry where the timers are registered
   * @param storeName the {@code store} tag, as given to {@link #CairnMetrics}
   * @param tags more tags, as given to {@link #CairnMetrics}
   * @return the listener
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code storeName} is blank
   */
  public static StorageListener latencyHistograms(MeterRegistry registry, String storeName,
      Iterable<Tag> tags) {
    Objects.requireNonNull(registry, "registry");
    return new LatencyTimers(registry, storeTags(storeName, tags));
  }

  /** The tags of every meter: {@code tags} and {@code store=storeName}, both checked. */
  static Tags storeTags(String storeName, Iterable<Tag> tags) {
    Objects.requireNonNull(storeName, "storeName");
    Objects.requireNonNull(tags, "tags");
    if (storeName.isBlank()) {
      throw new IllegalArgumentException("store name must not be blank");
    }
    return Tags.of(tags).and("store", storeName);
  }

  private static Duration requireNotNegative(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, got " + d);
    }
    return d;
  }
}
