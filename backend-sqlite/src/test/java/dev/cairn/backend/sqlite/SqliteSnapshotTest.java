package dev.cairn.backend.sqlite;

import static dev.cairn.backend.sqlite.SqliteTestSupport.b;
import static dev.cairn.backend.sqlite.SqliteTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SqliteSnapshotTest {

  private static final int TOTAL = 1000;

  @TempDir Path dir;
  SqliteBackend backend;
  ExecutorService pool = Executors.newSingleThreadExecutor();

  @BeforeEach
  void open() {
    backend = SqliteTestSupport.open(dir.resolve("live"));
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put("records", b("a"), b(String.valueOf(TOTAL)));
      tx.put("records", b("b"), b("0"));
      tx.put("meta", b("seq"), b("0"));
      tx.commit(Durability.SYNC);
    }
  }

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    backend.close();
  }

  /** One transfer: moves 1 from a to b, appends a log entry and bumps seq, atomically. */
  private static void transfer(BackendTransaction tx, Durability durability) {
    int a = Integer.parseInt(s(tx.get("records", b("a"))));
    int bb = Integer.parseInt(s(tx.get("records", b("b"))));
    int seq = Integer.parseInt(s(tx.get("meta", b("seq")))) + 1;
    int amount = a > 0 ? 1 : -TOTAL;
    tx.put("records", b("a"), b(String.valueOf(a - amount)));
    tx.put("records", b("b"), b(String.valueOf(bb + amount)));
    tx.put("blobs", b(String.format("log-%08d", seq)), new byte[64]);
    tx.put("meta", b("seq"), b(String.valueOf(seq)));
    tx.commit(durability);
  }

  private static void assertConsistent(SqliteBackend b, String what) {
    try (BackendTransaction tx = b.beginRead()) {
      int a = Integer.parseInt(s(tx.get("records", SqliteTestSupport.b("a"))));
      int bb = Integer.parseInt(s(tx.get("records", SqliteTestSupport.b("b"))));
      long seq = Long.parseLong(s(tx.get("meta", SqliteTestSupport.b("seq"))));
      assertThat(a + bb).as(what + ": a + b").isEqualTo(TOTAL);
      assertThat(tx.count("blobs", null, null)).as(what + ": log entries = seq").isEqualTo(seq);
    }
  }

  @Test
  void aSnapshotTakenWhileAWriterCommitsIsConsistentAndOpens() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger commits = new AtomicInteger();
    Future<?> writer = pool.submit(() -> {
      while (!stop.get()) {
        try (BackendTransaction tx = backend.beginWrite()) {
          transfer(tx, Durability.ASYNC);
        }
        commits.incrementAndGet();
      }
    });
    try {
      for (int i = 0; i < 3; i++) {
        int before = commits.get();
        while (commits.get() < before + 20 && !writer.isDone()) {
          Thread.onSpinWait();
        }
        Path target = dir.resolve("snap-" + i);
        backend.snapshotTo(target);
        assertThat(target.resolve("store.sqlite")).isRegularFile();
        assertThat(target.resolve("store.sqlite.partial")).doesNotExist();
        try (SqliteBackend copy = SqliteTestSupport.open(target)) {
          assertConsistent(copy, "snapshot " + i);
          try (BackendTransaction tx = copy.beginRead()) {
            assertThat(tx.count("blobs", null, null)).isPositive();
          }
          // the copy is a working store of its own
          SqliteTestSupport.put(copy, "records", "extra", "1");
        }
      }
    } finally {
      stop.set(true);
      writer.get(20, TimeUnit.SECONDS);
    }
    assertConsistent(backend, "live store");
    assertThat(SqliteTestSupport.get(backend, "records", "extra")).isNull();
  }

  @Test
  void aSnapshotSeesCommittedButNotUncommittedData() {
    try (BackendTransaction open = backend.beginWrite()) {
      transfer(open, Durability.SYNC);
    }
    BackendTransaction uncommitted = backend.beginWrite();
    uncommitted.put("records", b("ghost"), b("boo"));
    Path target = dir.resolve("snap");
    backend.snapshotTo(target);
    uncommitted.rollback();
    try (SqliteBackend copy = SqliteTestSupport.open(target)) {
      assertThat(SqliteTestSupport.get(copy, "meta", "seq")).isEqualTo("1");
      assertThat(SqliteTestSupport.get(copy, "records", "ghost")).isNull();
    }
  }

  @Test
  void anEmptyExistingTargetDirectoryIsAccepted() throws Exception {
    Path target = Files.createDirectory(dir.resolve("empty"));
    backend.snapshotTo(target);
    try (SqliteBackend copy = SqliteTestSupport.open(target)) {
      assertConsistent(copy, "snapshot");
    }
  }

  @Test
  void aNonEmptyTargetOrAFileOrTheStoreItselfIsRefused() throws Exception {
    Path full = Files.createDirectory(dir.resolve("full"));
    Files.writeString(full.resolve("something"), "x");
    assertThatThrownBy(() -> backend.snapshotTo(full))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not empty");
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> backend.snapshotTo(file))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> backend.snapshotTo(dir.resolve("live")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> backend.snapshotTo(null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(full.resolve("store.sqlite")).doesNotExist();
  }
}
