package dev.cairn.backend.h2;

import static dev.cairn.backend.h2.H2TestSupport.b;
import static dev.cairn.backend.h2.H2TestSupport.get;
import static dev.cairn.backend.h2.H2TestSupport.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class H2SnapshotTest {

  @TempDir Path dir;

  /**
   * Each snapshot counts its readers in stripes picked by thread. Four threads read while a
   * writer commits 300 times: each reader sees one state throughout, and once they stop only the
   * published snapshot is still pinned (every replaced one gave its version back). A reader held
   * across two commits keeps its version pinned until it ends, also when it is closed on another
   * thread than the one that began it.
   */
  @Test
  void replacedSnapshotsAreUnpinnedOnceTheirLastReaderEnds() throws Exception {
    try (Backend backend = H2TestSupport.open(dir.resolve("db"))) {
      H2Backend h2 = (H2Backend) backend;
      put(backend, "records", "k", "0");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger wrong = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        Future<?>[] readers = new Future<?>[4];
        for (int t = 0; t < readers.length; t++) {
          boolean point = t % 2 == 0;
          readers[t] = pool.submit(() -> {
            while (!stop.get()) {
              try (BackendTransaction tx = point ? backend.beginReadLatest() : backend.beginRead()) {
                String first = H2TestSupport.s(tx.get("records", b("k")));
                Thread.yield();
                if (!first.equals(H2TestSupport.s(tx.get("records", b("k"))))) {
                  wrong.incrementAndGet();
                }
              }
            }
            return null;
          });
        }
        for (int i = 1; i <= 300; i++) {
          put(backend, "records", "k", Integer.toString(i));
        }
        stop.set(true);
        for (Future<?> f : readers) {
          f.get(30, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(wrong.get()).as("reads that saw two states in one transaction").isZero();
      assertThat(h2.pinnedSnapshotCount()).as("pinned once the readers ended").isEqualTo(1);

      BackendTransaction held = backend.beginRead();
      put(backend, "records", "k", "a");
      put(backend, "records", "k", "b");
      assertThat(h2.pinnedSnapshotCount()).as("the held reader's and the published").isEqualTo(2);
      assertThat(get(backend, "records", "k")).isEqualTo("b");
      assertThat(H2TestSupport.s(held.get("records", b("k")))).isEqualTo("300");
      Thread closer = new Thread(held::close);
      closer.start();
      closer.join();
      assertThat(h2.pinnedSnapshotCount()).as("after it ended on another thread").isEqualTo(1);
    }
  }

  @Test
  void snapshotOpensWithTheProviderAndHoldsEveryKeyspace() {
    Path target = dir.resolve("snap");
    try (Backend backend = H2TestSupport.open(dir.resolve("db"))) {
      put(backend, "records", "r", "1");
      put(backend, "blobs", "b", "2");
      put(backend, "meta", "m", "3");
      backend.snapshotTo(target);
      put(backend, "records", "after", "x");
    }
    assertThat(target.resolve("store.mv.db")).exists();
    assertThat(target.resolve("store.mv.db.part")).doesNotExist();
    try (Backend copy = H2TestSupport.open(target)) {
      assertThat(get(copy, "records", "r")).isEqualTo("1");
      assertThat(get(copy, "blobs", "b")).isEqualTo("2");
      assertThat(get(copy, "meta", "m")).isEqualTo("3");
      assertThat(get(copy, "records", "after")).isNull();
    }
  }

  @Test
  void snapshotIntoAnExistingEmptyDirectoryWorksButNotIntoANonEmptyOne() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    Path full = Files.createDirectory(dir.resolve("full"));
    Files.writeString(full.resolve("x"), "x");
    try (Backend backend = H2TestSupport.open(dir.resolve("db"))) {
      put(backend, "records", "r", "1");
      backend.snapshotTo(empty);
      assertThatThrownBy(() -> backend.snapshotTo(full))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not empty");
      assertThatThrownBy(() -> backend.snapshotTo(full.resolve("x")))
          .isInstanceOf(IllegalArgumentException.class);
    }
    try (Backend copy = H2TestSupport.open(empty)) {
      assertThat(get(copy, "records", "r")).isEqualTo("1");
    }
  }

  @Test
  void snapshotIsConsistentWhileAWriterCommits() throws Exception {
    // Invariant of every commit: records holds keys 0..n-1 and meta/n == n.
    Path db = dir.resolve("db");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger commits = new AtomicInteger();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Backend backend = H2TestSupport.open(db)) {
      Future<?> writer =
          pool.submit(
              () -> {
                for (int n = 1; !stop.get() || n < 50; n++) {
                  try (BackendTransaction tx = backend.beginWrite()) {
                    tx.put("records", key(n - 1), new byte[100]);
                    tx.put("meta", b("n"), key(n));
                    tx.commit(n % 3 == 0 ? Durability.SYNC : Durability.ASYNC);
                  }
                  commits.set(n);
                }
                return null;
              });
      for (int i = 0; i < 3; i++) {
        while (commits.get() < 20 * (i + 1)) {
          Thread.onSpinWait();
        }
        Path target = dir.resolve("snap" + i);
        backend.snapshotTo(target);
      }
      stop.set(true);
      writer.get(30, TimeUnit.SECONDS);
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    for (int i = 0; i < 3; i++) {
      try (Backend copy = H2TestSupport.open(dir.resolve("snap" + i));
          BackendTransaction tx = copy.beginRead()) {
        int n = ByteBuffer.wrap(tx.get("meta", b("n"))).getInt();
        assertThat(n).isGreaterThanOrEqualTo(20 * (i + 1));
        long expectedKey = 0;
        try (BackendCursor c = tx.scan("records", null, null)) {
          while (c.next()) {
            assertThat(ByteBuffer.wrap(c.key()).getInt()).isEqualTo(expectedKey);
            expectedKey++;
          }
        }
        assertThat(expectedKey).as("records in snapshot %d", i).isEqualTo(n);
      }
    }
  }

  private static byte[] key(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  @Test
  void optimizeShrinksTheFileAndKeepsOpenReadersWorking() {
    try (Backend backend = H2TestSupport.open(dir.resolve("db"))) {
      byte[] value = new byte[2000];
      for (int batch = 0; batch < 10; batch++) {
        try (BackendTransaction tx = backend.beginWrite()) {
          for (int i = 0; i < 200; i++) {
            tx.put("blobs", key(batch * 200 + i), value);
          }
          tx.commit(Durability.SYNC);
        }
      }
      long full = backend.sizeOnDisk();
      assertThat(full).isGreaterThan(2000L * 2000);
      try (BackendTransaction reader = backend.beginRead()) {
        try (BackendTransaction tx = backend.beginWrite()) {
          try (BackendCursor c = tx.scan("blobs", null, null)) {
            while (c.next()) {
              tx.delete("blobs", c.key());
            }
          }
          tx.commit(Durability.SYNC);
        }
        backend.optimize();
        assertThat(reader.count("blobs", null, null)).isEqualTo(2000);
        assertThat(reader.get("blobs", key(1999))).hasSize(2000);
      }
      backend.optimize();
      assertThat(backend.sizeOnDisk()).isLessThan(full / 2);
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.count("blobs", null, null)).isZero();
      }
    }
  }
}
