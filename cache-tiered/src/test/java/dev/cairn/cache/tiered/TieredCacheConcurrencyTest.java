package dev.cairn.cache.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.cairn.storage.spi.RecordCache.CachedValue;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * Several threads put, get and invalidate a few hot keys through tiny tiers, so demotions and
 * promotions race the invalidations all the time. Writes to one key are serialised by the test
 * (as the engine's commit order serialises them) and take increasing versions; after each write
 * the writer publishes a floor for the key: nothing older may be read any more. Readers assert
 * every value they see is at or above the floor they read before the lookup, and that its bytes
 * are exactly the bytes written for that version (which also catches off-heap block mix-ups).
 */
final class TieredCacheConcurrencyTest {

  private static final int KEYS = 16;
  private static final int OPS_PER_THREAD = 15_000;

  @Test
  void noReaderSeesDataOlderThanACompletedInvalidateWhileEntriesMoveBetweenTiers() throws Exception {
    // L1 holds ~3 of the 16 keys, L2 holds all of them: nothing is ever dropped for space, so a
    // stale put after a fresh one must always find the fresh one and be refused
    run(0xC0FFEEL, 3 * (1500 + 300), 16 * 1600 * 2, true);
  }

  @Test
  void noReaderSeesOldDataWhenBothTiersAreTooSmall() throws Exception {
    run(0xBADCAFEL, 2 * (1500 + 300), 6 * 1024, false);
  }

  @Test
  void noReaderSeesOldDataWithTheOffHeapTierAlone() throws Exception {
    run(0xD15C0L, 0, 16 * 1600 * 2, true);
  }

  @Test
  void noReaderSeesOldDataWithTheHeapTierAlone() throws Exception {
    run(0x5EA7L, 4 * (1500 + 300), 0, false);
  }

  private static void run(long seed, long heap, long offHeap, boolean everythingFits)
      throws Exception {
    TieredCache cache =
        Caches.open(
            heap,
            offHeap,
            RunLengthCodec.INSTANCE,
            null,
            null,
            Map.of("tiered.slabBytes", "65536"),
            new FakeTicker());
    AtomicLong versions = new AtomicLong();
    AtomicLongArray floors = new AtomicLongArray(KEYS);
    ReentrantLock[] writeLocks = new ReentrantLock[KEYS];
    Arrays.setAll(writeLocks, i -> new ReentrantLock());
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long threadSeed = seed * 31 + t;
        boolean writer = t < 2;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  Random random = new Random(threadSeed);
                  for (int op = 0; op < OPS_PER_THREAD && failures.isEmpty(); op++) {
                    int k = random.nextInt(KEYS);
                    if (writer && random.nextInt(3) > 0) {
                      write(cache, random, k, versions, floors, writeLocks[k], everythingFits, failures);
                    } else {
                      read(cache, k, floors, failures, "reader");
                    }
                    if (random.nextInt(500) == 0) {
                      cache.cleanup();
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        try {
          f.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          fail("stress run did not finish (deadlock?), seed " + seed + "\n" + threadDump());
        }
      }
      assertThat(failures).as("seed %d", seed).isEmpty();
      // at rest every key is either absent or at its floor, and the tiers are within bounds
      cache.cleanup();
      for (int k = 0; k < KEYS; k++) {
        read(cache, k, floors, failures, "final");
      }
      assertThat(failures).as("seed %d", seed).isEmpty();
      assertThat(Caches.l1(cache).bytesUsed()).isLessThanOrEqualTo(heap);
      assertThat(Caches.l2(cache).bytesUsed()).isLessThanOrEqualTo(offHeap);
      if (heap > 0 && offHeap > 0) {
        assertThat(Caches.l1(cache).evictions()).as("demotions happened").isPositive();
        assertThat(Caches.l2(cache).hits()).as("promotions happened").isPositive();
      }
    } finally {
      pool.shutdownNow();
      cache.close();
    }
  }

  private static void write(
      TieredCache cache,
      Random random,
      int k,
      AtomicLong versions,
      AtomicLongArray floors,
      ReentrantLock lock,
      boolean everythingFits,
      ConcurrentLinkedQueue<String> failures) {
    lock.lock();
    try {
      long v = versions.incrementAndGet();
      int kind = random.nextInt(3);
      if (kind == 0) {
        cache.invalidate("c", key(k));
        floors.set(k, v); // nothing written before v may be seen again
        return;
      }
      if (kind == 1) {
        cache.invalidate("c", key(k));
      }
      cache.put("c", key(k), valueOf(k, v));
      if (everythingFits) {
        // an older version arriving late must be refused: the fresh one is still cached
        cache.put("c", key(k), valueOf(k, Math.max(0, v - 1 - random.nextInt(5))));
        // a lookup may miss while another thread's maintenance is demoting the key (it has left
        // L1 and is being compressed for L2): a miss is always allowed, a wrong version never
        CachedValue now = cache.get("c", key(k));
        for (int tries = 0; now == null && tries < 10_000; tries++) {
          Thread.yield();
          now = cache.get("c", key(k));
        }
        if (now == null || now.version() != v) {
          failures.add("key " + k + ": wrote " + v + " but read back " + describe(now));
        }
      }
      floors.set(k, v);
    } finally {
      lock.unlock();
    }
  }

  private static void read(
      TieredCache cache, int k, AtomicLongArray floors, ConcurrentLinkedQueue<String> failures, String who) {
    long floor = floors.get(k);
    CachedValue got = cache.get("c", key(k));
    if (got == null) {
      return;
    }
    if (got.version() < floor) {
      failures.add(who + ": key " + k + " returned version " + got.version() + " below floor " + floor);
    } else if (!Arrays.equals(got.raw(), valueOf(k, got.version()).raw())) {
      failures.add(who + ": key " + k + " version " + got.version() + " has the wrong bytes");
    }
  }

  private static String describe(CachedValue v) {
    return v == null ? "nothing" : "version " + v.version();
  }

  private static String key(int k) {
    return "k" + (char) ('a' + k);
  }

  /** The bytes of version {@code v} of key {@code k}: 200..1500 bytes, every third compressible. */
  static CachedValue valueOf(int k, long v) {
    byte[] raw = new byte[200 + (int) ((v * 7919) % 1300)];
    if (v % 3 == 0) {
      Arrays.fill(raw, (byte) (k + v));
    } else {
      new Random(v * 1_000_003 + k).nextBytes(raw);
    }
    return new CachedValue(v, raw);
  }

  private static String threadDump() {
    StringBuilder sb = new StringBuilder();
    for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      sb.append(info);
    }
    return sb.toString();
  }
}
