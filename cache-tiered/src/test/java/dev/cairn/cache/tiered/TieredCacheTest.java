package dev.cairn.cache.tiered;

import static dev.cairn.cache.tiered.Caches.l1;
import static dev.cairn.cache.tiered.Caches.l1Weight;
import static dev.cairn.cache.tiered.Caches.l2;
import static dev.cairn.cache.tiered.Caches.open;
import static dev.cairn.cache.tiered.Caches.value;
import static dev.cairn.cache.tiered.Caches.zeros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.internal.IdentityCodecProvider;
import dev.cairn.storage.spi.CacheConfig;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.RecordCache;
import dev.cairn.storage.spi.RecordCache.CachedValue;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

final class TieredCacheTest {

  @Test
  void providerIsFoundByServiceLoaderWithNameAndExpiryCapability() {
    CacheProvider found =
        ServiceLoader.load(CacheProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("tiered"))
            .findFirst()
            .orElseThrow();
    assertThat(found).isInstanceOf(TieredCacheProvider.class);
    assertThat(found.capabilities()).containsExactly(Capability.EXPIRY);
    try (RecordCache cache =
        found.create(
            new CacheConfig(1 << 20, 1 << 20, null, null, IdentityCodecProvider.CODEC, Map.of()))) {
      cache.put("c", "k", new CachedValue(1, new byte[] {1, 2, 3}));
      assertThat(cache.get("c", "k").raw()).containsExactly(1, 2, 3);
    }
  }

  @Test
  void putDoesNotReplaceANewerVersionHeldInL2() {
    // an L1 that holds nothing: every value is demoted to L2 at once
    try (TieredCache cache = open(100, 1 << 20)) {
      cache.put("c", "k", value(5, 1000, 1));
      assertThat(cache.l2VersionsForTest()).containsEntry(new CacheKey("c", "k"), 5L);
      cache.put("c", "k", value(3, 1000, 2));
      assertThat(cache.l2VersionsForTest()).containsEntry(new CacheKey("c", "k"), 5L);
      assertThat(cache.get("c", "k")).usingRecursiveComparison().isEqualTo(value(5, 1000, 1));
    }
  }

  @Test
  void putDoesNotReplaceANewerVersionWhenL1IsDisabled() {
    try (TieredCache cache = open(0, 1 << 20)) {
      cache.put("c", "k", value(5, 300, 1));
      cache.put("c", "k", value(4, 300, 2));
      assertThat(cache.get("c", "k")).usingRecursiveComparison().isEqualTo(value(5, 300, 1));
      cache.put("c", "k", value(6, 300, 3));
      assertThat(cache.get("c", "k")).usingRecursiveComparison().isEqualTo(value(6, 300, 3));
    }
  }

  @Test
  void invalidateRemovesTheKeyFromBothTiers() {
    try (TieredCache cache = open(l1Weight(1000), 1 << 20)) {
      cache.put("c", "k1", value(1, 1000, 1));
      cache.put("c", "k2", value(2, 1000, 2)); // one of the two is demoted
      cache.cleanup();
      assertThat(l2(cache).entries()).isEqualTo(1);
      cache.invalidate("c", "k1");
      cache.invalidate("c", "k2");
      assertThat(cache.get("c", "k1")).isNull();
      assertThat(cache.get("c", "k2")).isNull();
      assertThat(l1(cache).entries()).isZero();
      assertThat(l2(cache).entries()).isZero();
      assertThat(l2(cache).bytesUsed()).isZero();
    }
  }

  @Test
  void invalidateAllEmptiesBothTiersAndReleasesOffHeapMemory() {
    try (TieredCache cache = open(l1Weight(1000) * 2, 1 << 20)) {
      for (int i = 0; i < 20; i++) {
        cache.put("c", "k" + (char) ('a' + i), value(i, 1000, i));
      }
      assertThat(cache.offHeapReservedBytes()).isPositive();
      cache.invalidateAll();
      for (int i = 0; i < 20; i++) {
        assertThat(cache.get("c", "k" + (char) ('a' + i))).isNull();
      }
      assertThat(l1(cache).entries()).isZero();
      assertThat(l2(cache).entries()).isZero();
      assertThat(cache.offHeapReservedBytes()).isZero();
      cache.put("c", "ka", value(100, 1000, 100));
      assertThat(cache.get("c", "ka").version()).isEqualTo(100);
    }
  }

