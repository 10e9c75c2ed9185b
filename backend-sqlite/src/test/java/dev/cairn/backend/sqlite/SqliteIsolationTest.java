package dev.cairn.backend.sqlite;

import static dev.cairn.backend.sqlite.SqliteTestSupport.b;
import static dev.cairn.backend.sqlite.SqliteTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Path;
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
