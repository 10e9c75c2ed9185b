package dev.cairn.cache.tiered;

import static dev.cairn.cache.tiered.Caches.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
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
  void memoryCanBeFreedDeterministicallyWithoutAddOpens() {
    // surefire adds no --add-opens for jdk.unsupported; java.lang.foreign needs none
    assertThat(DirectMemory.canFree()).isTrue();
    assertThat(DirectMemory.mechanism())
        .isEqualTo(Runtime.version().feature() >= 22 ? "arena" : "cleaner");
  }

  /**
   * On the cleaner path (Java 17-21) the JVM's "direct" buffer pool must be back at its baseline
   * right after close. Memory of {@code java.lang.foreign} arenas (Java 22+) is not counted in that
   * pool; there every slab's buffer must refuse access after close, which it does only once its
   * arena was closed and the memory freed.
   */
  @Test
  void closeReleasesEverySlabAtOnceAcrossManyCycles() {
    BufferPoolMXBean direct = directPool();
    boolean arena = DirectMemory.mechanism().equals("arena");
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
      assertThat(SlabAllocator.RESERVED_BYTES_ALL.get()).isEqualTo(baselineReserved + reserved);
      List<ByteBuffer> slabs = cache.offHeapBuffersForTest();
      assertThat(slabs).hasSize(8);
      if (!arena) {
        assertThat(direct.getMemoryUsed()).as("cycle %d", cycle).isGreaterThanOrEqualTo(baseline + reserved);
      }
      cache.close();
      assertThat(SlabAllocator.RESERVED_BYTES_ALL.get()).isEqualTo(baselineReserved);
      if (arena) {
        for (ByteBuffer slab : slabs) {
          assertThatThrownBy(() -> slab.get(0)).as("cycle %d", cycle).isInstanceOf(IllegalStateException.class);
        }
      } else {
        assertThat(direct.getMemoryUsed()).as("direct memory after close, cycle %d", cycle).isEqualTo(baseline);
      }
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
