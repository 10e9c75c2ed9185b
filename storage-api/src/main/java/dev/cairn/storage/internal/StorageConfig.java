package dev.cairn.storage.internal;

import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.DedupMode;
import dev.cairn.storage.DedupScope;
import dev.cairn.storage.Durability;
import dev.cairn.storage.MaintenanceTask;
import dev.cairn.storage.StorageListener;
import dev.cairn.storage.ValueMapper;
import dev.cairn.storage.VerifyMode;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.CodecProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The validated settings of one store, built by {@link dev.cairn.storage.StorageBuilder}. */
public record StorageConfig(
    Path directory,
    String backendName,
    List<BackendProvider> backends,
    Map<String, String> backendOptions,
    String codecName,
    List<CodecProvider> codecs,
    Map<String, String> codecOptions,
    String cacheName,
    List<CacheProvider> caches,
    long cacheMaxHeapBytes,
    long cacheMaxOffHeapBytes,
    Duration cacheExpireAfterWrite,
    Duration cacheExpireAfterAccess,
    Map<String, String> cacheOptions,
    int inlineThreshold,
    double minSavings,
    DedupScope dedupScope,
    DedupMode dedupMode,
    Map<String, DedupMode> collectionDedupModes,
    VerifyMode verifyMode,
    int maxValueBytes,
    Durability durability,
    Duration groupCommitWindow,
    ValueMapper valueMapper,
    int asyncThreads,
    int asyncQueueCapacity,
    Duration maintenanceInterval,
    boolean maintenanceVerify,
    List<MaintenanceTask> maintenanceTasks,
    Duration accessStatsFlushInterval,
    int accessStatsMaxPending,
    boolean accessStatistics,
    int dictionaryTrainingSamples,
    int dictionaryMaxBytes,
    List<StorageListener> listeners,
    Map<String, Duration> defaultTtls,
    java.time.InstantSource clock,
    ChangeFeedRetention changeFeed) {

  /**
   * Checks a collection name as every operation does ({@code [A-Za-z0-9_.-]{1,64}}): for the
   * builder's per-collection settings, which under any other name would apply to no record.
   *
   * @param collection the name
   * @return {@code collection}
   * @throws IllegalArgumentException if no collection can have this name
   * @throws NullPointerException if {@code collection} is null
   */
  public static String checkCollection(String collection) {
    return Keys.checkCollection(collection);
  }

  /** The dedup mode of {@code collection}: its own, or the store's. */
  public DedupMode dedupMode(String collection) {
    if (collectionDedupModes.isEmpty()) {
      return dedupMode;
    }
    return collectionDedupModes.getOrDefault(collection, dedupMode);
  }

  /**
   * The expiry a write to {@code collection} without a TTL of its own gets at this clock's now:
   * its collection's default TTL from now, or {@link RecordFormat#NEVER}.
   */
  long defaultExpiry(String collection) {
    if (defaultTtls.isEmpty()) {
      return RecordFormat.NEVER;
    }
    Duration ttl = defaultTtls.get(collection);
    return ttl == null ? RecordFormat.NEVER
        : Expiry.after(clock.millis(), Expiry.ttlMillis(ttl));
  }
}
