package dev.cairn.backend.sqlite;

import static dev.cairn.backend.sqlite.SqliteTestSupport.b;
import static dev.cairn.backend.sqlite.SqliteTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SqliteIsolationTest {

  @TempDir Path dir;
  SqliteBackend backend;
  ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach
  void open() {
    backend = SqliteTestSupport.open(dir, "sqlite.writerTimeoutMs", "300");
  }

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    backend.close();
  }

  @Test
  void anOpenReadTransactionDoesNotSeeALaterCommit() {
    SqliteTestSupport.put(backend, "records", "k", "before");
    try (BackendTransaction reader = backend.beginRead()) {
      // Nothing read yet: the snapshot must already be fixed at begin.
      try (BackendTransaction w = backend.beginWrite()) {
        w.put("records", b("k"), b("after"));
        w.put("records", b("new"), b("x"));
        w.commit(Durability.SYNC);
      }
      assertThat(s(reader.get("records", b("k")))).isEqualTo("before");
      assertThat(reader.get("records", b("new"))).isNull();
      assertThat(reader.count("records", null, null)).isEqualTo(1);
    }
    assertThat(SqliteTestSupport.get(backend, "records", "k")).isEqualTo("after");
  }

  @Test
  void aReadTransactionSeesOneSnapshotAcrossManyStatements() {
    SqliteTestSupport.put(backend, "records", "a", "1");
    try (BackendTransaction reader = backend.beginRead()) {
      assertThat(s(reader.get("records", b("a")))).isEqualTo("1");
      for (int i = 2; i <= 4; i++) {
        SqliteTestSupport.put(backend, "records", "a", String.valueOf(i));
        SqliteTestSupport.put(backend, "records", "b" + i, "x");
        assertThat(s(reader.get("records", b("a")))).isEqualTo("1");
        try (BackendCursor c = reader.scan("records", null, null)) {
          assertThat(c.next()).isTrue();
          assertThat(s(c.key())).isEqualTo("a");
          assertThat(c.next()).isFalse();
        }
      }
    }
  }

  @Test
  void aConcurrentReaderDoesNotSeeUncommittedWrites() throws Exception {
    SqliteTestSupport.put(backend, "records", "k", "committed");
    BackendTransaction writer = backend.beginWrite();
    writer.put("records", b("k"), b("uncommitted"));
    writer.put("records", b("other"), b("uncommitted"));
    Future<String> seen = pool.submit(() -> {
      try (BackendTransaction r = backend.beginRead()) {
        return s(r.get("records", b("k"))) + "/" + s(r.get("records", b("other")));
      }
    });
    assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("committed/null");
    writer.commit(Durability.SYNC);
    assertThat(SqliteTestSupport.get(backend, "records", "other")).isEqualTo("uncommitted");
  }

  @Test
  void readersRunWhileAWriteTransactionIsOpen() throws Exception {
    try (BackendTransaction writer = backend.beginWrite()) {
      writer.put("records", b("k"), b("v"));
      CountDownLatch allIn = new CountDownLatch(4);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<?>[] readers = new CompletableFuture<?>[4];
      for (int i = 0; i < 4; i++) {
        readers[i] = CompletableFuture.runAsync(() -> {
          try (BackendTransaction r = backend.beginRead()) {
            r.get("records", b("k"));
            allIn.countDown();
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, pool);
      }
      // All four readers hold a read transaction at the same time as the open writer.
      assertThat(allIn.await(10, TimeUnit.SECONDS)).isTrue();
      release.countDown();
      CompletableFuture.allOf(readers).get(10, TimeUnit.SECONDS);
      writer.commit(Durability.SYNC);
    }
  }

  @Test
  void aSecondWriterWaitsUntilTheFirstCommits() throws Exception {
    BackendTransaction first = backend.beginWrite();
    first.put("records", b("n"), b("1"));
    CountDownLatch started = new CountDownLatch(1);
    Future<String> second = pool.submit(() -> {
      started.countDown();
      BackendException last = null;
      // The first writer may hold on longer than one writer timeout on a slow machine.
      for (int attempt = 0; attempt < 50; attempt++) {
        try (BackendTransaction tx = backend.beginWrite()) {
          String seen = s(tx.get("records", b("n")));
          tx.put("records", b("n"), b(seen + "+2"));
          tx.commit(Durability.SYNC);
          return seen;
        } catch (BackendException e) {
          last = e;
        }
      }
      throw last;
    });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(second.isDone()).isFalse();
    first.commit(Durability.SYNC);
    // The second writer only began after the first committed, so it saw its value.
    assertThat(second.get(20, TimeUnit.SECONDS)).isEqualTo("1");
    assertThat(SqliteTestSupport.get(backend, "records", "n")).isEqualTo("1+2");
  }

  @Test
  void aWriterThatWaitsTooLongGetsAClearError() throws Exception {
    try (BackendTransaction first = backend.beginWrite()) {
      first.put("records", b("a"), b("1"));
      Future<?> second = pool.submit(() -> backend.beginWrite());
      assertThatThrownBy(() -> second.get(20, TimeUnit.SECONDS))
          .hasCauseInstanceOf(BackendException.class)
          .cause()
          .hasMessageContaining("waited 300 ms for the SQLite writer")
          .hasMessageContaining("sqlite.writerTimeoutMs");
      first.commit(Durability.SYNC);
    }
    assertThat(backend.writerAvailable()).isTrue();
    SqliteTestSupport.put(backend, "records", "b", "2");
    assertThat(SqliteTestSupport.get(backend, "records", "a")).isEqualTo("1");
  }
}
