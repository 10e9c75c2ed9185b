package dev.cairn.backend.lmdb;

import static dev.cairn.backend.lmdb.LmdbTestSupport.b;
import static dev.cairn.backend.lmdb.LmdbTestSupport.get;
import static dev.cairn.backend.lmdb.LmdbTestSupport.put;
import static dev.cairn.backend.lmdb.LmdbTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.LmdbException;

final class LmdbOpenAndCloseTest {

  @TempDir Path dir;

  @Test
  void dataSurvivesCloseAndReopen() {
    try (Backend backend = LmdbTestSupport.open(dir)) {
      put(backend, "records", b("sync"), b("1"));
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put("records", b("async"), b("2"));
        tx.commit(Durability.ASYNC);
      }
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put("records", b("group"), b("3"));
        tx.commit(Durability.GROUP);
      }
    }
    assertThat(dir.resolve("data.mdb")).exists();
    assertThat(dir.resolve("lock.mdb")).exists();
    try (Backend backend = LmdbTestSupport.open(dir)) {
      assertThat(s(get(backend, "records", b("sync")))).isEqualTo("1");
      assertThat(s(get(backend, "records", b("async")))).isEqualTo("2");
      assertThat(s(get(backend, "records", b("group")))).isEqualTo("3");
    }
  }

  @Test
  void aNewDataFileIsCreatedUnderATemporaryNameAndRenamedIntoPlace() throws IOException {
    // power-loss regression: data.mdb must appear whole (both meta pages synced) with a synced
    // directory entry, or not at all; PowerLossTest in integration-tests checks the durability
    Files.write(dir.resolve("data.mdb.creating"), new byte[] {1, 2, 3}); // an interrupted creation
    try (Backend backend = LmdbTestSupport.open(dir)) {
      put(backend, "records", b("k"), b("v"));
    }
    assertThat(dir.resolve("data.mdb.creating")).doesNotExist();
    assertThat(dir.resolve("data.mdb.creating-lock")).doesNotExist();
    try (Backend backend = LmdbTestSupport.open(dir)) {
      assertThat(s(get(backend, "records", b("k")))).isEqualTo("v");
    }
  }

  @Test
  void anEmptyDataFileLeftByAnInterruptedCreationIsInitialized() throws IOException {
    Files.createFile(dir.resolve("data.mdb"));
    try (Backend backend = LmdbTestSupport.open(dir)) {
      put(backend, "records", b("k"), b("v"));
      assertThat(s(get(backend, "records", b("k")))).isEqualTo("v");
    }
  }

  @Test
  void theDirectoryIsCreatedWhenAbsent() {
    Path nested = dir.resolve("a/b/c");
    try (Backend backend = LmdbTestSupport.open(nested)) {
      put(backend, "meta", b("k"), b("v"));
    }
    assertThat(nested.resolve("data.mdb")).exists();
  }

  @Test
  void closeIsIdempotentAndLaterUseThrows() {
    Backend backend = LmdbTestSupport.open(dir);
    BackendTransaction openRead = backend.beginRead();
    BackendTransaction openWrite = backend.beginWrite();
    openWrite.put("records", b("never"), b("committed"));
    backend.close();
    backend.close();
    assertThatThrownBy(backend::beginRead).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(backend::beginWrite).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> backend.snapshotTo(dir.resolve("snap")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(backend::optimize).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(backend::sizeOnDisk).isInstanceOf(IllegalStateException.class);
    // transactions open at close were rolled back
    assertThatThrownBy(() -> openRead.get("records", b("k")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> openWrite.commit(Durability.SYNC))
        .isInstanceOf(IllegalStateException.class);
    openRead.close();
    openWrite.close();
    try (Backend again = LmdbTestSupport.open(dir)) {
      assertThat(get(again, "records", b("never"))).isNull();
      put(again, "records", b("after"), b("reopen")); // the writer lock was released
    }
  }

  @Test
  void openingTheSameDirectoryTwiceInOneJvmIsRefused() {
    try (Backend backend = LmdbTestSupport.open(dir)) {
      assertThatThrownBy(() -> LmdbTestSupport.open(dir))
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("already open");
      put(backend, "meta", b("still"), b("works"));
    }
    LmdbTestSupport.open(dir).close(); // released on close
  }

  @Test
  void aGarbageDataFileIsAClearError() throws IOException {
    byte[] junk = new byte[64 * 1024];
    new Random(7).nextBytes(junk);
    Files.write(dir.resolve("data.mdb"), junk);
    assertThatThrownBy(() -> LmdbTestSupport.open(dir))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("data.mdb")
        .hasMessageContaining("not an LMDB data file")
        .hasCauseInstanceOf(LmdbException.class);
    // nothing was left locked: after removing the junk the directory opens
    Files.delete(dir.resolve("data.mdb"));
    LmdbTestSupport.open(dir).close();
  }

  @Test
  void aDirectoryOfAnotherBackendsFilesIsRefusedNamingThem() throws Exception {
    // another built-in backend's store, and one of a backend Cairn does not know
    for (String foreign : new String[] {"store.sqlite", "data.rocks"}) {
      Path other = Files.createDirectories(dir.resolve("other-" + foreign));
      Files.write(other.resolve(foreign), new byte[4096]);
      assertThatThrownBy(() -> Storage.builder().directory(other).backend("lmdb")
          .noScheduledMaintenance().open())
          .isInstanceOf(BackendException.class)
          .hasMessageContaining(foreign)
          .hasMessageContaining("'lmdb'")
          .hasMessageContaining(other.toString());
      assertThat(other.resolve("data.mdb")).doesNotExist();
      assertThat(other.resolve("cairn.store")).doesNotExist();
    }
  }

  @Test
  void aStoreWithoutCairnStoreFromAnEarlierBuildOpensAndGetsIt() throws Exception {
    Path store = dir.resolve("store");
    try (Storage s = Storage.builder().directory(store).backend("lmdb").noScheduledMaintenance()
        .open()) {
      s.putBytes("c", "k", new byte[] {42});
    }
    assertThat(Files.readString(store.resolve("cairn.store"))).contains("backend=lmdb\n");
    Files.delete(store.resolve("cairn.store"));   // as builds before cairn.store left it

    try (Storage s = Storage.builder().directory(store).backend("lmdb").noScheduledMaintenance()
        .open()) {
      assertThat(s.getBytes("c", "k")).contains(new byte[] {42});
    }
    assertThat(Files.readString(store.resolve("cairn.store"))).contains("backend=lmdb\n");
  }

  @Test
  void aReadOnlyDirectoryIsAClearError() throws Exception {
    Path ro = Files.createDirectories(dir.resolve("ro"));
    boolean immutable = false;
    if (isRoot()) {
      // root ignores permission bits; an immutable directory is read-only even for root
      immutable = run("chattr", "+i", ro.toString()) == 0;
      assumeThat(immutable).as("needs chattr +i when running as root").isTrue();
    } else {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    try {
      assertThatThrownBy(() -> LmdbTestSupport.open(ro))
          .isInstanceOf(BackendException.class)
          .hasMessageContaining(ro.toString())
          .hasMessageContaining("read-only");
    } finally {
      if (immutable) {
        run("chattr", "-i", ro.toString());
      } else {
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
  }

  @Test
  void unknownAndInvalidOptionsAreReportedTogether() {
    assertThatThrownBy(
            () ->
                LmdbTestSupport.open(
                    dir, Map.of("lmdb.mapsize", "1g", "lmdb.maxReaders", "0", "other.x", "y")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option 'lmdb.mapsize'")
        .hasMessageContaining("did you mean 'lmdb.mapSize'?")
        .hasMessageContaining("lmdb.mapSizeMax")
        .hasMessageContaining("lmdb.maxReaders=0 must be between")
        .hasMessageContaining("unknown option 'other.x'");
    assertThatThrownBy(
            () -> LmdbTestSupport.open(dir, Map.of("lmdb.mapSize", "2g", "lmdb.mapSizeMax", "1g")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be below");
    assertThatThrownBy(() -> LmdbTestSupport.open(dir, Map.of("lmdb.writerTimeoutMs", "soon")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lmdb.writerTimeoutMs");
  }

  @Test
  void staleReaderSlotsAreClearedAndOptimizeSyncs() {
    try (Backend backend = LmdbTestSupport.open(dir)) {
      put(backend, "records", b("k"), b("v"));
      backend.optimize();
      assertThat(backend.sizeOnDisk()).isPositive();
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static int run(String... command) throws IOException, InterruptedException {
    return new ProcessBuilder(command).redirectErrorStream(true).start().waitFor();
  }
}
