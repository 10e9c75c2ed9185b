package dev.cairn.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on one schema, the reader with a cache that never evicts by itself: its cache
 * must not serve a value older than a commit of the writer that it has observed (LISTEN/NOTIFY
 * invalidation with a fence at the end of every backend transaction, see ExternalWatch).
 */
final class PostgresCacheCoherenceTest {

  @TempDir Path dir;

  /** A store on the postgres backend, with {@code cache} or none (null). */
  static Storage open(Path d, Map<String, String> options, MapCacheProvider cache) {
    var b = Storage.builder().directory(d).backend("postgres").noScheduledMaintenance();
    options.forEach(b::backendOption);
    if (cache == null) {
      b.noCache();
    } else {
      b.cache(cache);
    }
    return b.open();
  }

  @Test
  void aCachedValueIsNeverOlderThanAnotherInstancesCommitThisInstanceHasObserved() {
    Map<String, String> options = TestPostgres.get().freshOptions("coherence");
    MapCacheProvider cache = new MapCacheProvider();
    try (Storage writer = open(dir.resolve("writer"), options, null);
        Storage reader = open(dir.resolve("reader"), options, cache)) {
      writer.put("c", "k", 0L);
      for (long i = 1; i <= 60; i++) {
        assertThat(reader.get("c", "k", Long.class)).contains(i - 1);
        assertThat(reader.get("c", "k", Long.class)).as("cached").contains(i - 1);
        writer.put("c", "k", i);
        writer.put("c", "marker-" + i, i); // a later commit of the writer
        // the reader observes the later commit (a cache miss: it reads the server) ...
        assertThat(reader.get("c", "marker-" + i, Long.class)).contains(i);
        // ... so it must not serve the value the earlier commit replaced
        assertThat(reader.get("c", "k", Long.class)).as("round %d", i).contains(i);
      }
      assertThat(cache.hits.get()).as("the cache was in use").isGreaterThanOrEqualTo(60);
    }
  }

  @Test
  void anIdleInstanceDropsValuesAnotherInstanceChanged() throws Exception {
    Map<String, String> options = TestPostgres.get().freshOptions("coherence_idle");
    MapCacheProvider cache = new MapCacheProvider();
    try (Storage writer = open(dir.resolve("writer"), options, null);
        Storage reader = open(dir.resolve("reader"), options, cache)) {
      writer.put("c", "k", "old");
      assertThat(reader.get("c", "k", String.class)).contains("old");
      writer.put("c", "k", "new");
      writer.delete("c", "gone");
      // no read of the server in between: the poller brings the invalidation (bounded wait)
      long deadline = System.nanoTime() + 10_000_000_000L;
      Optional<String> seen = reader.get("c", "k", String.class);
      while (!seen.equals(Optional.of("new")) && System.nanoTime() < deadline) {
        Thread.sleep(20);
        seen = reader.get("c", "k", String.class);
      }
      assertThat(seen).contains("new");
    }
  }

