package dev.cairn.micrometer;

import dev.cairn.storage.Storage;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code cairn.collections} and one {@code cairn.records{collection=...}} gauge per collection.
 * Counting a collection can read all of it on some backends ({@link Storage#count} is a range
 * count), so the counts are taken together at most once per interval, when a gauge is read and
 * the last counts are older; a collection that appeared since gets its gauge then. With more
 * collections than the cap, no collection is counted (the gauges registered before read NaN)
 * and one line is logged; {@code cairn.collections} still reports how many there are. A
 * collection whose records were all deleted reads 0.
 *
 * <p>Thread-safe: a refresh holds this object's lock.
 */
final class CollectionGauges {

  private static final Logger LOG = LoggerFactory.getLogger(CairnMetrics.class);

  private final Storage storage;
  private final String storeName;
  private final MeterRegistry registry;
  private final Tags tags;
  private final int maxCollections;
  private final long intervalNanos;
  private final Map<String, Gauge> registered = new HashMap<>();
  private volatile Map<String, Long> counts = Map.of();
  private volatile int collections;
  private long refreshedAt;
  private volatile boolean overCap;
  private boolean failing;

  CollectionGauges(Storage storage, String storeName, MeterRegistry registry, Tags tags,
      int maxCollections, Duration interval) {
    this.storage = storage;
    this.storeName = storeName;
    this.registry = registry;
    this.tags = tags;
    this.maxCollections = maxCollections;
    this.intervalNanos = interval.toNanos();
  }

  /** Counts now, registers the gauges of the collections found and {@code cairn.collections}. */
  void bind() {
    synchronized (this) {
      refresh(System.nanoTime());
    }
    Gauge.builder("cairn.collections", this, g -> g.refreshed().collections)
        .description("Collections that hold records (counted at most once per"
            + " collection count interval)")
        .tags(tags).strongReference(true).register(registry);
  }

  /** This object, with counts at most an interval old. */
  private CollectionGauges refreshed() {
    synchronized (this) {
      long now = System.nanoTime();
      if (now - refreshedAt >= intervalNanos) {
        refresh(now);
      }
    }
    return this;
  }

  /** The collection's count; 0 once it has no records left; NaN over the cap. */
  private double count(String collection) {
    CollectionGauges g = refreshed();
    return g.overCap ? Double.NaN : g.counts.getOrDefault(collection, 0L);
  }

  private void refresh(long now) {
    refreshedAt = now;
    Map<String, Long> found = new HashMap<>();
    try {
      Set<String> names = storage.collections();
      collections = names.size();
      if (names.size() > maxCollections) {
        if (!overCap) {
          LOG.info("store {} has {} collections, more than the {} that get a cairn.records gauge"
              + " each: no collection is counted (raise CairnMetrics.maxCollections to count"
              + " them)", storeName, names.size(), maxCollections);
          overCap = true;
        }
        counts = Map.of();
        return;
      }
      overCap = false;
      for (String name : names) {
        found.put(name, storage.count(name));
      }
      failing = false;
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.warn("cannot count the collections of store {} ({}); their gauges keep their last"
            + " values", storeName, e.toString());
        failing = true;
      }
      return;
    }
    counts = found;
    for (String name : found.keySet()) {
      registered.computeIfAbsent(name, n -> Gauge.builder("cairn.records", this,
              g -> g.count(n))
          .description("Records in the collection (counted at most once per collection count"
              + " interval)")
          .tags(tags).tag("collection", n).strongReference(true).register(registry));
    }
  }
}
