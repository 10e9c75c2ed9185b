package dev.cairn.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend under the engine: {@code Storage.builder().backend("postgres")}. */
final class PostgresStorageTest {

  @TempDir Path dir;

  @Test
  void storageWorksEndToEndAndReopensFromItsDirectoryAlone() {
    Path d = dir.resolve("store");
    try (Storage s = Workloads.open(d, TestPostgres.get().freshOptions("e2e"))) {
      s.put("players", "p-1", Map.of("name", "Ada", "score", 100));
      s.putBytes("blobs", "a", Workloads.content(1));
      s.putBytes("blobs", "b", Workloads.content(1));
      s.transaction(tx -> {
        tx.put("players", "p-2", Map.of("name", "Grace", "score", 90));
        tx.delete("players", "p-1");
        return null;
      });
      assertThat(s.get("players", "p-1", Map.class)).isEmpty();
      assertThat(s.get("players", "p-2", Map.class)).get().extracting(m -> m.get("name")).isEqualTo("Grace");
      assertThat(s.keys("blobs", "").toList()).containsExactly("a", "b");
      assertThat(s.stats()).isNotNull();
      assertThat(s.maintenance().failures()).as("maintenance runs VACUUM ANALYZE").isEmpty();
    }
    try (Storage s = Storage.builder().directory(d).backend("postgres").noScheduledMaintenance().open()) {
      assertThat(s.getBytes("blobs", "b")).get().isEqualTo(Workloads.content(1));
      assertThat(s.count("players")).isEqualTo(1);
      StorageAdmin.VerificationReport report = s.admin().verify();
      assertThat(report.problems()).isEmpty();
      assertThat(report.blobs()).as("two equal values share one blob").isEqualTo(1);
    }
  }

  @Test
  void twoInstancesOnOneSchemaKeepTheBankTotalAndTheReferenceCounts() throws Exception {
    long seed = System.nanoTime();
    Map<String, String> options = TestPostgres.get().freshOptions("pair");
    try (Storage one = Workloads.open(dir.resolve("one"), options);
        Storage two = Workloads.open(dir.resolve("two"), options)) {
      Workloads.createAccounts(one);
      ExecutorService pool = Executors.newFixedThreadPool(6);
      try {
        List<Future<?>> work = new ArrayList<>();
        int t = 0;
        for (Storage s : List.of(one, two)) {
          for (int i = 0; i < 2; i++) {
            long ts = seed + t++;
            work.add(pool.submit(() -> Workloads.transfers(s, ts, 60)));
          }
          long ds = seed + 100 + t;
          work.add(pool.submit(() -> Workloads.dedupWrites(s, ds, 60)));
        }
        for (Future<?> f : work) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(Workloads.total(one)).as("seed %d", seed)
          .isEqualTo(Workloads.ACCOUNTS * Workloads.INITIAL);
      assertThat(Workloads.total(two)).as("seed %d", seed)
          .isEqualTo(Workloads.ACCOUNTS * Workloads.INITIAL);
      assertThat(one.admin().verify().problems()).as("seed %d", seed).isEmpty();
      assertThat(two.admin().verify().problems()).as("seed %d", seed).isEmpty();
    }
  }

  /**
   * Access-statistics flushes of instances sharing a store conflicted (each updates the same
   * records' statistics) and were dropped with a WARN when they happened at close. Here three
   * instances read the same records, then close at the same moment, five times over: every
   * read must be counted.
   */
  @Test
  void accessStatisticsFlushedByInstancesAtOnceAreNeverLost() throws Exception {
    Map<String, String> options = TestPostgres.get().freshOptions("access");
    int keys = 40;
    try (Storage s = Workloads.open(dir.resolve("setup"), options)) {
      for (int k = 0; k < keys; k++) {
        s.put("c", "k" + k, k);
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    long[] expected = new long[keys];
    try {
      for (int round = 1; round <= 5; round++) {
        List<Storage> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          var b = Storage.builder().directory(dir.resolve("reader" + i)).backend("postgres")
              .noScheduledMaintenance().noCache().accessStatistics(true)
              .accessStatsFlushInterval(java.time.Duration.ofHours(1)); // flushed at close only
          options.forEach(b::backendOption);
          instances.add(b.open());
        }
        for (Storage s : instances) {
          for (int k = 0; k < keys; k++) {
            for (int n = 0; n < round; n++) {
              assertThat(s.get("c", "k" + k, Integer.class)).contains(k);
              expected[k]++;
            }
          }
        }
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(3);
        List<Future<?>> closing = new ArrayList<>();
        for (Storage s : instances) {
          closing.add(pool.submit(() -> {
            together.await();
            s.close();
            return null;
          }));
        }
        for (Future<?> f : closing) {
          f.get(60, TimeUnit.SECONDS);
        }
        try (Storage s = Workloads.open(dir.resolve("setup"), options)) {
          for (int k = 0; k < keys; k++) {
            assertThat(s.metadata("c", "k" + k)).get()
                .extracting(dev.cairn.storage.RecordMetadata::accessCount)
                .as("round %d, key k%d", round, k).isEqualTo(expected[k]);
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
