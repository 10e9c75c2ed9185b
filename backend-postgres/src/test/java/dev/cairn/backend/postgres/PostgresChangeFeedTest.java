package dev.cairn.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Change;
import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change feed of two {@code Storage} instances sharing one schema (as two JVMs would): both
 * write concurrently (SYNC and GROUP), and a follower on each instance, reading while the
 * commits happen, sees the same complete sequence — every change once, positions without a gap
 * (a position is never visible before a lower one), each writer's changes in its order.
 */
final class PostgresChangeFeedTest {

  @TempDir Path dir;

  /** A storage on the postgres backend without cache, with the change feed on if {@code enable}. */
  static Storage open(Path d, Map<String, String> options, boolean enable) {
    var b = Storage.builder().directory(d).backend("postgres").noScheduledMaintenance().noCache();
    options.forEach(b::backendOption);
    if (enable) {
      b.changeFeed(ChangeFeedRetention.unlimited());
    }
    return b.open();
  }

  @Test
  void twoInstancesWritingConcurrentlyShowBothFollowersOneCompleteSequence() throws Exception {
    Map<String, String> options = TestPostgres.get().freshOptions("feed_two");
    int writersEach = 2;
    int writes = 40;
    int total = 2 * writersEach * writes;
    try (Storage one = open(dir.resolve("one"), options, true);
        Storage two = open(dir.resolve("two"), options, false)) { // on: recorded in the store
      ExecutorService pool = Executors.newFixedThreadPool(2 * writersEach + 2);
      try {
        List<Future<List<Change>>> followers = new ArrayList<>();
        for (Storage s : List.of(one, two)) {
          followers.add(pool.submit(() -> {
            List<Change> seen = new ArrayList<>();
            while (seen.size() < total) {
              long after = seen.isEmpty() ? 0 : seen.get(seen.size() - 1).position();
              seen.addAll(s.changes().poll(after, 7, Duration.ofSeconds(30)));
            }
            return seen;
          }));
        }
        CyclicBarrier start = new CyclicBarrier(2 * writersEach);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 2 * writersEach; w++) {
          Storage s = w % 2 == 0 ? one : two;
          String prefix = "w" + w + "-";
          Durability d = w < writersEach ? Durability.GROUP : Durability.SYNC;
          writers.add(pool.submit(() -> {
            start.await(60, TimeUnit.SECONDS);
            for (int i = 0; i < writes; i++) {
              String key = prefix + String.format("%03d", i);
              s.transaction(d, tx -> {
                tx.putBytes("feed", key, new byte[] {1});
                return null;
              });
            }
            return null;
          }));
        }
        for (Future<?> f : writers) {
          f.get(300, TimeUnit.SECONDS);
        }
        List<Change> fromOne = followers.get(0).get(300, TimeUnit.SECONDS);
        List<Change> fromTwo = followers.get(1).get(300, TimeUnit.SECONDS);
        assertThat(fromOne).hasSize(total);
        assertThat(fromTwo).isEqualTo(fromOne);
        for (int i = 0; i < total; i++) {
          assertThat(fromOne.get(i).position()).isEqualTo(i + 1);
        }
        assertThat(one.changes().head()).isEqualTo(total);
        assertThat(two.changes().read(0, total + 1)).isEqualTo(fromOne);
        for (int w = 0; w < 2 * writersEach; w++) {
          String prefix = "w" + w + "-";
          List<String> keys = fromOne.stream().map(Change::key).filter(k -> k.startsWith(prefix))
              .toList();
          assertThat(keys).as("writer %d's changes, in its order", w).hasSize(writes)
              .isSorted();
        }
        for (Change c : fromOne) {
          assertThat(one.metadata(c.collection(), c.key()).orElseThrow().version())
              .isEqualTo(c.version());
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
