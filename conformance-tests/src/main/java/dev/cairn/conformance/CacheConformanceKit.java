package dev.cairn.conformance;

import static dev.cairn.conformance.KitSupport.randomBytes;
import static dev.cairn.conformance.KitSupport.seedNote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.cairn.storage.CacheTierStats;
import dev.cairn.storage.internal.IdentityCodecProvider;
import dev.cairn.storage.spi.CacheConfig;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.RecordCache;
import dev.cairn.storage.spi.RecordCache.CachedValue;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit for {@link CacheProvider}s: lookups, version ordering, invalidation,
 * bounds, truthful statistics, close, and the concurrent invalidation race the engine's
 * coherence protocol depends on.
 *
 * <pre>{@code
 * final class MyCacheConformanceTest extends CacheConformanceKit {
 *   @Override
 *   protected CacheProvider provider() {
 *     return new MyCacheProvider();
 *   }
 * }
 * }</pre>
 *
 * <p>Statistics are read as a chain of tiers in lookup order: the first tier of
 * {@link RecordCache#stats()} sees every lookup, a hit is counted by exactly one tier, and a
 * lookup that misses every tier is a miss of the last tier. Caches are created with the identity
 * codec, so a tier's weight of an entry is at least its raw length.
 */
@org.junit.jupiter.api.extension.ExtendWith(NamesKitRun.class)
public abstract class CacheConformanceKit {

  /** For subclasses, which supply the cache provider under test ({@link #provider()}). */
  protected CacheConformanceKit() {}

  private static final long AMPLE = 4L << 20;

  private final List<RecordCache> created = new ArrayList<>();
  private CacheProvider provider;
  private RecordCache cache;

  /**
   * The cache provider under test. Called once per test.
   *
   * @return the provider whose caches the kit creates
   */
  protected abstract CacheProvider provider();

  /**
   * Provider-specific options for every cache the kit creates (default none).
   *
   * @return cache option keys and values; none by default
   */
  protected Map<String, String> options() {
    return Map.of();
  }

  /**
   * The configuration the kit creates caches with; override to add options.
   *
   * @param maxHeapBytes the on-heap bound the test needs
   * @param maxOffHeapBytes the off-heap bound the test needs
   * @param expireAfterWrite the test's expiry after write, or {@code null} for never
   * @param expireAfterAccess the test's expiry after access, or {@code null} for never
   * @return the configuration of one cache
   */
  protected CacheConfig config(
      long maxHeapBytes, long maxOffHeapBytes, Duration expireAfterWrite,
      Duration expireAfterAccess) {
    return new CacheConfig(maxHeapBytes, maxOffHeapBytes, expireAfterWrite, expireAfterAccess,
        IdentityCodecProvider.CODEC, options());
  }

  @BeforeEach
  void createCache() {
    provider = provider();
    cache = create(AMPLE, AMPLE, null, null);
  }

  @AfterEach
  void closeCaches() {
    created.forEach(RecordCache::close);
    created.clear();
  }

  private RecordCache create(long heap, long offHeap, Duration afterWrite, Duration afterAccess) {
    RecordCache c = provider.create(config(heap, offHeap, afterWrite, afterAccess));
    assertThat(c).as("%s.create returned null", provider.name()).isNotNull();
    created.add(c);
    return c;
  }

  private static byte[] payload(long version, int length) {
    byte[] b = new byte[Math.max(length, 8)];
    ByteBuffer.wrap(b).putLong(version);
    Arrays.fill(b, 8, b.length, (byte) version);
    return b;
  }

  private static CachedValue value(long version) {
    return new CachedValue(version, payload(version, 100));
  }

  private static long sum(List<CacheTierStats> stats,
      java.util.function.ToLongFunction<CacheTierStats> f) {
    return stats.stream().mapToLong(f).sum();
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("get, put, invalidate")
  class Basics {

    @Test
    @DisplayName("get of an absent key returns null")
    void getOfAbsentKeyReturnsNull() {
      assertThat(cache.get("c", "k")).isNull();
    }

    @Test
    @DisplayName("get returns the version and bytes that were put")
    void putThenGet() {
      cache.put("c", "k", new CachedValue(7, payload(7, 300)));
      CachedValue got = cache.get("c", "k");
      assertThat(got).isNotNull();
      assertThat(got.version()).isEqualTo(7);
      assertThat(got.raw()).isEqualTo(payload(7, 300));
    }

    @Test
    @DisplayName("a value keeps its record's expiry in every tier (demoted and promoted again)")
    void expiryIsKeptInEveryTier() {
      // a small heap tier: most values live in the next tier, if there is one
      RecordCache c = create(64 << 10, 512 << 10, null, null);
      long base = 1_900_000_000_000L;
      int n = 2000;
      for (int i = 0; i < n; i++) {
        long expiresAt = i % 3 == 0 ? 0 : base + i;
        c.put("c", "k" + i, new CachedValue(i + 1, payload(i + 1, 200), expiresAt));
      }
      c.cleanup();
      int found = 0;
      for (int i = 0; i < n; i++) {
        CachedValue v = c.get("c", "k" + i);
        if (v != null) {
          found++;
          assertThat(v.expiresAtMillis()).as("expiry of k%d, version %d", i, v.version())
              .isEqualTo(i % 3 == 0 ? 0 : base + i);
          assertThat(v.raw()).isEqualTo(payload(i + 1, 200));
        }
      }
      assertThat(found).as("values still cached").isPositive();
    }

    @Test
    @DisplayName("a zero-length value is cached")
    void zeroLengthValue() {
      cache.put("c", "k", new CachedValue(1, new byte[0]));
      CachedValue got = cache.get("c", "k");
      assertThat(got).isNotNull();
      assertThat(got.raw()).isEmpty();
    }

    @Test
    @DisplayName("invalidate removes the entry at once and leaves other keys")
    void invalidateRemovesEntry() {
      cache.put("c", "k", value(1));
      cache.put("c", "other", value(2));
      cache.put("d", "k", value(3));
      cache.invalidate("c", "k");
      assertThat(cache.get("c", "k")).as("invalidated entry").isNull();
      assertThat(cache.get("c", "other")).as("another key of the collection").isNotNull();
      assertThat(cache.get("d", "k")).as("the same key in another collection").isNotNull();
      cache.invalidate("c", "never-cached");
      cache.put("c", "k", value(4));
      assertThat(cache.get("c", "k")).as("put after invalidate").isNotNull()
          .extracting(CachedValue::version).isEqualTo(4L);
    }

    @Test
    @DisplayName("invalidateAll removes every entry")
    void invalidateAllRemovesEverything() {
      for (int i = 0; i < 50; i++) {
        cache.put("c" + (i % 3), "k" + i, value(i));
      }
      cache.invalidateAll();
      for (int i = 0; i < 50; i++) {
        assertThat(cache.get("c" + (i % 3), "k" + i)).as("key %d after invalidateAll", i)
            .isNull();
      }
      cache.cleanup();
      assertThat(sum(cache.stats(), CacheTierStats::entries)).as("entries after invalidateAll")
          .isZero();
      assertThat(sum(cache.stats(), CacheTierStats::bytesUsed))
          .as("bytes used after invalidateAll").isZero();
    }

    @Test
    @DisplayName("collection and key are distinct parts of the identity (no separator clashes)")
    void collectionAndKeyDoNotCollide() {
      String[][] pairs = {
          {"a.b", "c", "a", "b.c"}, {"a_b", "c", "a", "b_c"}, {"a-b", "c", "a", "b-c"},
          {"ab", "c", "a", "bc"}, {"a", "b/c", "a/b", "c"}, {"a", "\u0000c", "a\u0000", "c"},
      };
      long v = 1;
      for (String[] p : pairs) {
        cache.put(p[0], p[1], value(v));
        cache.put(p[2], p[3], value(v + 1));
        assertThat(cache.get(p[0], p[1])).as("(%s, %s) vs (%s, %s)", (Object[]) p)
            .extracting(CachedValue::version).isEqualTo(v);
        cache.invalidate(p[2], p[3]);
        assertThat(cache.get(p[0], p[1])).as("after invalidating (%s, %s)", p[2], p[3])
            .isNotNull();
        v += 2;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("versions")
  class Versions {

    @Test
    @DisplayName("put does not replace a newer version with an older one")
    void olderPutDoesNotReplaceNewer() {
      cache.put("c", "k", value(5));
      cache.put("c", "k", value(3));
      CachedValue got = cache.get("c", "k");
      assertThat(got).isNotNull();
      assertThat(got.version()).isEqualTo(5);
      assertThat(got.raw()).isEqualTo(value(5).raw());
    }

    @Test
    @DisplayName("put replaces an entry with a newer or equal version")
    void newerPutReplaces() {
      cache.put("c", "k", value(5));
      cache.put("c", "k", value(9));
      assertThat(cache.get("c", "k").version()).isEqualTo(9);
      cache.put("c", "k", new CachedValue(9, payload(99, 100)));
      assertThat(cache.get("c", "k").raw()).as("same version").isEqualTo(payload(99, 100));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("bounds")
  class Bounds {

    @Test
    @DisplayName("after many inserts and cleanup every tier stays within its bound")
    void boundsAreHonoured() {
      long[][] configs = {{256 << 10, 256 << 10}, {256 << 10, 0}, {0, 256 << 10},
          {64 << 10, 512 << 10}};
      Random rnd = new Random(KitSupport.SEED);
      for (long[] cfg : configs) {
        long heap = cfg[0];
        long offHeap = cfg[1];
        String what = "heap " + heap + " off-heap " + offHeap;
        RecordCache c = create(heap, offHeap, null, null);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
          String key = "k" + i;
          keys.add(key);
          c.put("c", key, new CachedValue(i, randomBytes(rnd, 200 + rnd.nextInt(1800))));
          if (i % 500 == 0) {
            c.get("c", "k" + rnd.nextInt(i + 1));
          }
        }
        c.put("c", "huge", new CachedValue(1, new byte[1 << 20]));
        keys.add("huge");
        c.cleanup();
        List<CacheTierStats> stats = c.stats();
        for (CacheTierStats t : stats) {
          assertThat(t.bytesUsed()).as("%s: tier %s bytes used vs its bound", what, t.tier())
              .isLessThanOrEqualTo(t.maxBytes());
          assertThat(t.entries()).as("%s: tier %s entries", what, t.tier()).isNotNegative();
        }
        assertThat(sum(stats, CacheTierStats::maxBytes))
            .as("%s: the tiers' bounds add up to at most the configured bounds", what)
            .isLessThanOrEqualTo(heap + offHeap);
        if (sum(stats, CacheTierStats::maxBytes) > 0) {
          assertThat(sum(stats, CacheTierStats::evictions))
              .as("%s: evictions after inserting ~3 MB", what).isPositive();
        }
        long entries = sum(stats, CacheTierStats::entries);
        long retrievableBytes = 0;
        long retrievable = 0;
        for (String key : keys) {
          CachedValue v = c.get("c", key);
          if (v != null) {
            retrievable++;
            retrievableBytes += v.raw().length;
          }
        }
        assertThat(retrievableBytes)
            .as("%s: raw bytes still retrievable (stats may not hide entries); %s", what,
                seedNote())
            .isLessThanOrEqualTo(heap + offHeap);
        assertThat(entries).as("%s: entries reported vs entries retrievable", what)
            .isGreaterThanOrEqualTo(retrievable);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("statistics")
  class Statistics {

    @Test
    @DisplayName("hits and misses are counted for a known sequence of lookups")
    void hitsAndMissesAreCounted() {
      cache.get("c", "a"); // miss
      cache.get("c", "b"); // miss
      cache.put("c", "a", value(1));
      cache.put("c", "b", value(2));
      cache.get("c", "a"); // hit
      cache.get("c", "a"); // hit
      cache.get("c", "b"); // hit
      cache.get("c", "z"); // miss
      cache.invalidate("c", "a");
      cache.get("c", "a"); // miss
      List<CacheTierStats> stats = cache.stats();
      assertThat(stats).as("a cache reports at least one tier").isNotEmpty();
      CacheTierStats first = stats.get(0);
      CacheTierStats last = stats.get(stats.size() - 1);
      assertThat(sum(stats, CacheTierStats::hits)).as("hits over all tiers").isEqualTo(3);
      assertThat(first.hits() + first.misses()).as("lookups seen by the first tier")
          .isEqualTo(7);
      assertThat(last.misses()).as("lookups that missed every tier").isEqualTo(4);
      for (CacheTierStats t : stats) {
        assertThat(t.tier()).isNotBlank();
        assertThat(t.maxBytes()).as("tier %s bound", t.tier()).isPositive();
      }
    }

    @Test
    @DisplayName("entries and bytes used reflect what is cached")
    void entriesAndBytesReflectContents() {
      for (int i = 0; i < 10; i++) {
        cache.put("c", "k" + i, new CachedValue(i, payload(i, 1000)));
      }
      cache.cleanup();
      List<CacheTierStats> stats = cache.stats();
      assertThat(sum(stats, CacheTierStats::entries)).as("entries").isGreaterThanOrEqualTo(10);
      assertThat(sum(stats, CacheTierStats::bytesUsed)).as("bytes used by 10 x 1000 bytes")
          .isGreaterThanOrEqualTo(10_000);
      for (int i = 0; i < 10; i++) {
        cache.invalidate("c", "k" + i);
      }
      cache.cleanup();
      assertThat(sum(cache.stats(), CacheTierStats::entries)).as("entries after invalidate")
          .isZero();
      assertThat(sum(cache.stats(), CacheTierStats::bytesUsed))
          .as("bytes used after invalidate").isZero();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("expiry")
  class Expiry {

    @Test
    @DisplayName("entries expire after write")
    void entriesExpireAfterWrite() throws InterruptedException {
      KitSupport.requireCapability("cache " + provider.name(), provider.capabilities(),
          Capability.EXPIRY);
      RecordCache c = create(AMPLE, AMPLE, Duration.ofMillis(100), null);
      c.put("c", "k", value(1));
      // sleeping longer than the expiry can only make a correct cache pass
      Thread.sleep(400);
      c.cleanup();
      assertThat(c.get("c", "k")).as("entry 400 ms after a 100 ms expire-after-write").isNull();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("close")
  class Close {

    @Test
    @DisplayName("close frees every entry and is idempotent")
    void closeFreesEntriesAndIsIdempotent() {
      for (int i = 0; i < 100; i++) {
        cache.put("c", "k" + i, new CachedValue(i, payload(i, 500)));
      }
      cache.close();
      for (CacheTierStats t : cache.stats()) {
        assertThat(t.entries()).as("tier %s entries after close", t.tier()).isZero();
        assertThat(t.bytesUsed()).as("tier %s bytes after close", t.tier()).isZero();
      }
      assertThatCode(cache::close).as("second close").doesNotThrowAnyException();
    }

    @Test
    @DisplayName("get racing with and after close returns null, a valid entry or IllegalStateException")
    void getRacingWithCloseIsSafe() throws Exception {
      // the engine serves cache hits without waiting for close(): a get concurrent with or after
      // close must never read released (e.g. off-heap) memory or fail in another way
      RecordCache small = create(16 * 1024, 1 << 20, null, null); // most entries in the second tier
      for (int i = 0; i < 200; i++) {
        small.put("c", "k" + i, new CachedValue(i, payload(i, 500)));
      }
      AtomicBoolean stop = new AtomicBoolean();
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread reader = new Thread(() -> {
          int i = 0;
          while (!stop.get()) {
            int k = i++ % 200;
            try {
              CachedValue v = small.get("c", "k" + k);
              if (v != null && (v.version() != k || !Arrays.equals(v.raw(), payload(k, 500)))) {
                failures.add(new AssertionError("get of k" + k + " returned a wrong entry"));
              }
            } catch (IllegalStateException closed) {
              // allowed once close() has begun
            } catch (Throwable e) {
              failures.add(e);
            }
          }
        });
        reader.start();
        readers.add(reader);
      }
      Thread.sleep(50);
      small.close();
      Thread.sleep(20);
      stop.set(true);
      for (Thread reader : readers) {
        reader.join(10_000);
      }
      assertThat(failures).as("failures of get racing with close").isEmpty();
      try {
        assertThat(small.get("c", "k1")).as("get after close").isNull();
      } catch (IllegalStateException expected) {
        // also allowed
      }
    }

    @Test
    @DisplayName("an array returned by get is never modified by the cache afterwards")
    void returnedArraysStayIntact() {
      cache.put("c", "k", new CachedValue(1, payload(1, 500)));
      CachedValue first = cache.get("c", "k");
      assertThat(first).isNotNull();
      cache.put("c", "k", new CachedValue(2, payload(2, 500)));
      cache.invalidate("c", "k");
      for (int i = 0; i < 100; i++) {
        cache.put("c", "o" + i, new CachedValue(i, payload(i, 500)));
      }
      cache.invalidateAll();
      assertThat(first.raw()).as("the array handed out for version 1").isEqualTo(payload(1, 500));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("concurrency")
  class Concurrency {

    @Test
    @DisplayName("concurrent puts of many versions leave the newest, never a mixed entry")
    void concurrentPutsKeepNewestVersion() throws Exception {
      int threads = 4;
      int keys = 8;
      int versions = 400;
      ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
      AtomicBoolean done = new AtomicBoolean();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      try {
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          long seed = KitSupport.SEED + t;
          writers.add(pool.submit(() -> {
            List<Integer> order = new ArrayList<>();
            for (int v = 1; v <= versions; v++) {
              order.add(v);
            }
            Collections.shuffle(order, new Random(seed));
            for (int v : order) {
              for (int k = 0; k < keys; k++) {
                cache.put("c", "k" + k, new CachedValue(v, payload(v, 64)));
              }
            }
            return null;
          }));
        }
        Future<?> reader = pool.submit(() -> {
          while (!done.get()) {
            for (int k = 0; k < keys; k++) {
              CachedValue got = cache.get("c", "k" + k);
              if (got != null && !Arrays.equals(got.raw(), payload(got.version(), 64))) {
                problems.add("k" + k + " version " + got.version() + " holds other bytes");
              }
            }
          }
          return null;
        });
        for (Future<?> w : writers) {
          w.get(120, TimeUnit.SECONDS);
        }
        done.set(true);
        reader.get(120, TimeUnit.SECONDS);
      } finally {
        done.set(true);
        pool.shutdownNow();
      }
      assertThat(problems).as(seedNote()).isEmpty();
      for (int k = 0; k < keys; k++) {
        CachedValue got = cache.get("c", "k" + k);
        assertThat(got).as("k%d with ample bounds", k).isNotNull();
        assertThat(got.version()).as("k%d: newest version wins; %s", k, seedNote())
            .isEqualTo(versions);
      }
    }

    @Test
    @DisplayName("an invalidated entry never comes back while other threads read and evict")
    void invalidatedEntryIsNeverResurrected() throws Exception {
      RecordCache c = create(64 << 10, 64 << 10, null, null);
      // first without concurrency, so that a cache ignoring invalidate fails deterministically
      // (under load, churn may evict the victim before the racy checks below look at it)
      c.put("c", "victim", new CachedValue(-1, payload(-1, 1024)));
      c.invalidate("c", "victim");
      assertThat(c.get("c", "victim")).as("the victim right after invalidate").isNull();
      int rounds = 3000;
      int readers = 2;
      AtomicBoolean done = new AtomicBoolean();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      // the last round whose put has started / whose invalidate has returned
      AtomicLong putStarted = new AtomicLong(-1);
      AtomicLong invalidated = new AtomicLong(-1);
      ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
      try {
        List<Future<?>> helpers = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
          helpers.add(pool.submit(() -> {
            while (!done.get()) {
              long p1 = putStarted.get();
              long i = invalidated.get();
              CachedValue got = c.get("c", "victim");
              long p2 = putStarted.get();
              if (i == p1 && p2 == p1 && got != null) {
                problems.add("victim version " + got.version() + " visible after invalidate of"
                    + " round " + i + " returned, before any new put");
              }
            }
            return null;
          }));
        }
        long seed = KitSupport.SEED;
        helpers.add(pool.submit(() -> {
          // churn: other keys push entries through the tiers and out
          Random rnd = new Random(seed);
          long v = 0;
          while (!done.get()) {
            c.put("c", "churn" + rnd.nextInt(400), new CachedValue(++v, payload(v, 1024)));
            c.get("c", "churn" + rnd.nextInt(400));
          }
          return null;
        }));
        for (long round = 0; round < rounds && problems.isEmpty(); round++) {
          putStarted.set(round);
          c.put("c", "victim", new CachedValue(round, payload(round, 1024)));
          c.get("c", "victim");
          c.invalidate("c", "victim");
          invalidated.set(round);
          CachedValue got = c.get("c", "victim");
          if (got != null) {
            problems.add("victim version " + got.version() + " returned by the invalidating "
                + "thread right after invalidate (round " + round + ")");
          }
        }
        done.set(true);
        for (Future<?> f : helpers) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        done.set(true);
        pool.shutdownNow();
      }
      assertThat(problems).as(seedNote()).isEmpty();
    }
  }

  @Nested
  @DisplayName("options")
  class Options {

    @Test
    @DisplayName("options() declares the cache's own options, and each declared default is accepted")
    void declaredOptionsAreItsOwnAndTheirDefaultsAreAccepted() {
      Map<String, String> defaults = KitSupport.declaredDefaults(
          "cache", provider.name(), provider.options(), options());
      CacheConfig base = config(AMPLE, AMPLE, null, null);
      RecordCache c = provider.create(new CacheConfig(base.maxHeapBytes(), base.maxOffHeapBytes(),
          null, null, base.codec(), defaults));
      created.add(c);
      assertThat(c).as("%s.create returned null", provider.name()).isNotNull();
    }
  }
}
