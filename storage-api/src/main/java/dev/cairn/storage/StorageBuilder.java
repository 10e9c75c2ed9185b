package dev.cairn.storage;

import dev.cairn.storage.internal.Engine;
import dev.cairn.storage.internal.StorageConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.CodecProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Configures and opens a {@link Storage}. Every setter validates its argument at once and
 * throws {@link IllegalArgumentException} saying what was wrong; {@link #open()} validates the
 * combination and reports every problem at once.
 *
 * <p><b>Plugins.</b> Backends, codecs and caches are chosen by name among the providers found
 * with {@link java.util.ServiceLoader} plus those passed explicitly. A name that matches none,
 * or several providers, is an error listing what was found. Explicit providers win over
 * discovered ones of the same name.
 *
 * <p><b>Options.</b> Plugin options ({@link #backendOption}, {@link #codecOption},
 * {@link #cacheOption}) are keyed by the plugin's name and a dot: {@code sqlite.readers},
 * {@code zstd.level}. None is ignored: {@link #open()} refuses every key that the plugin in use
 * does not declare (a misspelt key, a key in the wrong case or without its prefix, a key of a
 * backend or cache that is installed but not selected) and every invalid value, naming the key
 * and what is allowed, with a "did you mean" when a known key is close. Codec options are
 * checked against every installed codec, since each stays in use to read its records. Cache
 * options and bounds without a cache are errors too.
 *
 * <p>A builder is not thread-safe; it may be reused to open several stores.
 */
public final class StorageBuilder {

  private Path directory;
  private String backendName;
  private final List<BackendProvider> backends = new ArrayList<>();
  private final Map<String, String> backendOptions = new LinkedHashMap<>();
  private String codecName = "identity";
  private final List<CodecProvider> codecs = new ArrayList<>();
  private final Map<String, String> codecOptions = new LinkedHashMap<>();
  private String cacheName;
  private final List<CacheProvider> caches = new ArrayList<>();
  private long cacheMaxHeapBytes = 32L << 20;
  private long cacheMaxOffHeapBytes = 128L << 20;
  private boolean cacheMaxHeapBytesSet;
  private boolean cacheMaxOffHeapBytesSet;
  private Duration cacheExpireAfterWrite;
  private Duration cacheExpireAfterAccess;
  private final Map<String, String> cacheOptions = new LinkedHashMap<>();
  private int inlineThreshold = 64;
  private double minSavings = 1.0 / 16;
  private DedupScope dedupScope = DedupScope.GLOBAL;
  private DedupMode dedupMode = DedupMode.DEFERRED;
  private final Map<String, DedupMode> collectionDedupModes = new java.util.TreeMap<>();
  private VerifyMode verifyMode = VerifyMode.SAMPLED;
  private int maxValueBytes = 16 << 20;
  private Durability durability = Durability.SYNC;
  private ValueMapper valueMapper = ValueMapper.json();
  private int asyncThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
  private int asyncQueueCapacity = 1024;
  private Duration maintenanceInterval = Duration.ofHours(1);
  private boolean maintenanceVerify = true;
  private Duration accessStatsFlushInterval = Duration.ofSeconds(10);
  private int accessStatsMaxPending = 100_000;
  private boolean accessStatsTuned;
  private boolean accessStatistics = false;
  private final List<MaintenanceTask> maintenanceTasks = new ArrayList<>();
  private Duration groupCommitWindow = Duration.ZERO;
  private int dictionaryTrainingSamples = 1000;
  private int dictionaryMaxBytes = 16 << 10;
  private final List<StorageListener> listeners = new ArrayList<>();
  private final Map<String, Duration> defaultTtls = new java.util.TreeMap<>();
  private java.time.InstantSource clock = java.time.InstantSource.system();
  private ChangeFeedRetention changeFeed;

  private StorageBuilder() {}

  /**
   * A builder with defaults. Same as {@link Storage#builder()}.
   *
   * @return a new builder holding every default
   */
  public static StorageBuilder newBuilder() {
    return new StorageBuilder();
  }

  /**
   * The store's directory (required). Created if absent.
   *
   * @param directory where the store lives; created with its parents if absent
   * @return this builder
   */
  public StorageBuilder directory(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
    return this;
  }

  /**
   * The backend by provider name ({@code sqlite}, {@code lmdb}, {@code h2}, ...). Default: the
   * only backend found, or {@code sqlite} when several are present.
   *
   * @param name the provider's {@link dev.cairn.storage.spi.BackendProvider#name() name}
   * @return this builder
   */
  public StorageBuilder backend(String name) {
    this.backendName = requireName(name, "backend name");
    return this;
  }

  /**
   * Uses this provider as the backend (explicit registration; no discovery needed).
   *
   * @param provider the backend's provider, used by this builder whether or not it is registered
   * @return this builder
   */
  public StorageBuilder backend(BackendProvider provider) {
    Objects.requireNonNull(provider, "backend provider");
    backends.add(provider);
    this.backendName = provider.name();
    return this;
  }

  /**
   * A backend-specific option, documented in the backend module's README; checked by
   * {@link #open()} against the options the backend in use declares.
   *
   * @param key the option's key: the backend's name, a dot and the option
   * @param value the option's value, checked by the backend at open
   * @return this builder
   */
  public StorageBuilder backendOption(String key, String value) {
    backendOptions.put(requireName(key, "option key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /**
   * The codec for new writes by name ({@code identity}, {@code snappy}, {@code zstd}); default
   * {@code identity}. Records carry their codec's id, so changing it later keeps old records
   * readable as long as their codec's module stays on the class path.
   *
   * @param name the provider's {@link dev.cairn.storage.spi.CodecProvider#name() name}
   * @return this builder
   */
  public StorageBuilder codec(String name) {
    this.codecName = requireName(name, "codec name");
    return this;
  }

  /**
   * Registers a codec provider explicitly and selects it for new writes.
   *
   * @param provider the codec's provider, used by this builder whether or not it is registered
   * @return this builder
   */
  public StorageBuilder codec(CodecProvider provider) {
    Objects.requireNonNull(provider, "codec provider");
    codecs.add(provider);
    this.codecName = provider.name();
    return this;
  }

  /**
   * Registers a codec provider for reading old records without selecting it.
   *
   * @param provider a codec provider that old records may name
   * @return this builder
   */
  public StorageBuilder registerCodec(CodecProvider provider) {
    codecs.add(Objects.requireNonNull(provider, "codec provider"));
    return this;
  }

  /**
   * A codec-specific option, e.g. {@code zstd.level=6}; checked by {@link #open()} against the
   * options the installed codecs declare.
   *
   * @param key the option's key: the codec's name, a dot and the option
   * @param value the option's value, checked by the codec at open
   * @return this builder
   */
  public StorageBuilder codecOption(String key, String value) {
    codecOptions.put(requireName(key, "option key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /**
   * The read cache by provider name (e.g. {@code tiered}); default: no cache.
   *
   * @param name the provider's {@link dev.cairn.storage.spi.CacheProvider#name() name}
   * @return this builder
   */
  public StorageBuilder cache(String name) {
    this.cacheName = requireName(name, "cache name");
    return this;
  }

  /**
   * Uses this cache provider.
   *
   * @param provider the cache's provider, used by this builder whether or not it is registered
   * @return this builder
   */
  public StorageBuilder cache(CacheProvider provider) {
    Objects.requireNonNull(provider, "cache provider");
    caches.add(provider);
    this.cacheName = provider.name();
    return this;
  }

  /**
   * No read cache (the default).
   *
   * @return this builder
   */
  public StorageBuilder noCache() {
    this.cacheName = null;
    return this;
  }

  /**
   * Bound of the cache's on-heap tier in bytes (default 32 MiB; 0 disables the tier). Setting it
   * without a cache is an error at {@link #open()}.
   *
   * @param bytes 0 or more
   * @return this builder
   */
  public StorageBuilder cacheMaxHeapBytes(long bytes) {
    this.cacheMaxHeapBytes = requireNonNegative(bytes, "cache heap bytes");
    this.cacheMaxHeapBytesSet = true;
    return this;
  }

  /**
   * Bound of the cache's off-heap tier in bytes (default 128 MiB; 0 disables the tier). Setting
   * it without a cache is an error at {@link #open()}.
   *
   * @param bytes 0 or more
   * @return this builder
   */
  public StorageBuilder cacheMaxOffHeapBytes(long bytes) {
    this.cacheMaxOffHeapBytes = requireNonNegative(bytes, "cache off-heap bytes");
    this.cacheMaxOffHeapBytesSet = true;
    return this;
  }

  /**
   * Drops cache entries this long after they were written (default: never).
   *
   * @param d a positive duration
   * @return this builder
   */
  public StorageBuilder cacheExpireAfterWrite(Duration d) {
    this.cacheExpireAfterWrite = requirePositive(d, "cache expire-after-write");
    return this;
  }

  /**
   * Drops cache entries not read for this long (default: never).
   *
   * @param d a positive duration
   * @return this builder
   */
  public StorageBuilder cacheExpireAfterAccess(Duration d) {
    this.cacheExpireAfterAccess = requirePositive(d, "cache expire-after-access");
    return this;
  }

  /**
   * A cache-specific option, e.g. {@code tiered.blockBytes=256}; checked by {@link #open()}
   * against the options the cache in use declares. Without a cache it is an error.
   *
   * @param key the option's key: the cache's name, a dot and the option
   * @param value the option's value, checked by the cache at open
   * @return this builder
   */
  public StorageBuilder cacheOption(String key, String value) {
    cacheOptions.put(requireName(key, "option key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /**
   * Values shorter than this many bytes are stored inline in their record and never
   * deduplicated (default 64; hashing tiny values costs more than it saves). 0 deduplicates
   * every non-empty value.
   *
   * @param bytes 0 to 4096
   * @return this builder
   */
  public StorageBuilder inlineThreshold(int bytes) {
    if (bytes < 0 || bytes > 4096) {
      throw new IllegalArgumentException("inline threshold must be in 0..4096 bytes, got " + bytes);
    }
    this.inlineThreshold = bytes;
    return this;
  }

  /**
   * Compression is kept only if it saves at least this fraction of the raw size (default 1/16);
   * otherwise the value is stored raw.
   *
   * @param fraction at least 0 and less than 1
   * @return this builder
   */
  public StorageBuilder minSavings(double fraction) {
    if (!(fraction >= 0.0 && fraction < 1.0)) {
      throw new IllegalArgumentException("min savings must be in [0, 1), got " + fraction);
    }
    this.minSavings = fraction;
    return this;
  }

  /**
   * Which records may share stored content (default {@link DedupScope#GLOBAL}).
   *
   * @param scope {@code GLOBAL}, or {@code PER_COLLECTION} to keep collections' data apart
   * @return this builder
   */
  public StorageBuilder dedupScope(DedupScope scope) {
    this.dedupScope = Objects.requireNonNull(scope, "dedup scope");
    return this;
  }

  /**
   * When equal values start sharing one stored copy, for every collection without a mode of
   * its own (default {@link DedupMode#DEFERRED}: at write time if the content is already
   * shared, otherwise by {@link Storage#maintenance()}).
   *
   * @param mode {@code DEFERRED}, {@code ON_WRITE} or {@code OFF}
   * @return this builder
   */
  public StorageBuilder dedupMode(DedupMode mode) {
    this.dedupMode = Objects.requireNonNull(mode, "dedup mode");
    return this;
  }

  /**
   * When equal values of one collection start sharing one stored copy, overriding
   * {@link #dedupMode(DedupMode)} for it.
   *
   * @param collection the collection's name
   * @param mode {@code DEFERRED}, {@code ON_WRITE} or {@code OFF}
   * @return this builder
   * @throws IllegalArgumentException if {@code collection} is not a valid collection name
   *     ({@code [A-Za-z0-9_.-]{1,64}}), which no record could be written to
   */
  public StorageBuilder dedupMode(String collection, DedupMode mode) {
    collectionDedupModes.put(StorageConfig.checkCollection(collection),
        Objects.requireNonNull(mode, "dedup mode"));
    return this;
  }

  /**
   * A time to live for every write to {@code collection} that does not give one of its own
   * ({@code put}, {@code putBytes}, {@code putAll}, the conditional writes, in transactions
   * too): such a record expires {@code ttl} after it is written, and each write starts its time
   * again. A write with its own TTL ({@link Storage#put(String, String, Object, Duration)})
   * uses that instead. Records imported or restored keep the expiry they had. By default no
   * collection has one and records never expire.
   *
   * @param collection the collection's name
   * @param ttl how long after each write its record stays visible; positive
   * @return this builder
   * @throws IllegalArgumentException if {@code ttl} is zero or negative, or {@code collection}
   *     is not a valid collection name ({@code [A-Za-z0-9_.-]{1,64}}), which no record could be
   *     written to
   */
  public StorageBuilder defaultTtl(String collection, Duration ttl) {
    defaultTtls.put(StorageConfig.checkCollection(collection), requirePositive(ttl, "ttl"));
    return this;
  }

  /**
   * The clock every expiry decision uses (default {@link java.time.InstantSource#system()}):
   * when a record with a time to live expires, whether a read, scan, count or cache hit still
   * sees it, what maintenance purges. Records' creation and update times are read from it too.
   * Meant for tests, which move a clock of their own instead of waiting; any
   * {@link java.time.Clock} is one, and so is a lambda:
   * {@code builder.clock(() -> Instant.ofEpochMilli(now.get()))}.
   *
   * @param clock the source of the current instant; called from any thread
   * @return this builder
   */
  public StorageBuilder clock(java.time.InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * How reads verify deduplicated values (default {@link VerifyMode#SAMPLED}).
   *
   * @param mode {@code ALWAYS}, {@code SAMPLED} or {@code NEVER}
   * @return this builder
   */
  public StorageBuilder verifyMode(VerifyMode mode) {
    this.verifyMode = Objects.requireNonNull(mode, "verify mode");
    return this;
  }

  /**
   * The largest value accepted, in bytes (default 16 MiB, at most 1 GiB).
   *
   * @param bytes 1 to 2^30
   * @return this builder
   */
  public StorageBuilder maxValueBytes(int bytes) {
    if (bytes < 1 || bytes > (1 << 30)) {
      throw new IllegalArgumentException("max value bytes must be in 1..2^30, got " + bytes);
    }
    this.maxValueBytes = bytes;
    return this;
  }

  /**
   * Durability of commits (default {@link Durability#SYNC}).
   *
   * @param durability the default for commits that do not name their own
   * @return this builder
   */
  public StorageBuilder durability(Durability durability) {
    this.durability = Objects.requireNonNull(durability, "durability");
    return this;
  }

  /**
   * How long, at most, a {@link Durability#GROUP} leader waits for more transactions to join its
   * group before committing (default 0: a group is every transaction that queued while the
   * previous group was committing, which already shares one fsync among concurrent writers; a
   * small window trades latency for larger groups). The leader stops waiting as soon as every
   * thread that ran a GROUP transaction in the last second has joined.
   *
   * @param window 0 to 1 second
   * @return this builder
   */
  public StorageBuilder groupCommitWindow(Duration window) {
    Objects.requireNonNull(window, "group commit window");
    if (window.isNegative() || window.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException("group commit window must be in 0..1s, got " + window);
    }
    this.groupCommitWindow = window;
    return this;
  }

  /**
   * Maps typed values to bytes (default: {@link ValueMapper#json()}).
   *
   * @param mapper the mapper of {@code put(c, k, Object)} and {@code get(c, k, Type)}
   * @return this builder
   */
  public StorageBuilder valueMapper(ValueMapper mapper) {
    this.valueMapper = Objects.requireNonNull(mapper, "value mapper");
    return this;
  }

  /**
   * Threads of the {@link Storage#async()} executor (default: max(2, cores)).
   *
   * @param threads 1 to 1024
   * @return this builder
   */
  public StorageBuilder asyncThreads(int threads) {
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("async threads must be in 1..1024, got " + threads);
    }
    this.asyncThreads = threads;
    return this;
  }

  /**
   * Queue bound of the async executor (default 1024); when full the caller runs the task.
   *
   * @param capacity 1 or more tasks
   * @return this builder
   */
  public StorageBuilder asyncQueueCapacity(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("async queue capacity must be positive, got " + capacity);
    }
    this.asyncQueueCapacity = capacity;
    return this;
  }

  /**
   * Runs {@link Storage#maintenance()} every {@code interval}, the first time one interval after
   * open (never at open). Default: every hour.
   *
   * @param interval a positive duration
   * @return this builder
   */
  public StorageBuilder maintenanceInterval(Duration interval) {
    this.maintenanceInterval = requirePositive(interval, "maintenance interval");
    return this;
  }

  /**
   * Turns the store's {@link ChangeFeed} on ({@link Storage#changes()}), keeping changes as
   * {@code retention} says ({@link ChangeFeedRetention#defaults()}: the last 1,000,000 changes,
   * at most 7 days). Off by default, and then the write path does nothing for it.
   *
   * <p>The choice is recorded in the store: once a store's feed is on, every later open keeps
   * it on (with the retention recorded, unless this is called again with another one), so that
   * no instance or tool that opens the store without this setting can write changes the feed
   * would miss. There is no switch to turn it off again in this version. On a PostgreSQL store
   * shared by several instances, turn it on while no other instance has the store open (others
   * read the setting when they open).
   *
   * @param retention how much history to keep
   * @return this builder
   * @throws NullPointerException if {@code retention} is null
   */
  public StorageBuilder changeFeed(ChangeFeedRetention retention) {
    this.changeFeed = Objects.requireNonNull(retention, "change feed retention");
    return this;
  }

  /**
   * No scheduled maintenance; {@link Storage#maintenance()} still works on demand.
   *
   * @return this builder
   */
  public StorageBuilder noScheduledMaintenance() {
    this.maintenanceInterval = null;
    return this;
  }

  /**
   * Whether maintenance verifies every record and blob (default true).
   *
   * @param verify {@code false} leaves verification to explicit {@link StorageAdmin#verify()} calls
   * @return this builder
   */
  public StorageBuilder maintenanceVerify(boolean verify) {
    this.maintenanceVerify = verify;
    return this;
  }

  /**
   * Adds a step to every maintenance run (used by the backup module).
   *
   * @param task a task with a name; tasks run in the order they were added
   * @return this builder
   */
  public StorageBuilder maintenanceTask(MaintenanceTask task) {
    Objects.requireNonNull(task, "maintenance task");
    Objects.requireNonNull(task.name(), "maintenance task name");
    maintenanceTasks.add(task);
    return this;
  }

  /**
   * Whether reads by key update each record's access count and last-access time
   * ({@link RecordMetadata#accessCount()}, {@link RecordMetadata#lastAccessedAt()}; default
   * off). Off, as file systems mount with {@code noatime}: a read is only a read. On, each read
   * by key is logged in memory and counted per record in the background, and the counts are
   * written to the store every {@link #accessStatsFlushInterval} (one small write per record read
   * since the last flush, so a store that is only read is written to) and at close. The cost, in
   * {@code benchmarks/README.md}: about 200 ns of CPU per read from the backend (a fifth of
   * two-thread LMDB read throughput), about 7 ns per cache hit, and a clock thread that wakes
   * every 10 ms. Turned off again, metadata keeps the counts flushed while it was on.
   *
   * @param enabled {@code true} turns access statistics on
   * @return this builder
   */
  public StorageBuilder accessStatistics(boolean enabled) {
    this.accessStatistics = enabled;
    return this;
  }

  /**
   * How often in-memory access statistics are written to the store (default 10 s). Only with
   * {@link #accessStatistics accessStatistics(true)}: set while they are off, {@link #open()}
   * refuses the configuration.
   *
   * @param interval a positive duration
   * @return this builder
   */
  public StorageBuilder accessStatsFlushInterval(Duration interval) {
    this.accessStatsFlushInterval = requirePositive(interval, "access stats flush interval");
    accessStatsTuned = true;
    return this;
  }

  /**
   * Pending access-stat entries that trigger an early flush (default 100,000, about 10 MB of
   * heap). A flush writes one entry per record read since the last one, so a threshold below
   * the number of records read within a flush interval turns reads into writes early. Reads are
   * logged cheaply and counted per record in the background after every ~16,000 reads; the
   * threshold is checked then, so the pending entries may exceed it by about that many. Only
   * with {@link #accessStatistics accessStatistics(true)}, like the flush interval.
   *
   * @param entries 1 or more
   * @return this builder
   */
  public StorageBuilder accessStatsMaxPending(int entries) {
    if (entries < 1) {
      throw new IllegalArgumentException("access stats max pending must be positive: " + entries);
    }
    this.accessStatsMaxPending = entries;
    accessStatsTuned = true;
    return this;
  }

  /**
   * With a codec that supports dictionaries (zstd): once a collection has received this many
   * writes without a dictionary, a dictionary is trained in the background from a sample of its
   * values and used for its new writes (default 1000; 0 disables automatic training —
   * {@link StorageAdmin#trainDictionary(String)} still works). Dictionaries help most on small,
   * similar values such as JSON records.
   *
   * @param samples 0 or more writes
   * @return this builder
   */
  public StorageBuilder dictionaryTrainingSamples(int samples) {
    if (samples < 0) {
      throw new IllegalArgumentException("dictionary training samples must not be negative: " + samples);
    }
    this.dictionaryTrainingSamples = samples;
    return this;
  }

  /**
   * The largest dictionary trained, in bytes (default 16 KiB; 1 KiB to 1 MiB).
   *
   * @param bytes 1024 to 1048576
   * @return this builder
   */
  public StorageBuilder dictionaryMaxBytes(int bytes) {
    if (bytes < 1024 || bytes > (1 << 20)) {
      throw new IllegalArgumentException("dictionary max bytes must be in 1024..1048576, got " + bytes);
    }
    this.dictionaryMaxBytes = bytes;
    return this;
  }

  /**
   * Adds a listener that is told of every backend read, commit, rollback, conflict retry,
   * maintenance run, verification and corruption of the store (see {@link StorageListener};
   * cache hits are not reported). May be called several times: listeners are called in the
   * order they were added. Without listeners nothing is called and nothing is allocated.
   *
   * @param listener the listener, e.g. cairn-micrometer's
   *     {@code CairnMetrics.latencyHistograms(...)}
   * @return this builder
   */
  public StorageBuilder listener(StorageListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Opens the store, creating it if absent.
   *
   * @return the open store; close it to release its directory
   * @throws IllegalArgumentException listing every configuration problem: first those of the
   *     builder alone (missing directory, cache settings without a cache), then unknown or
   *     ambiguous plugin names, then — together, one a line — every option no plugin in use
   *     declares and every invalid option value
   * @throws BackendException if the backend cannot open the files
   */
  public Storage open() {
    return Engine.open(config());
  }

  /** The validated configuration (used by {@link #open()} and the Guice module). */
  StorageConfig config() {
    List<String> problems = new ArrayList<>();
    if (directory == null) {
      problems.add("directory is required: call directory(Path)");
    }
    if (cacheName == null) {
      if (cacheExpireAfterAccess != null || cacheExpireAfterWrite != null) {
        problems.add("cache expiry is set but no cache is configured: call cache(name)");
      }
      if (cacheMaxHeapBytesSet) {
        problems.add("cacheMaxHeapBytes is set but no cache is configured: call cache(name)");
      }
      if (cacheMaxOffHeapBytesSet) {
        problems.add("cacheMaxOffHeapBytes is set but no cache is configured: call cache(name)");
      }
      for (String key : new java.util.TreeSet<>(cacheOptions.keySet())) {
        problems.add("cache option '" + key + "' is set but no cache is configured: call cache(name)");
      }
    }
    if (accessStatsTuned && !accessStatistics) {
      problems.add("accessStatsFlushInterval or accessStatsMaxPending is set but access statistics"
          + " are off (the default): call accessStatistics(true)");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid storage configuration: " + String.join("; ", problems));
    }
    return new StorageConfig(
        directory, backendName, List.copyOf(backends), Map.copyOf(backendOptions),
        codecName, List.copyOf(codecs), Map.copyOf(codecOptions),
        cacheName, List.copyOf(caches), cacheMaxHeapBytes, cacheMaxOffHeapBytes,
        cacheExpireAfterWrite, cacheExpireAfterAccess, Map.copyOf(cacheOptions),
        inlineThreshold, minSavings, dedupScope, dedupMode, Map.copyOf(collectionDedupModes),
        verifyMode, maxValueBytes, durability,
        groupCommitWindow, valueMapper, asyncThreads, asyncQueueCapacity, maintenanceInterval,
        maintenanceVerify, List.copyOf(maintenanceTasks), accessStatsFlushInterval,
        accessStatsMaxPending, accessStatistics, dictionaryTrainingSamples, dictionaryMaxBytes,
        List.copyOf(listeners), Map.copyOf(defaultTtls), clock, changeFeed);
  }

  private static String requireName(String s, String what) {
    Objects.requireNonNull(s, what);
    if (s.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    return s;
  }

  private static long requireNonNegative(long v, String what) {
    if (v < 0) {
      throw new IllegalArgumentException(what + " must not be negative, got " + v);
    }
    return v;
  }

  private static Duration requirePositive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
    return d;
  }
}