  @Test
  void anL2HitIsPromotedToL1AndLeavesL2() {
    try (TieredCache cache = open(l1Weight(1000) * 3, 1 << 20)) {
      CachedValue big = value(1, 5000, 1); // heavier than all of L1: demoted at once
      cache.put("c", "kb", big);
      assertThat(cache.l2VersionsForTest()).containsOnlyKeys(new CacheKey("c", "kb"));
      CachedValue small = value(2, 1000, 2);
      cache.put("c", "ks", small);
      cache.invalidate("c", "kb");
      cache.put("c", "kb", value(3, 1000, 3)); // fits now
      assertThat(cache.l2VersionsForTest()).isEmpty();
      // push ks out by filling L1 with a value that cannot stay, then check promotion of a fitting one
      try (TieredCache two = open(l1Weight(1000), 1 << 20)) {
        two.put("c", "k1", value(1, 1000, 1));
        two.put("c", "k2", value(2, 1000, 2));
        two.cleanup();
        CacheKey demoted = two.l2VersionsForTest().keySet().iterator().next();
        CachedValue got = two.get(demoted.collection(), demoted.key());
        assertThat(got).usingRecursiveComparison().isEqualTo(value(got.version(), 1000, got.version()));
        assertThat(l2(two).hits()).isEqualTo(1);
        // the promoted entry pushed the other one down: still exactly one entry per tier
        assertThat(two.l2VersionsForTest()).hasSize(1).doesNotContainKey(demoted);
        assertThat(l1(two).entries()).isEqualTo(1);
      }
    }
  }

  @Test
  void compressibleValuesAreStoredCompressedInL2AndDecodedOnTheWayBack() {
    try (TieredCache cache =
        open(0, 1 << 20, RunLengthCodec.INSTANCE, null, null, Map.of(), new FakeTicker())) {
      cache.put("c", "zeros", zeros(1, 10_000)); // 40 runs of 255 -> 80 bytes -> one block
      assertThat(l2(cache).bytesUsed()).isEqualTo(128);
      cache.put("c", "random", value(2, 1000, 2)); // RLE doubles it: kept raw, 8 blocks
      assertThat(l2(cache).bytesUsed()).isEqualTo(128 + 1024);
      assertThat(cache.get("c", "zeros")).usingRecursiveComparison().isEqualTo(zeros(1, 10_000));
      assertThat(cache.get("c", "random")).usingRecursiveComparison().isEqualTo(value(2, 1000, 2));
    }
  }

  @Test
  void compressionCanBeTurnedOff() {
    try (TieredCache cache =
        open(
            0,
            1 << 20,
            RunLengthCodec.INSTANCE,
            null,
            null,
            Map.of("tiered.compress", "false"),
            new FakeTicker())) {
      cache.put("c", "zeros", zeros(1, 10_000));
      assertThat(l2(cache).bytesUsed()).isEqualTo(10_112); // 79 blocks
    }
  }

  @Test
  void aTierOfZeroBytesIsDisabled() {
    try (TieredCache none = open(0, 0)) {
      none.put("c", "k", value(1, 10, 1));
      assertThat(none.get("c", "k")).isNull();
      assertThat(none.stats()).allSatisfy(s -> assertThat(s.bytesUsed()).isZero());
    }
    try (TieredCache heapOnly = open(l1Weight(1000), 0)) {
      heapOnly.put("c", "k1", value(1, 1000, 1));
      heapOnly.put("c", "k2", value(2, 1000, 2));
      heapOnly.cleanup();
      assertThat(l1(heapOnly).entries()).isEqualTo(1);
      assertThat(l1(heapOnly).evictions()).isEqualTo(1);
      assertThat(l2(heapOnly).entries()).isZero();
      assertThat(l2(heapOnly).maxBytes()).isZero();
    }
  }

