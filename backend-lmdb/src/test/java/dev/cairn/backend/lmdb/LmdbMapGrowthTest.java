package dev.cairn.backend.lmdb;

import static dev.cairn.backend.lmdb.LmdbTestSupport.b;
import static dev.cairn.backend.lmdb.LmdbTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageFullException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LmdbMapGrowthTest {

  private static final Map<String, String> TINY_MAP = Map.of("lmdb.mapSize", "1m");

  @TempDir java.nio.file.Path dir;

  private static byte[] value(long seed, int size) {
    byte[] v = new byte[size];
    new Random(seed).nextBytes(v);
    return v;
  }

  @Test
  void oneTransactionOfSeveralMegabytesGrowsTheMapTransparently() {
    try (Backend backend = LmdbTestSupport.open(dir, TINY_MAP)) {
      try (BackendTransaction tx = backend.beginWrite()) {
        for (int i = 0; i < 40; i++) {
          tx.put("blobs", b("blob" + i), value(i, 200_000)); // 8 MB in total
          // reads in the transaction keep working across the replay
          assertThat(tx.get("blobs", b("blob0"))).isEqualTo(value(0, 200_000));
        }
        tx.commit(Durability.SYNC);
      }
      try (BackendTransaction tx = backend.beginRead()) {
        for (int i = 0; i < 40; i++) {
          assertThat(tx.get("blobs", b("blob" + i))).as("blob%d", i).isEqualTo(value(i, 200_000));
        }
      }
      assertThat(((LmdbBackend) backend).mapSize()).isGreaterThanOrEqualTo(8L << 20);
    }
    // and it reopens with the grown data, even though the configured initial map is 1 MiB
    try (Backend backend = LmdbTestSupport.open(dir, TINY_MAP);
        BackendTransaction tx = backend.beginRead()) {
      assertThat(tx.count("blobs", null, null)).isEqualTo(40);
      assertThat(tx.get("blobs", b("blob39"))).isEqualTo(value(39, 200_000));
    }
  }

  @Test
  void manySmallTransactionsGrowTheMapTransparently() {
    try (Backend backend = LmdbTestSupport.open(dir, TINY_MAP)) {
      for (int i = 0; i < 300; i++) {
        try (BackendTransaction tx = backend.beginWrite()) {
          tx.put("records", b(String.format("k%05d", i)), value(i, 16_000));
          if (i % 3 == 0 && i > 0) {
            assertThat(tx.delete("records", b(String.format("k%05d", i - 1)))).isTrue();
          }
          tx.commit(i % 2 == 0 ? Durability.SYNC : Durability.ASYNC);
        }
      }
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.count("records", null, null)).isEqualTo(300 - 99);
        assertThat(tx.get("records", b("k00299"))).isEqualTo(value(299, 16_000));
        assertThat(tx.get("records", b("k00298"))).isEqualTo(value(298, 16_000));
        assertThat(tx.get("records", b("k00296"))).isNull();
      }
    }
  }

  @Test
  void aScanOpenInTheWriteTransactionContinuesAfterGrowth() {
    try (Backend backend = LmdbTestSupport.open(dir, TINY_MAP)) {
      try (BackendTransaction tx = backend.beginWrite()) {
        for (int i = 0; i < 20; i++) {
          tx.put("meta", b(String.format("m%02d", i)), b("v" + i));
        }
        tx.commit(Durability.SYNC);
      }
      long before = ((LmdbBackend) backend).mapSize();
      List<String> seen = new ArrayList<>();
      try (BackendTransaction tx = backend.beginWrite();
          BackendCursor c = tx.scan("meta", null, null)) {
        int n = 0;
        while (c.next()) {
          seen.add(s(c.key()) + "=" + s(c.value()));
          // big writes into another keyspace force growth (and a replay) mid-scan
          tx.put("blobs", b("b" + n), value(n, 300_000));
          n++;
        }
        tx.commit(Durability.SYNC);
      }
      assertThat(((LmdbBackend) backend).mapSize()).isGreaterThan(before);
      assertThat(seen).hasSize(20);
      assertThat(seen.get(0)).isEqualTo("m00=v0");
      assertThat(seen.get(19)).isEqualTo("m19=v19");
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.count("blobs", null, null)).isEqualTo(20);
      }
    }
  }

  @Test
  void aboveTheMaximumTheTransactionFailsWithStorageFullAndNothingIsCommitted() {
    Map<String, String> opts = Map.of("lmdb.mapSize", "1m", "lmdb.mapSizeMax", "4m");
    try (Backend backend = LmdbTestSupport.open(dir, opts)) {
      LmdbTestSupport.put(backend, "records", b("before"), b("kept"));
      BackendTransaction tx = backend.beginWrite();
      tx.put("records", b("partial"), b("must not survive"));
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 100; i++) {
                  tx.put("blobs", b("big" + i), value(i, 100_000));
                }
                tx.commit(Durability.SYNC);
              })
          .isInstanceOf(StorageFullException.class)
          .hasMessageContaining("lmdb.mapSizeMax");
      // the transaction is over; the store is consistent and still writable for small things
      assertThatThrownBy(() -> tx.get("records", b("before")))
          .isInstanceOf(IllegalStateException.class);
      tx.close();
      try (BackendTransaction r = backend.beginRead()) {
        assertThat(s(r.get("records", b("before")))).isEqualTo("kept");
        assertThat(r.get("records", b("partial"))).isNull();
        assertThat(r.count("blobs", null, null)).isZero();
      }
      LmdbTestSupport.put(backend, "records", b("after"), b("fine"));
      assertThat(s(LmdbTestSupport.get(backend, "records", b("after")))).isEqualTo("fine");
    }
    try (Backend backend = LmdbTestSupport.open(dir, opts)) {
      assertThat(s(LmdbTestSupport.get(backend, "records", b("before")))).isEqualTo("kept");
      assertThat(LmdbTestSupport.get(backend, "records", b("partial"))).isNull();
    }
  }

  @Test
  void readersRunningDuringGrowthSeeConsistentData() throws Exception {
    try (Backend backend = LmdbTestSupport.open(dir, TINY_MAP)) {
      LmdbTestSupport.put(backend, "meta", b("counter"), b("0"));
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<Integer>> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
          boolean oneCall = r == 1; // Backend.readLatest: a read slot without a transaction
          readers.add(
              pool.submit(
                  () -> {
                    int reads = 0;
                    int last = 0;
                    while (!stop.get()) {
                      if (oneCall) {
                        int now = Integer.parseInt(
                            s(backend.readLatest("meta", b("counter"), LmdbMapGrowthTest::copy)));
                        assertThat(now).isGreaterThanOrEqualTo(last);
                        if (now > 0) {
                          // written before the counter reached `now`, never removed
                          assertThat(backend.readLatest("blobs", b("b" + now),
                              LmdbMapGrowthTest::copy)).isEqualTo(value(now, 50_000));
                        }
                        last = now;
                        reads++;
                        continue;
                      }
                      try (BackendTransaction tx = backend.beginRead()) {
                        int now = Integer.parseInt(s(tx.get("meta", b("counter"))));
                        assertThat(now).isGreaterThanOrEqualTo(last);
                        if (now > 0) {
                          // the blob written with counter value `now` is visible with it
                          assertThat(tx.get("blobs", b("b" + now))).isEqualTo(value(now, 50_000));
                        }
                        last = now;
                        reads++;
                      }
                    }
                    return reads;
                  }));
        }
        for (int i = 1; i <= 150; i++) {
          try (BackendTransaction tx = backend.beginWrite()) {
            tx.put("blobs", b("b" + i), value(i, 50_000));
            tx.put("meta", b("counter"), b(Integer.toString(i)));
            tx.commit(Durability.ASYNC);
          }
        }
        stop.set(true);
        for (Future<Integer> f : readers) {
          assertThat(f.get(30, TimeUnit.SECONDS)).isPositive();
        }
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
      assertThat(((LmdbBackend) backend).mapSize()).isGreaterThan(1L << 20);
    }
  }

  private static byte[] copy(java.nio.ByteBuffer v) {
    byte[] out = new byte[v.remaining()];
    v.get(v.position(), out);
    return out;
  }
}
