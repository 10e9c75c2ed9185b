package dev.cairn.cache.tiered;

import static dev.cairn.cache.tiered.Caches.l1;
import static dev.cairn.cache.tiered.Caches.l2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.spi.RecordCache.CachedValue;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class TieredCacheBoundsTest {

  private static final long SEED = 0x5eed_b0dL;

  @Test
  void eachTierStaysWithinItsBoundAfterFarMoreDataThanItHolds() {
    long heap = 64 << 10;
    long offHeap = 256 << 10;
    Random random = new Random(SEED);
    try (TieredCache cache =
        Caches.open(
            heap,
            offHeap,
            RunLengthCodec.INSTANCE,
            null,
            null,
            Map.of("tiered.slabBytes", "65536"),
            new FakeTicker())) {
      long inserted = 0;
      for (int i = 0; i < 3000; i++) {
        CachedValue v = randomValue(random, i);
        inserted += v.raw().length;
        cache.put("c", "k" + i, v);
        if (i % 97 == 0) {
          cache.cleanup();
          assertWithinBounds(cache, heap, offHeap, i);
        }
      }
      cache.cleanup();
      assertWithinBounds(cache, heap, offHeap, 3000);
      assertThat(inserted).as("seed %d", SEED).isGreaterThan(10 * (heap + offHeap));
      assertThat(l1(cache).evictions()).isPositive();
      assertThat(l2(cache).evictions()).isPositive();
      assertThat(l2(cache).bytesUsed()).as("L2 is used close to its bound").isGreaterThan(offHeap / 2);
      assertThat(cache.offHeapReservedBytes()).isLessThanOrEqualTo(offHeap);
      // whatever is still cached is intact
      Random again = new Random(SEED);
      for (int i = 0; i < 3000; i++) {
        CachedValue expected = randomValue(again, i);
        CachedValue got = cache.get("c", "k" + i);
        if (got != null) {
          assertThat(got.version()).as("seed %d key %d", SEED, i).isEqualTo(expected.version());
          assertThat(Arrays.equals(got.raw(), expected.raw())).as("seed %d key %d", SEED, i).isTrue();
        }
      }
      cache.cleanup();
      assertWithinBounds(cache, heap, offHeap, -1);
    }
  }

  private static void assertWithinBounds(TieredCache cache, long heap, long offHeap, int step) {
    assertThat(l1(cache).bytesUsed()).as("L1 bytes, seed %d step %d", SEED, step).isLessThanOrEqualTo(heap);
    assertThat(l2(cache).bytesUsed()).as("L2 bytes, seed %d step %d", SEED, step).isLessThanOrEqualTo(offHeap);
  }

  /** 100..3000 bytes, a third of them compressible by run-length coding. */
  private static CachedValue randomValue(Random random, int i) {
    byte[] raw = new byte[100 + random.nextInt(2900)];
    if (random.nextInt(3) == 0) {
      Arrays.fill(raw, (byte) i);
    } else {
      random.nextBytes(raw);
    }
    return new CachedValue(i + 1, raw);
  }
}