  /**
   * The opt-in current read: after instance A's commit returns, instance B's read after
   * {@code catchUp()} sees it, every time, though B's cache held the old value and two more
   * threads of B keep reading (and caching) the key meanwhile, and B's notification connection
   * is killed every tenth round. Without the catchUp the read is a cache hit of the old value.
   */
  @Test
  void afterCatchUpAReadSeesAnotherInstancesAcknowledgedCommitEveryTime() throws Exception {
    Map<String, String> options = TestPostgres.get().freshOptions("coherence_current");
    MapCacheProvider cache = new MapCacheProvider();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    AtomicBoolean stop = new AtomicBoolean();
    try (Storage a = open(dir.resolve("a"), options, null);
        Storage b = open(dir.resolve("b"), options, cache);
        Connection admin = TestPostgres.get().connect()) {
      a.put("c", "k", 0L);
      List<Future<?>> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        readers.add(pool.submit(() -> {
          while (!stop.get()) {
            b.get("c", "k", Long.class);
          }
          return null;
        }));
      }
      for (long i = 1; i <= 100; i++) {
        b.get("c", "k", Long.class); // cached, most likely the previous value
        if (i % 10 == 0) {
          killNotificationConnections(admin, options.get("postgres.schema"));
        }
        a.put("c", "k", i);
        b.catchUp();
        assertThat(b.get("c", "k", Long.class)).as("round %d", i).contains(i);
      }
      stop.set(true);
      for (Future<?> f : readers) {
        f.get(30, TimeUnit.SECONDS);
      }
      assertThat(cache.hits.get()).as("the cache was in use").isGreaterThan(100);
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  /**
   * Terminates the server sessions of every change-notification connection on {@code schema}'s
   * channel (the watch names itself in {@code application_name}); returns how many.
   */
  static int killNotificationConnections(Connection admin, String schema) throws SQLException {
    try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            + " WHERE application_name = 'cairn-watch " + schema + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * The lost-notification bug: after its notification connection was killed and reopened, an
   * instance kept serving a value another instance had since replaced, until that key was
   * written again (a commit between the reader's snapshot and the new LISTEN was never
   * announced). Here, in each of 30 rounds, a writer commits while two readers read the same
   * keys, the reader's notification connection is killed four times and the writer stops a few
   * milliseconds after the last kill; once it is idle, every key must read its last value within
   * a bound (the poller fences every 200 ms). Before the fix it failed within a few rounds.
   */
  @Test
  void noValueStaysStaleAfterTheNotificationConnectionIsKilled() throws Exception {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    Map<String, String> options = TestPostgres.get().freshOptions("coherence_kill");
    String schema = options.get("postgres.schema");
    MapCacheProvider cache = new MapCacheProvider();
    int keys = 6;
    AtomicLongArray last = new AtomicLongArray(keys);
    AtomicLong values = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    int kills = 0;
    try (Storage writer = open(dir.resolve("writer"), options, null);
        Storage reader = open(dir.resolve("reader"), options, cache);
        Connection admin = TestPostgres.get().connect()) {
      for (int k = 0; k < keys; k++) {
        writer.put("c", "k" + k, 0L);
      }
      for (int round = 0; round < 30; round++) {
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> work = new ArrayList<>();
        work.add(pool.submit(() -> {
          for (int i = 0; !stop.get(); i++) {
            int k = i % keys;
            long v = values.incrementAndGet();
            writer.put("c", "k" + k, v);
            last.set(k, v);
          }
          return null;
        }));
        for (int t = 0; t < 2; t++) {
          work.add(pool.submit(() -> {
            while (!stop.get()) {
              for (int k = 0; k < keys; k++) {
                reader.get("c", "k" + k, Long.class);
              }
            }
            return null;
          }));
        }
        for (int j = 0; j < 4; j++) {
          Thread.sleep(5 + rnd.nextInt(30));
          kills += killNotificationConnections(admin, schema);
        }
        // stop soon after: a commit that lands while the reader reconnects must not be lost
        Thread.sleep(rnd.nextInt(10));
        stop.set(true);
        for (Future<?> f : work) {
          f.get(60, TimeUnit.SECONDS);
        }
        // the writer is idle: within the bound every key reads the value it wrote last
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (int k = 0; k < keys; k++) {
          Optional<Long> seen = reader.get("c", "k" + k, Long.class);
          while (!seen.equals(Optional.of(last.get(k))) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            seen = reader.get("c", "k" + k, Long.class);
          }
          assertThat(seen).as("round %d, key k%d, 2 s after the last commit; seed %d", round, k,
              seed).contains(last.get(k));
        }
      }
      assertThat(kills).as("notification connections killed").isGreaterThanOrEqualTo(40);
      assertThat(cache.hits.get()).as("the cache was in use").isPositive();
    } finally {
      pool.shutdownNow();
    }
  }
}
