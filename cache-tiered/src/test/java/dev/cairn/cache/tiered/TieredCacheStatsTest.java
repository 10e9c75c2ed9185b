package dev.cairn.cache.tiered;

import static dev.cairn.cache.tiered.Caches.l1Weight;
import static dev.cairn.cache.tiered.Caches.open;
import static dev.cairn.cache.tiered.Caches.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.CacheTierStats;
import org.junit.jupiter.api.Test;

final class TieredCacheStatsTest {

  @Test
  void heapTierCountsHitsMissesEntriesAndWeighedBytes() {
    try (TieredCache cache = open(1 << 20, 0)) {
      cache.put("c", "k1", value(1, 1000, 1));
      cache.put("c", "k2", value(2, 500, 2));
      cache.get("c", "k1");
      cache.get("c", "k1");
      cache.get("c", "k2");
      cache.get("c", "k3");
      cache.get("c", "k4");
      cache.cleanup();
      assertThat(cache.stats())
          .containsExactly(
              new CacheTierStats("L1", 3, 2, 0, 2, l1Weight(1000) + l1Weight(500), 1 << 20),
              new CacheTierStats("L2", 0, 0, 0, 0, 0, 0));
    }
  }

  @Test
  void offHeapTierCountsLeastRecentlyUsedEvictionsAndWholeBlocks() {
    // L1 disabled; L2 = 5 blocks of 128 bytes
    try (TieredCache cache = open(0, 5 * 128)) {
      cache.put("c", "k1", value(1, 200, 1)); // 2 blocks
      cache.put("c", "k2", value(2, 129, 2)); // 2 blocks
      assertThat(cache.get("c", "k1")).isNotNull(); // k2 is now least recently used
      cache.put("c", "k3", value(3, 256, 3)); // 2 blocks: evicts k2
      assertThat(cache.get("c", "k2")).isNull();
      assertThat(cache.get("c", "k3")).isNotNull();
      cache.put("c", "k4", value(4, 5 * 128 + 1, 4)); // larger than the tier: dropped
      assertThat(cache.get("c", "k4")).isNull();
      assertThat(cache.stats())
          .containsExactly(
              new CacheTierStats("L1", 0, 0, 0, 0, 0, 0),
              new CacheTierStats("L2", 2, 2, 2, 2, 4 * 128, 5 * 128));
    }
  }

  @Test
  void bothTiersReportAKnownSequenceOfDemotionsAndPromotions() {
    // L1 holds the small value; a value heavier than all of L1 is always evicted from it at once
    try (TieredCache cache = open(l1Weight(1000) + 100, 1 << 20)) {
      cache.put("c", "ks", value(1, 1000, 1));
      cache.put("c", "kb", value(2, 3000, 2)); // demoted: L1 eviction 1
      cache.cleanup();
      assertThat(cache.get("c", "ks")).isNotNull(); // L1 hit
      assertThat(cache.get("c", "kb")).isNotNull(); // L1 miss, L2 hit, promoted, demoted again
      assertThat(cache.get("c", "kx")).isNull(); // L1 miss, L2 miss
      cache.invalidate("c", "kb");
      assertThat(cache.get("c", "kb")).isNull(); // L1 miss, L2 miss
      cache.cleanup();
      assertThat(cache.stats())
          .containsExactly(
              new CacheTierStats("L1", 1, 3, 2, 1, l1Weight(1000), l1Weight(1000) + 100),
              new CacheTierStats("L2", 1, 2, 0, 0, 0, 1 << 20));
      assertThat(cache.stats().get(0).hitRate()).isEqualTo(0.25);
    }
  }
}
