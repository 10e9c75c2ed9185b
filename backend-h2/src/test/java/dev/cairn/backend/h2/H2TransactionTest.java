package dev.cairn.backend.h2;

import static dev.cairn.backend.h2.H2TestSupport.b;
import static dev.cairn.backend.h2.H2TestSupport.get;
import static dev.cairn.backend.h2.H2TestSupport.keys;
import static dev.cairn.backend.h2.H2TestSupport.put;
import static dev.cairn.backend.h2.H2TestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class H2TransactionTest {

  @TempDir Path dir;

  @Test
  void uncommittedWritesAreInvisibleToReaders() {
    try (Backend backend = H2TestSupport.open(dir);
        BackendTransaction w = backend.beginWrite()) {
      w.put("records", b("a"), b("1"));
      try (BackendTransaction r = backend.beginRead()) {
        assertThat(r.get("records", b("a"))).isNull();
        assertThat(keys(r, "records", null, null)).isEmpty();
      }
      w.commit(Durability.SYNC);
      try (BackendTransaction r = backend.beginRead()) {
        assertThat(s(r.get("records", b("a")))).isEqualTo("1");
      }
    }
  }

  @Test
  void rollbackDiscardsEveryChange() {
    try (Backend backend = H2TestSupport.open(dir)) {
      put(backend, "records", "keep", "old");
      put(backend, "records", "gone", "x");
      try (BackendTransaction w = backend.beginWrite()) {
        w.put("records", b("keep"), b("new"));
        w.put("records", b("keep"), b("newer"));
        w.delete("records", b("gone"));
        w.put("records", b("added"), b("1"));
        w.put("blobs", b("added"), b("1"));
        w.rollback();
      }
      try (BackendTransaction r = backend.beginRead()) {
        assertThat(s(r.get("records", b("keep")))).isEqualTo("old");
        assertThat(s(r.get("records", b("gone")))).isEqualTo("x");
        assertThat(r.get("records", b("added"))).isNull();
        assertThat(keys(r, "blobs", null, null)).isEmpty();
      }
    }
  }

  @Test
  void closingWithoutCommitRollsBackAndSurvivesReopen() {
    try (Backend backend = H2TestSupport.open(dir)) {
      put(backend, "records", "a", "1");
      BackendTransaction w = backend.beginWrite();
      w.put("records", b("a"), b("2"));
      w.close();
      // A later commit must not carry the abandoned change to the file.
      put(backend, "records", "b", "1");
    }
    try (Backend backend = H2TestSupport.open(dir)) {
      assertThat(get(backend, "records", "a")).isEqualTo("1");
      assertThat(get(backend, "records", "b")).isEqualTo("1");
    }
  }

  @Test
  void secondWriterWaitsUntilTheFirstCommits() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Backend backend = H2TestSupport.open(dir)) {
      BackendTransaction first = backend.beginWrite();
      first.put("records", b("k"), b("first"));
      CountDownLatch started = new CountDownLatch(1);
      Future<String> second =
          pool.submit(
              () -> {
                started.countDown();
                try (BackendTransaction tx = backend.beginWrite()) {
                  String seen = s(tx.get("records", b("k")));
                  tx.put("records", b("k"), b("second"));
                  tx.commit(Durability.SYNC);
                  return seen;
                }
              });
      started.await();
      // The second writer cannot have started its transaction: it would need the permit.
      assertThat(second.isDone()).isFalse();
      first.commit(Durability.SYNC);
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("first");
      assertThat(get(backend, "records", "k")).isEqualTo("second");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void writerWaitingLongerThanTheTimeoutGetsABackendException() throws Exception {
    try (Backend backend = H2TestSupport.open(dir, Map.of("h2.writerTimeoutMs", "100"));
        BackendTransaction first = backend.beginWrite()) {
      CompletableFuture<BackendTransaction> second =
          CompletableFuture.supplyAsync(backend::beginWrite);
      assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(BackendException.class)
          .hasMessageContaining("h2.writerTimeoutMs");
      first.rollback();
    }
  }

  @Test
  void sameThreadCannotOpenTwoWriteTransactions() {
    try (Backend backend = H2TestSupport.open(dir);
        BackendTransaction first = backend.beginWrite()) {
      assertThatThrownBy(backend::beginWrite).isInstanceOf(IllegalStateException.class);
      first.put("records", b("k"), b("v"));
      first.commit(Durability.SYNC);
    }
  }

  @Test
  void readersNeverBlockTheWriterAndAlwaysSeeWholeCommits() throws Exception {
    // Invariant: in every commit, records/a and blobs/b hold the same counter.
    try (Backend backend = H2TestSupport.open(dir)) {
      try (BackendTransaction w = backend.beginWrite()) {
        w.put("records", b("a"), counter(0));
        w.put("blobs", b("b"), counter(0));
        w.commit(Durability.SYNC);
      }
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<Integer> readers =
            pool.submit(
                () -> {
                  int checks = 0;
                  while (!stop.get()) {
                    try (BackendTransaction r = backend.beginRead()) {
                      long a = ByteBuffer.wrap(r.get("records", b("a"))).getLong();
                      Thread.yield();
                      long bb = ByteBuffer.wrap(r.get("blobs", b("b"))).getLong();
                      assertThat(bb).isEqualTo(a);
                      checks++;
                    }
                  }
                  return checks;
                });
        // The writer holds a reader open the whole time: it must still commit.
        try (BackendTransaction longReader = backend.beginRead()) {
          for (int i = 1; i <= 200; i++) {
            try (BackendTransaction w = backend.beginWrite()) {
              w.put("records", b("a"), counter(i));
              w.put("blobs", b("b"), counter(i));
              w.commit(i % 2 == 0 ? Durability.ASYNC : Durability.SYNC);
            }
          }
          assertThat(ByteBuffer.wrap(longReader.get("records", b("a"))).getLong()).isZero();
        }
        stop.set(true);
        assertThat(readers.get(30, TimeUnit.SECONDS)).isPositive();
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
    }
  }

  private static byte[] counter(long i) {
    return ByteBuffer.allocate(8).putLong(i).array();
  }

  @Test
  void interruptedWriterStillCommitsAndTheStoreStaysUsable() {
    try (Backend backend = H2TestSupport.open(dir)) {
      try (BackendTransaction w = backend.beginWrite()) {
        w.put("records", b("k"), b("v"));
        Thread.currentThread().interrupt();
        w.commit(Durability.SYNC);
      } finally {
        Thread.interrupted();
      }
      put(backend, "records", "k2", "v2");
      assertThat(get(backend, "records", "k")).isEqualTo("v");
    }
    try (Backend backend = H2TestSupport.open(dir)) {
      assertThat(get(backend, "records", "k2")).isEqualTo("v2");
    }
  }

  @Test
  void closingTheBackendEndsOpenTransactions() {
    Backend backend = H2TestSupport.open(dir);
    put(backend, "records", "a", "1");
    BackendTransaction r = backend.beginRead();
    BackendCursor c = r.scan("records", null, null);
    BackendTransaction w = backend.beginWrite();
    w.put("records", b("a"), b("uncommitted"));
    backend.close();
    assertThatThrownBy(() -> r.get("records", b("a"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(c::next).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> w.commit(Durability.SYNC)).isInstanceOf(IllegalStateException.class);
    r.close();
    w.close();
    try (Backend reopened = H2TestSupport.open(dir)) {
      assertThat(get(reopened, "records", "a")).isEqualTo("1");
    }
  }
}
