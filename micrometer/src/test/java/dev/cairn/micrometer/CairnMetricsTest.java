package dev.cairn.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cairn.storage.DedupMode;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.StorageStats;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The meters' values after a known workload on a real store (SQLite, the tiered cache, the
 * identity codec), read from a {@link SimpleMeterRegistry}.
 */
final class CairnMetricsTest {

  private static final Tags APP = Tags.of("app", "test");

  @TempDir Path dir;
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private Storage open(UnaryOperator<StorageBuilder> custom) {
    return custom.apply(Storage.builder().directory(dir.resolve("store")).backend("sqlite")
        .cache("tiered")
        .dedupMode(DedupMode.ON_WRITE) // the workload's dedup hit happens at write time
        .noScheduledMaintenance()).open();
  }

  private static byte[] bytes(char c, int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) c);
    return b;
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags("store", "orders").tags(tags).functionCounter().count();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags("store", "orders").tags(tags).gauge().value();
  }

  /**
   * Two blob values with the same content (one deduplicated), three small inline ones in a
   * second collection, a delete, a transaction that throws, a GROUP transaction, a cache miss
   * then a hit, a read of an absent key, a maintenance run and a verification.
   */
  private static void workload(Storage s) {
    s.putBytes("players", "p1", bytes('a', 1000));
    s.putBytes("players", "p2", bytes('a', 1000));  // the same content: a dedup hit
    Map<String, byte[]> ledger = new LinkedHashMap<>();
    ledger.put("l1", bytes('x', 10));
    ledger.put("l2", bytes('y', 10));
    s.putAllBytes("ledger", ledger);
    s.delete("players", "p2");
    try {
      s.useTransaction(tx -> {
        tx.putBytes("ledger", "lost", bytes('z', 10));
        throw new IllegalStateException("rolled back");
      });
    } catch (IllegalStateException expected) {
      // counted as rolled back
    }
    s.transaction(Durability.GROUP, tx -> {
      tx.putBytes("ledger", "l3", bytes('w', 10));
      return null;
    });
    s.getBytes("players", "p1");      // both tiers miss; the backend answers; cached
    s.getBytes("players", "p1");      // an L1 hit
    s.getBytes("ledger", "absent");   // both tiers miss; the backend finds nothing
    s.maintenance();                   // verifies too
    s.admin().verify();
  }

  @Test
  void everyMeterHoldsTheWorkloadsExactNumbers() {
    try (Storage s = open(b -> b)) {
      new CairnMetrics(s, "orders", APP).statsInterval(Duration.ZERO)
          .collectionCountInterval(Duration.ZERO).bindTo(registry);
      workload(s);
      StorageStats st = s.stats();

      assertThat(counter("cairn.reads")).as("a backend read that found p1, and a cache hit")
          .isEqualTo(2);
      assertThat(counter("cairn.writes")).isEqualTo(5);
      assertThat(counter("cairn.deletes")).isEqualTo(1);
      assertThat(counter("cairn.transactions", "outcome", "committed")).isEqualTo(5);
      assertThat(counter("cairn.transactions", "outcome", "rolled_back")).isEqualTo(1);
      assertThat(counter("cairn.transactions", "outcome", "retried")).isZero();
      assertThat(counter("cairn.group.commits")).isEqualTo(1);
      assertThat(counter("cairn.group.transactions")).isEqualTo(1);
      assertThat(counter("cairn.dedup.hits")).isEqualTo(1);
      assertThat(counter("cairn.raw.bytes")).isEqualTo(1000 + 1000 + 10 + 10 + 10);
      assertThat(counter("cairn.stored.bytes")).as("one blob and three inline values")
          .isEqualTo(1000 + 10 + 10 + 10);
      assertThat(counter("cairn.dedup.saved.bytes")).isEqualTo(1000);
      assertThat(counter("cairn.compression.saved.bytes")).as("the identity codec").isZero();
      assertThat(counter("cairn.corruptions")).isZero();
      assertThat(counter("cairn.maintenance.runs", "outcome", "success")).isEqualTo(1);
      assertThat(counter("cairn.maintenance.runs", "outcome", "failure")).isZero();
      assertThat(counter("cairn.verify.runs")).isEqualTo(2);
      assertThat(counter("cairn.verify.failures")).isZero();

      assertThat(counter("cairn.cache.hits", "tier", "L1")).isEqualTo(1);
      assertThat(counter("cairn.cache.misses", "tier", "L1")).isEqualTo(2);
      assertThat(counter("cairn.cache.hits", "tier", "L2")).isZero();
      assertThat(counter("cairn.cache.misses", "tier", "L2")).isEqualTo(2);
      assertThat(counter("cairn.cache.evictions", "tier", "L1")).isZero();
      assertThat(gauge("cairn.cache.entries", "tier", "L1")).as("p1").isEqualTo(1);
      assertThat(gauge("cairn.cache.entries", "tier", "L2")).isZero();
      assertThat(gauge("cairn.cache.size.bytes", "tier", "L1"))
          .isEqualTo(st.cacheTiers().get(0).bytesUsed()).isGreaterThanOrEqualTo(1000);
      assertThat(gauge("cairn.cache.max.bytes", "tier", "L1")).isEqualTo(32 << 20);
      assertThat(gauge("cairn.cache.max.bytes", "tier", "L2")).isEqualTo(128 << 20);

      // the store was empty when bound: reading a gauge counts again and registers the new
      assertThat(gauge("cairn.collections")).isEqualTo(2);
      assertThat(gauge("cairn.records", "collection", "players")).isEqualTo(1);
      assertThat(gauge("cairn.records", "collection", "ledger")).isEqualTo(3);
      assertThat(gauge("cairn.disk.size.bytes")).isEqualTo(s.stats().sizeOnDisk()).isPositive();

      FunctionTimer reads = registry.get("cairn.read.latency").tags("store", "orders")
          .functionTimer();
      assertThat(reads.count()).as("the two backend reads").isEqualTo(2);
      // the timer holds seconds as a double: micros -> seconds -> micros may be off in the last bit
      assertThat(reads.totalTime(TimeUnit.MICROSECONDS))
          .isCloseTo(st.readLatency().totalMicros(), within(1e-6));
      FunctionTimer writes = registry.get("cairn.write.latency").tags("store", "orders")
          .functionTimer();
      assertThat(writes.count()).as("the committed transactions").isEqualTo(5);
      assertThat(writes.totalTime(TimeUnit.MICROSECONDS))
          .isCloseTo(st.writeLatency().totalMicros(), within(1e-6)).isPositive();

      double verifyAge = registry.get("cairn.verify.last.age").timeGauge()
          .value(TimeUnit.SECONDS);
      assertThat(verifyAge).isBetween(0.0, 60.0);
      assertThat(registry.get("cairn.maintenance.last.age").timeGauge().value(TimeUnit.SECONDS))
          .isBetween(0.0, 60.0);

      assertThat(registry.getMeters()).allSatisfy(m -> {
        assertThat(m.getId().getName()).startsWith("cairn.");
        assertThat(m.getId().getTag("store")).isEqualTo("orders");
        assertThat(m.getId().getTag("app")).isEqualTo("test");
        assertThat(m.getId().getDescription()).isNotBlank();
      });
    }
  }

  @Test
  void aStoreWithoutCacheHasNoCacheMetersAndNoMaintenanceAgeYet() {
    try (Storage s = Storage.builder().directory(dir).backend("sqlite").noScheduledMaintenance()
        .open()) {
      new CairnMetrics(s, "orders", Tags.empty()).bindTo(registry);
      assertThat(registry.find("cairn.cache.hits").meters()).isEmpty();
      assertThat(registry.get("cairn.maintenance.last.age").timeGauge().value(TimeUnit.SECONDS))
          .isNaN();
      assertThat(registry.get("cairn.verify.last.age").timeGauge().value(TimeUnit.SECONDS))
          .isNaN();
      assertThat(gauge("cairn.collections")).isZero();
    }
  }

  @Test
  void snapshotsAndCollectionCountsAreReusedForTheirInterval() {
    try (Storage s = open(b -> b)) {
      new CairnMetrics(s, "orders", Tags.empty()).statsInterval(Duration.ofHours(1))
          .collectionCountInterval(Duration.ofHours(1)).bindTo(registry);
      s.putBytes("c", "a", bytes('a', 5));
      assertThat(counter("cairn.writes")).as("the snapshot taken at bind time").isZero();
      assertThat(gauge("cairn.collections")).isZero();
      assertThat(registry.find("cairn.records").meters()).isEmpty();
    }
  }

  @Test
  void aNewCollectionGetsItsGaugeAtTheNextCount() {
    try (Storage s = open(b -> b)) {
      s.putBytes("first", "a", bytes('a', 5));
      new CairnMetrics(s, "orders", Tags.empty()).collectionCountInterval(Duration.ZERO)
          .bindTo(registry);
      assertThat(registry.find("cairn.records").tag("collection", "second").gauge()).isNull();
      s.putBytes("second", "a", bytes('a', 5));
      s.putBytes("second", "b", bytes('b', 5));
      assertThat(gauge("cairn.collections")).isEqualTo(2);   // counts again, registers "second"
      assertThat(gauge("cairn.records", "collection", "second")).isEqualTo(2);
      s.delete("first", "a");
      assertThat(gauge("cairn.records", "collection", "first")).as("emptied").isZero();
    }
  }

  @Test
  void beyondTheCapNoCollectionIsCounted() {
    try (Storage s = open(b -> b)) {
      for (String c : List.of("a", "b", "c")) {
        s.putBytes(c, "k", bytes('k', 5));
      }
      new CairnMetrics(s, "orders", Tags.empty()).maxCollections(2)
          .collectionCountInterval(Duration.ZERO).bindTo(registry);
      assertThat(registry.find("cairn.records").meters()).isEmpty();
      assertThat(gauge("cairn.collections")).isEqualTo(3);
      new CairnMetrics(s, "other", Tags.empty()).maxCollections(0).bindTo(registry);
      assertThat(registry.find("cairn.collections").tag("store", "other").meters())
          .as("maxCollections(0) turns the collection gauges off").isEmpty();
    }
  }

  @Test
  void aClosedStoresMetersKeepTheirLastValues() {
    Storage s = open(b -> b);
    new CairnMetrics(s, "orders", Tags.empty()).statsInterval(Duration.ZERO).bindTo(registry);
    s.putBytes("c", "a", bytes('a', 5));
    assertThat(counter("cairn.writes")).isEqualTo(1);
    s.close();
    assertThat(counter("cairn.writes")).isEqualTo(1);
    assertThatThrownBy(() -> new CairnMetrics(s, "orders", Tags.empty()).bindTo(registry))
        .isInstanceOf(dev.cairn.storage.StorageClosedException.class);
  }

  @Test
  void theLatencyHistogramsTimeEveryBackendReadAndCommitWithAPercentileHistogram() {
    Map<String, Boolean> histogram = new ConcurrentHashMap<>();
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id,
          DistributionStatisticConfig config) {
        histogram.put(id.getName(), Boolean.TRUE.equals(config.isPercentileHistogram()));
        return config;
      }
    });
    try (Storage s = open(b -> b.listener(
        CairnMetrics.latencyHistograms(registry, "orders", APP)))) {
      new CairnMetrics(s, "orders", APP).statsInterval(Duration.ZERO).bindTo(registry);
      workload(s);
      Timer reads = registry.get("cairn.read.latency.histogram").tags("store", "orders")
          .timer();
      assertThat(reads.count()).isEqualTo(2);
      Timer sync = registry.get("cairn.write.latency.histogram").tags("durability", "SYNC")
          .timer();
      Timer group = registry.get("cairn.write.latency.histogram").tags("durability", "GROUP")
          .timer();
      assertThat(sync.count()).isEqualTo(4);
      assertThat(group.count()).isEqualTo(1);
      assertThat(registry.find("cairn.write.latency.histogram").tag("durability", "ASYNC")
          .timer()).as("registered on first use").isNull();
      // the timers are given the nanoseconds the engine's own histogram sums
      FunctionTimer engine = registry.get("cairn.read.latency").functionTimer();
      assertThat(reads.totalTime(TimeUnit.MICROSECONDS))
          .isCloseTo(engine.totalTime(TimeUnit.MICROSECONDS), within(1.0));
      assertThat(reads.getId().getTag("app")).isEqualTo("test");
      assertThat(histogram).containsEntry("cairn.read.latency.histogram", true)
          .containsEntry("cairn.write.latency.histogram", true);
    }
  }

  @Test
  void badArgumentsAreRefusedNamingWhatIsWrong() {
    try (Storage s = open(b -> b)) {
      List<Tag> none = List.of();
      assertThatThrownBy(() -> new CairnMetrics(s, " ", none))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("store name must not be blank");
      assertThatThrownBy(() -> new CairnMetrics(null, "x", none))
          .isInstanceOf(NullPointerException.class).hasMessage("storage");
      assertThatThrownBy(() -> new CairnMetrics(s, "x", null))
          .isInstanceOf(NullPointerException.class).hasMessage("tags");
      CairnMetrics m = new CairnMetrics(s, "x", none);
      assertThatThrownBy(() -> m.maxCollections(-1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("max collections must not be negative, got -1");
      assertThatThrownBy(() -> m.statsInterval(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("stats interval must not be negative, got PT-1S");
      assertThatThrownBy(() -> m.collectionCountInterval(null))
          .isInstanceOf(NullPointerException.class).hasMessage("collection count interval");
      assertThatThrownBy(() -> CairnMetrics.latencyHistograms(null, "x", none))
          .isInstanceOf(NullPointerException.class).hasMessage("registry");
    }
  }

  @Test
  void metersOfTwoStoresAreToldApartByTheirStoreTag() {
    try (Storage a = open(b -> b);
        Storage b = Storage.builder().directory(dir.resolve("b")).backend("sqlite")
            .noScheduledMaintenance().open()) {
      new CairnMetrics(a, "orders", Tags.empty()).statsInterval(Duration.ZERO).bindTo(registry);
      new CairnMetrics(b, "users", Tags.empty()).statsInterval(Duration.ZERO).bindTo(registry);
      b.putBytes("c", "k", bytes('k', 5));
      assertThat(counter("cairn.writes")).isZero();
      assertThat(registry.get("cairn.writes").tag("store", "users").functionCounter().count())
          .isEqualTo(1);
      assertThat(registry.find("cairn.writes").meters()).extracting(Meter::getId)
          .hasSize(2);
    }
  }
}
