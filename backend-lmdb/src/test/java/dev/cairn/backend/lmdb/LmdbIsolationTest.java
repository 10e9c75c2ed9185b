package dev.cairn.backend.lmdb;

import static dev.cairn.backend.lmdb.LmdbTestSupport.b;
import static dev.cairn.backend.lmdb.LmdbTestSupport.get;
import static dev.cairn.backend.lmdb.LmdbTestSupport.put;
import static dev.cairn.backend.lmdb.LmdbTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LmdbIsolationTest {

  @TempDir java.nio.file.Path dir;
  private Backend backend;
  private ExecutorService pool;

  @BeforeEach
  void openStore() {
    backend = LmdbTestSupport.open(dir, Map.of("lmdb.writerTimeoutMs", "300"));
    pool = Executors.newFixedThreadPool(4);
  }

  @AfterEach
  void closeStore() {
    pool.shutdownNow();
    backend.close();
  }

  @Test
  void uncommittedWritesAreInvisibleToReaders() {
    put(backend, "records", b("k"), b("old"));
    try (BackendTransaction w = backend.beginWrite()) {
      w.put("records", b("k"), b("new"));
      w.put("records", b("k2"), b("x"));
      assertThat(s(get(backend, "records", b("k")))).isEqualTo("old");
      assertThat(get(backend, "records", b("k2"))).isNull();
      w.commit(Durability.SYNC);
    }
    assertThat(s(get(backend, "records", b("k")))).isEqualTo("new");
  }

  @Test
  void aReadTransactionKeepsItsSnapshotWhileOthersCommit() {
    put(backend, "records", b("a"), b("1"));
    try (BackendTransaction r = backend.beginRead()) {
      assertThat(s(r.get("records", b("a")))).isEqualTo("1");
      put(backend, "records", b("a"), b("2"));
      put(backend, "records", b("b"), b("3"));
      assertThat(s(r.get("records", b("a")))).isEqualTo("1");
      assertThat(r.get("records", b("b"))).isNull();
      assertThat(r.count("records", null, null)).isEqualTo(1);
    }
    assertThat(s(get(backend, "records", b("a")))).isEqualTo("2");
  }

  @Test
  void beginWriteBlocksWhileAnotherWriterIsOpenAndTimesOut() throws Exception {
    BackendTransaction first = backend.beginWrite();
    try {
      Future<?> second = pool.submit(() -> backend.beginWrite().close());
      assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(BackendException.class)
          .hasMessageContaining("lmdb.writerTimeoutMs");
    } finally {
      first.close();
    }
    // once the first ends, a second writer gets in
    CountDownLatch started = new CountDownLatch(1);
    BackendTransaction third = backend.beginWrite();
    Future<String> waiter =
        pool.submit(
            () -> {
              started.countDown();
              try (BackendTransaction w = backend.beginWrite()) {
                String seen = s(w.get("records", b("w")));
                w.commit(Durability.SYNC);
                return seen;
              }
            });
    started.await();
    third.put("records", b("w"), b("from third"));
    third.commit(Durability.SYNC);
    assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("from third");
  }

  @Test
  void readersOnSeveralThreadsRunAlongsideTheWriterAndSeeWholeCommits() throws Exception {
    // Invariant: every commit writes the same generation number under all ten keys.
    try (BackendTransaction w = backend.beginWrite()) {
      for (int k = 0; k < 10; k++) {
        w.put("records", b("key" + k), b("0"));
      }
      w.commit(Durability.SYNC);
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<Integer>> readers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      readers.add(
          pool.submit(
              () -> {
                int snapshots = 0;
                while (!stop.get()) {
                  try (BackendTransaction r = backend.beginRead();
                      BackendCursor c = r.scan("records", null, null)) {
                    String gen = null;
                    int n = 0;
                    while (c.next()) {
                      String v = s(c.value());
                      if (gen == null) {
                        gen = v;
                      }
                      assertThat(v).as("torn snapshot").isEqualTo(gen);
                      n++;
                    }
                    assertThat(n).isEqualTo(10);
                    snapshots++;
                  }
                }
                return snapshots;
              }));
    }
    // a read transaction held open the whole time must not block the writer
    try (BackendTransaction longReader = backend.beginRead()) {
      for (int gen = 1; gen <= 200; gen++) {
        try (BackendTransaction w = backend.beginWrite()) {
          for (int k = 0; k < 10; k++) {
            w.put("records", b("key" + k), b(Integer.toString(gen)));
          }
          w.commit(Durability.ASYNC);
        }
      }
      assertThat(s(longReader.get("records", b("key3")))).isEqualTo("0");
    }
    stop.set(true);
    for (Future<Integer> f : readers) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isPositive();
    }
    assertThat(s(get(backend, "records", b("key9")))).isEqualTo("200");
  }

  @Test
  void aReadTransactionMayBeEndedOnAnotherThread() throws Exception {
    put(backend, "records", b("k"), b("v"));
    BackendTransaction r = backend.beginRead();
    assertThat(s(r.get("records", b("k")))).isEqualTo("v");
    pool.submit(r::close).get(10, TimeUnit.SECONDS);
    // the pooled native transaction is reused correctly afterwards
    assertThat(s(get(backend, "records", b("k")))).isEqualTo("v");
  }
}
