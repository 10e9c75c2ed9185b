package dev.cairn.backend.lmdb;

import static dev.cairn.backend.lmdb.LmdbTestSupport.b;
import static dev.cairn.backend.lmdb.LmdbTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LmdbSnapshotTest {

  @TempDir Path dir;

  @Test
  void snapshotIsConsistentWhileAWriterCommits() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    AtomicBoolean stop = new AtomicBoolean();
    try (Backend backend = LmdbTestSupport.open(dir.resolve("live"))) {
      // Invariant of every commit: keys a<i> and b<i> are written together with the same value.
      Future<Integer> writer =
          pool.submit(
              () -> {
                int i = 0;
                while (!stop.get() || i < 50) {
                  try (BackendTransaction tx = backend.beginWrite()) {
                    String v = "v" + i + "-" + "x".repeat(i % 500);
                    tx.put("records", b(String.format("a%06d", i)), b(v));
                    tx.put("records", b(String.format("b%06d", i)), b(v));
                    if (i % 7 == 0 && i > 0) {
                      tx.delete("records", b(String.format("a%06d", i - 1)));
                      tx.delete("records", b(String.format("b%06d", i - 1)));
                    }
                    tx.commit(Durability.ASYNC);
                  }
                  i++;
                }
                return i;
              });
      for (int round = 0; round < 3; round++) {
        Thread.sleep(50);
        Path snap = dir.resolve("snap" + round);
        backend.snapshotTo(snap);
        assertThat(snap.resolve("data.mdb")).exists();
        try (Backend copy = LmdbTestSupport.open(snap);
            BackendTransaction tx = copy.beginRead()) {
          long as = tx.count("records", b("a"), b("b"));
          long bs = tx.count("records", b("b"), b("c"));
          assertThat(as).as("round %d", round).isEqualTo(bs);
          try (BackendCursor c = tx.scan("records", b("a"), b("b"))) {
            while (c.next()) {
              String k = s(c.key()).substring(1);
              assertThat(tx.get("records", b("b" + k))).isEqualTo(c.value());
            }
          }
        }
      }
      stop.set(true);
      assertThat(writer.get(30, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(50);
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  @Test
  void snapshotTargetMustBeEmptyOrAbsent() throws Exception {
    try (Backend backend = LmdbTestSupport.open(dir.resolve("live"))) {
      LmdbTestSupport.put(backend, "meta", b("k"), b("v"));
      Path busy = Files.createDirectories(dir.resolve("busy"));
      Files.write(busy.resolve("something"), b("x"));
      assertThatThrownBy(() -> backend.snapshotTo(busy))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not empty");
      Path file = Files.write(dir.resolve("file"), b("x"));
      assertThatThrownBy(() -> backend.snapshotTo(file))
          .isInstanceOf(IllegalArgumentException.class);
      Path empty = Files.createDirectories(dir.resolve("empty"));
      backend.snapshotTo(empty);
      try (Backend copy = LmdbTestSupport.open(empty)) {
        assertThat(s(LmdbTestSupport.get(copy, "meta", b("k")))).isEqualTo("v");
      }
    }
  }
}