  @Test
  void entriesExpireAfterWriteInBothTiersKeepingTheirAgeAcrossDemotion() {
    FakeTicker ticker = new FakeTicker();
    try (TieredCache cache =
        open(
            l1Weight(1000),
            1 << 20,
            IdentityCodecProvider.CODEC,
            Duration.ofSeconds(10),
            null,
            Map.of(),
            ticker)) {
      cache.put("c", "k1", value(1, 1000, 1));
      ticker.advance(Duration.ofSeconds(6));
      cache.put("c", "k2", value(2, 1000, 2)); // one of them goes to L2
      cache.cleanup();
      assertThat(l2(cache).entries()).isEqualTo(1);
      ticker.advance(Duration.ofSeconds(5)); // k1 is 11 s old, k2 5 s
      assertThat(cache.get("c", "k1")).isNull();
      assertThat(cache.get("c", "k2").version()).isEqualTo(2);
      ticker.advance(Duration.ofSeconds(5)); // k2 is 10 s old
      assertThat(cache.get("c", "k2")).isNull();
      cache.cleanup();
      assertThat(l1(cache).entries() + l2(cache).entries()).isZero();
      assertThat(l2(cache).bytesUsed()).isZero();
    }
  }

  @Test
  void entriesExpireAfterAccessAndReadsKeepThemAlive() {
    FakeTicker ticker = new FakeTicker();
    try (TieredCache cache =
        open(
            l1Weight(1000),
            1 << 20,
            IdentityCodecProvider.CODEC,
            null,
            Duration.ofSeconds(10),
            Map.of(),
            ticker)) {
      cache.put("c", "k1", value(1, 1000, 1));
      for (int i = 0; i < 5; i++) {
        ticker.advance(Duration.ofSeconds(8));
        assertThat(cache.get("c", "k1")).as("read %d", i).isNotNull();
      }
      ticker.advance(Duration.ofSeconds(10));
      assertThat(cache.get("c", "k1")).isNull();
    }
  }

  @Test
  void cleanupSweepsExpiredEntriesOutOfL2AndReportsBytesFreed() {
    FakeTicker ticker = new FakeTicker();
    try (TieredCache cache =
        open(
            0,
            1 << 20,
            IdentityCodecProvider.CODEC,
            Duration.ofSeconds(10),
            null,
            Map.of(),
            ticker)) {
      cache.put("c", "k1", value(1, 1000, 1)); // 8 blocks
      cache.put("c", "k2", value(2, 100, 2)); // 1 block
      ticker.advance(Duration.ofSeconds(11));
      assertThat(cache.cleanup()).isEqualTo(9 * 128);
      assertThat(l2(cache).entries()).isZero();
    }
  }

  @Test
  void useAfterCloseThrowsAndCloseIsIdempotent() {
    TieredCache cache = open(1 << 20, 1 << 20);
    cache.put("c", "k", value(1, 10, 1));
    cache.close();
    cache.close();
    assertThatThrownBy(() -> cache.get("c", "k")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cache.put("c", "k", value(2, 10, 1)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cache.invalidate("c", "k")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(cache::invalidateAll).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(cache::cleanup).isInstanceOf(IllegalStateException.class);
    assertThat(cache.stats()).allSatisfy(s -> assertThat(s.entries()).isZero());
  }

  @Test
  void unknownOrInvalidTieredOptionsAreRejectedAllAtOnce() {
    TieredCacheProvider provider = new TieredCacheProvider();
    Map<String, String> bad =
        Map.of(
            "tiered.blockSize", "64",
            "tiered.blockBytes", "100",
            "tiered.compress", "yes",
            "other.option", "refused");
    assertThatThrownBy(
            () ->
                provider.create(
                    new CacheConfig(1, 1, null, null, IdentityCodecProvider.CODEC, bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option 'tiered.blockSize'")
        .hasMessageContaining("tiered.blockBytes=100 must be a power of two")
        .hasMessageContaining("tiered.compress=yes must be true or false")
        .hasMessageContaining("unknown option 'other.option'");
    assertThatThrownBy(
            () ->
                provider.create(
                    new CacheConfig(
                        1, 1, Duration.ofSeconds(-1), null, IdentityCodecProvider.CODEC, Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expireAfterWrite");
  }

  @Test
  void nullArgumentsAreRejectedNamingTheArgument() {
    try (TieredCache cache = open(1 << 20, 1 << 20)) {
      assertThatThrownBy(() -> cache.get(null, "k"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("collection");
      assertThatThrownBy(() -> cache.put("c", null, value(1, 1, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key");
    }
  }
}
