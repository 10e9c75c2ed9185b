package dev.cairn.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import dev.cairn.storage.Versioned;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conditional writes of two {@code Storage} instances sharing one schema (as two JVMs would):
 * each check runs in a SERIALIZABLE write transaction, so when both instances act on the same
 * state one of them conflicts, runs again and then sees the other's write. Exactly one wins
 * every race, and compare-and-set counters end exact, also through per-instance caches that
 * may hold a value the other instance has replaced.
 */
final class PostgresConditionalWriteTest {

  @TempDir Path dir;

  private static Storage open(Path d, Map<String, String> options, MapCacheProvider cache) {
    return PostgresCacheCoherenceTest.open(d, options, cache);
  }

  @Test
  void twoInstancesRacingForOneKeyHaveExactlyOneWinnerEveryRound() throws Exception {
    Map<String, String> options = TestPostgres.get().freshOptions("cas_race");
    int rounds = 15;
    int threadsEach = 2;
    try (Storage one = open(dir.resolve("one"), options, null);
        Storage two = open(dir.resolve("two"), options, null)) {
      List<Storage> racers = new ArrayList<>();
      for (int t = 0; t < threadsEach; t++) {
        racers.add(one);
        racers.add(two);
      }
      CyclicBarrier start = new CyclicBarrier(racers.size());
      AtomicInteger[][] wins = new AtomicInteger[rounds][3];
      for (AtomicInteger[] w : wins) {
        for (int i = 0; i < w.length; i++) {
          w[i] = new AtomicInteger();
        }
      }
      long[] inserted = new long[rounds];
      long[] replaced = new long[rounds];
      ExecutorService pool = Executors.newFixedThreadPool(racers.size());
      try {
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < racers.size(); t++) {
          Storage s = racers.get(t);
          byte[] mine = {(byte) t};
          work.add(pool.submit(() -> {
            for (int r = 0; r < rounds; r++) {
              String key = "k" + r;
              start.await(60, TimeUnit.SECONDS);
              if (s.putBytesIfAbsent("race", key, mine)) {
                wins[r][0].incrementAndGet();
                inserted[r] = s.metadata("race", key).orElseThrow().version();
              }
              start.await(60, TimeUnit.SECONDS);
              if (s.replaceBytesIfVersion("race", key, inserted[r], mine)) {
                wins[r][1].incrementAndGet();
                replaced[r] = s.metadata("race", key).orElseThrow().version();
              }
              start.await(60, TimeUnit.SECONDS);
              if (s.deleteIfVersion("race", key, replaced[r])) {
                wins[r][2].incrementAndGet();
              }
            }
            return null;
          }));
        }
        for (Future<?> f : work) {
          f.get(300, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      for (int r = 0; r < rounds; r++) {
        assertThat(wins[r][0].get()).as("putIfAbsent winners, round %d", r).isEqualTo(1);
        assertThat(wins[r][1].get()).as("replaceIfVersion winners, round %d", r).isEqualTo(1);
        assertThat(wins[r][2].get()).as("deleteIfVersion winners, round %d", r).isEqualTo(1);
      }
      assertThat(one.count("race")).isZero();
      assertThat(one.stats().writes() + two.stats().writes())
          .as("one insert and one replace per round, by whichever instance won")
          .isEqualTo(2L * rounds);
      assertThat(one.admin().verify().problems()).isEmpty();
    }
  }

  @Test
  void compareAndSetCountersOfTwoCachedInstancesEndExact() throws Exception {
    Map<String, String> options = TestPostgres.get().freshOptions("cas_counter");
    int threadsEach = 2;
    int increments = 20;
    MapCacheProvider cacheOne = new MapCacheProvider();
    MapCacheProvider cacheTwo = new MapCacheProvider();
    try (Storage one = open(dir.resolve("one"), options, cacheOne);
        Storage two = open(dir.resolve("two"), options, cacheTwo)) {
      assertThat(one.putIfAbsent("ctr", "n", 0L)).isTrue();
      assertThat(two.putIfAbsent("ctr", "n", 0L)).as("the other instance inserted it").isFalse();
      AtomicLong lostRaces = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(2 * threadsEach);
      try {
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 2 * threadsEach; t++) {
          Storage s = t % 2 == 0 ? one : two;
          work.add(pool.submit(() -> {
            for (int i = 0; i < increments; i++) {
              s.get("ctr", "n", Long.class); // keeps the value in this instance's cache
              Workloads.incrementByCas(s, "ctr", "n", lostRaces);
            }
            return null;
          }));
        }
        for (Future<?> f : work) {
          f.get(300, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      two.catchUp();
      long expected = 2L * threadsEach * increments;
      assertThat(one.get("ctr", "n", Long.class)).as("%d races lost", lostRaces.get())
          .contains(expected);
      assertThat(two.get("ctr", "n", Long.class)).contains(expected);
      assertThat(one.admin().verify().problems()).isEmpty();
    }
  }

  /**
   * A cached pair that another instance's write made stale fails the replace, and that failed
   * attempt's backend transaction catches the cache up: the loop's next read is current, so a
   * compare-and-set loop needs at most one extra round for it.
   */
  @Test
  void aStaleCachedVersionFailsOnceAndTheNextReadIsCurrent() {
    Map<String, String> options = TestPostgres.get().freshOptions("cas_stale");
    MapCacheProvider cache = new MapCacheProvider();
    try (Storage cached = open(dir.resolve("cached"), options, cache);
        Storage other = open(dir.resolve("other"), options, null)) {
      other.put("ctr", "n", 0L);
      int staleRounds = 0;
      for (long i = 1; i <= 20; i++) {
        // the first read's transaction reports the other's last commit, so its value is not
        // cached (the key's coherence stamp moved); the second read caches it
        assertThat(cached.get("ctr", "n", Long.class)).contains(i - 1);
        assertThat(cached.get("ctr", "n", Long.class)).contains(i - 1);
        Versioned<Long> before = other.getVersioned("ctr", "n", Long.class).orElseThrow();
        assertThat(other.replaceIfVersion("ctr", "n", before.version(), i)).isTrue();
        int attempts = 0;
        while (true) {
          attempts++;
          Versioned<Long> seen = cached.getVersioned("ctr", "n", Long.class).orElseThrow();
          if (cached.replaceIfVersion("ctr", "n", seen.version(), seen.value() * 10)) {
            assertThat(seen.value()).as("a replace that applied saw the current value")
                .isEqualTo(i);
            break;
          }
          assertThat(attempts).as("round %d: attempts to replace", i).isLessThan(2);
          staleRounds++;
        }
        other.put("ctr", "n", i); // back to the count for the next round
      }
      assertThat(staleRounds).as("rounds whose first attempt read a stale cached pair")
          .isPositive();
    }
  }
}
