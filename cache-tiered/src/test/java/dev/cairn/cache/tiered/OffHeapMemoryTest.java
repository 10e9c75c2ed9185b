package dev.cairn.cache.tiered;

import static dev.cairn.cache.tiered.Caches.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class OffHeapMemoryTest {

  private static BufferPoolMXBean directPool() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(p -> p.getName().equals("direct"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theCleanerIsAvailableWithoutAddOpens() {
    assertThat(DirectMemory.canFree()).isTrue();
  }

  @Test
  void closeReturnsDirectMemoryToTheBaselineAtOnceAcrossManyCycles() {
    BufferPoolMXBean direct = directPool();
    long baseline = direct.getMemoryUsed();
    long baselineReserved = SlabAllocator.RESERVED_BYTES_ALL.get();
    for (int cycle = 0; cycle < 40; cycle++) {
      TieredCache cache =
          Caches.open(
              64 << 10,
              2 << 20,
              RunLengthCodec.INSTANCE,
              null,
              null,
              Map.of("tiered.slabBytes", String.valueOf(256 << 10)),
              new FakeTicker());
      for (int i = 0; i < 3000; i++) { // ~3 MiB through a 2 MiB L2: fills it and evicts
        cache.put("c", "k" + i, value(i, 1000, i));
      }
      long reserved = cache.offHeapReservedBytes();
      assertThat(reserved).as("cycle %d", cycle).isEqualTo(2 << 20);
      assertThat(direct.getMemoryUsed()).as("cycle %d", cycle).isGreaterThanOrEqualTo(baseline + reserved);
      cache.close();
      assertThat(direct.getMemoryUsed()).as("direct memory after close, cycle %d", cycle).isEqualTo(baseline);
      assertThat(SlabAllocator.RESERVED_BYTES_ALL.get()).isEqualTo(baselineReserved);
    }
  }

  @Test
  void freedBlocksAreReusedWithoutReservingMoreSlabs() {
    SlabAllocator allocator = new SlabAllocator(1 << 20, 128, 64 << 10);
    try {
      Random random = new Random(42);
      int[][] live = new int[64][];
      byte[][] data = new byte[64][];
      for (int round = 0; round < 2000; round++) {
        int slot = random.nextInt(live.length);
        if (live[slot] != null) {
          assertThat(allocator.read(live[slot], data[slot].length)).as("round %d", round).isEqualTo(data[slot]);
          allocator.free(live[slot]);
        }
        data[slot] = new byte[random.nextInt(4000)];
        random.nextBytes(data[slot]);
        live[slot] = allocator.allocate(data[slot].length);
        assertThat(live[slot]).as("round %d", round).isNotNull();
        allocator.write(live[slot], data[slot]);
      }
      long used = Arrays.stream(live).filter(b -> b != null).mapToLong(b -> b.length * 128L).sum();
      assertThat(allocator.usedBytes()).isEqualTo(used);
      // 64 values of < 4000 bytes never need more than 64 * 32 blocks = 256 KiB of slabs
      assertThat(allocator.reservedBytes()).isLessThanOrEqualTo(256 << 10);
    } finally {
      allocator.close();
    }
    assertThat(allocator.reservedBytes()).isZero();
  }

  @Test
  void allocationFailsWhenTheBoundIsReachedAndTheLastSlabIsTrimmedToTheBound() {
    SlabAllocator allocator = new SlabAllocator(100_000, 128, 64 << 10); // 781 blocks
    try {
      assertThat(allocator.capacityBytes()).isEqualTo(781 * 128);
      assertThat(allocator.allocate(781 * 128)).hasSize(781);
      assertThat(allocator.allocate(1)).isNull();
      assertThat(allocator.reservedBytes()).isEqualTo(781 * 128);
    } finally {
      allocator.close();
    }
  }
}
