package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Storage;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery of an interrupted restore swap, state by state, on directories that stand for
 * stores (a file {@code data} says which copy each is): every point where a restorer can die,
 * every point where a recovery itself can die, and the journals and leftovers that are not
 * ours to touch.
 */
final class RestoreSwapRecoveryTest {

  private static final String SET = "20261204T101530123Z-3f9c0a1b7d2e";

  @TempDir
  Path tmp;
  private Path dir;
  private Path old;
  private Path staging;
  private Path journal;

  @BeforeEach
  void layout() throws IOException {
    dir = tmp.resolve("store");
    old = tmp.resolve("store.old-" + SET);
    staging = tmp.resolve(".store.restore-1a2b3c");
    journal = tmp.resolve(".store.swap");
    store(dir, "previous");
  }

  @AfterEach
  void registryIsEmpty() {
    assertThat(RestoreSwap.JOURNALS_HELD).isEmpty();
    assertThat(RestoreSwap.STAGING_HELD).isEmpty();
  }

  // ------------------------------------------------------------- a restorer killed at each step

  @Test
  void journalWrittenButNothingMovedLeavesTheStoreAndRemovesTheRest() throws IOException {
    crashedRestorer(false);
    Files.createDirectories(staging.resolve("store"));

    List<String> report = recover();

    assertThat(holds(dir)).isEqualTo("previous");
    assertThat(report).singleElement().asString().contains("rolled back", "had not been moved");
    assertThat(beside()).containsExactly("store");
  }

  @Test
  void regressionKillBetweenTheRenamesPutsThePreviousStoreBackInsteadOfAnEmptyOne()
      throws IOException {
    crashedRestorer(false);
    store(staging.resolve("store"), "restored");
    Files.move(dir, old);

    List<String> report = recover();

    assertThat(holds(dir)).isEqualTo("previous");
    assertThat(report).singleElement().asString()
        .contains("was missing", "put the previous store back from " + old);
    assertThat(beside()).containsExactly("store");
  }

  @Test
  void bothRenamesDoneButNotCommittedRollsBack() throws IOException {
    crashedRestorer(false);
    Files.move(dir, old);
    store(dir, "restored");

    List<String> report = recover();

    assertThat(holds(dir)).isEqualTo("previous");
    assertThat(report).singleElement().asString().contains("moved the restored copy out");
    assertThat(beside()).containsExactly("store");
  }

  @Test
  void committedRollsForwardAndDeletesThePreviousStore() throws IOException {
    crashedRestorer(true);
    Files.move(dir, old);
    store(dir, "restored");
    Files.createDirectories(staging.resolve("work"));

    List<String> report = recover();

    assertThat(holds(dir)).isEqualTo("restored");
    assertThat(report).singleElement().asString()
        .contains("finished the restore", "deleted the previous store " + old);
    assertThat(beside()).containsExactly("store");
  }

  @Test
  void committedWithThePreviousStoreAlreadyGoneOnlyRemovesTheJournal() throws IOException {
    crashedRestorer(true);
    Files.move(dir, old);
    store(dir, "restored");
    Directories.deleteTree(old);

    List<String> report = recover();

    assertThat(holds(dir)).isEqualTo("restored");
    assertThat(report).singleElement().asString().contains("already deleted");
    assertThat(beside()).containsExactly("store");
  }

  @Test
  void aTornCommitRecordMeansNotCommitted() throws IOException {
    crashedRestorer(false);
    Files.move(dir, old);
    store(dir, "restored");
    Files.writeString(journal, "commit crc=", java.nio.file.StandardOpenOption.APPEND);

    recover();

    assertThat(holds(dir)).isEqualTo("previous");
  }

  @Test
  void aTornHeaderIsDeletedAndTheStoreLeftAsItWas() throws IOException {
    Files.writeString(journal, "begin v=1 set=" + SET + " dir=st");

    List<String> report = recover();

    assertThat(holds(dir)).isEqualTo("previous");
    assertThat(report).singleElement().asString().contains("no complete header");
    assertThat(beside()).containsExactly("store");
  }

  @Test
  void anEmptyJournalIsTorn() throws IOException {
    Files.createFile(journal);

    assertThat(recover()).singleElement().asString().contains("no complete header");
    assertThat(beside()).containsExactly("store");
  }

  // ------------------------------------------------------------ a recovery killed at each step

  @Test
  void recoveryKilledAfterSettingTheRestoredCopyAsideFinishes() throws IOException {
    crashedRestorer(false);
    Files.move(dir, old);
    store(tmp.resolve(".store.restore-rolledback-99"), "restored");

    List<String> report = recover();

    assertThat(holds(dir)).isEqualTo("previous");
    assertThat(report).hasSize(2);
    assertThat(beside()).containsExactly("store");
  }

  @Test
  void recoveryKilledAfterMovingTheStoreBackOnlyRemovesTheJournal() throws IOException {
    crashedRestorer(false);
    Files.createDirectories(staging);

    recover();

    assertThat(holds(dir)).isEqualTo("previous");
    assertThat(beside()).containsExactly("store");
  }

  @Test
  void recoveryKilledWhileDeletingThePreviousStoreDeletesTheRest() throws IOException {
    crashedRestorer(true);
    Files.move(dir, old);
    store(dir, "restored");
    Files.delete(old.resolve("data")); // half deleted

    recover();

    assertThat(holds(dir)).isEqualTo("restored");
    assertThat(beside()).containsExactly("store");
  }

  // ------------------------------------------------------------- what recovery refuses to do

  @Test
  void notCommittedWithNeitherDirectoryRefusesToCreateAnEmptyStore() throws IOException {
    crashedRestorer(false);
    Directories.deleteTree(dir);

    assertThatThrownBy(this::recover).isInstanceOf(BackendException.class)
        .hasMessageContaining("refusing to create an empty store");
    assertThat(journal).exists();
  }

  @Test
  void committedWithoutTheStoreDirectoryRefusesAndKeepsThePreviousData() throws IOException {
    crashedRestorer(true);
    Files.move(dir, old);

    assertThatThrownBy(this::recover).isInstanceOf(BackendException.class)
        .hasMessageContaining("the previous data is in " + old);
    assertThat(holds(old)).isEqualTo("previous");
    assertThat(journal).exists();
  }

  @Test
  void aJournalOfANewerVersionIsNotGuessedAt() throws IOException {
    String rec = "begin v=2 set=" + SET + " dir=store old=store.old-x staging=.store.restore-y";
    Files.writeString(journal, rec + " crc=" + RestoreSwapRecovery.Journal.crc(rec) + "\n");

    assertThatThrownBy(this::recover).isInstanceOf(BackendException.class)
        .hasMessageContaining("version 2");
    assertThat(journal).exists();
  }

  @Test
  void aJournalNamingDirectoriesOutsideThisStoresIsRefused() throws IOException {
    String rec = "begin v=1 set=" + SET + " dir=store old=..%2Fetc staging=.store.restore-y";
    Files.writeString(journal, rec + " crc=" + RestoreSwapRecovery.Journal.crc(rec) + "\n");

    assertThatThrownBy(this::recover).isInstanceOf(BackendException.class)
        .hasMessageContaining("does not describe a restore of " + dir);
  }

  // --------------------------------------------------------------------- restores in progress

  @Test
  void aRestoreInAnotherThreadMakesTheOpenFailWithoutTouchingAnything() throws Exception {
    RestoreSwap[] swap = new RestoreSwap[1];
    Thread restorer = new Thread(() -> {
      try {
        swap[0] = RestoreSwap.begin(dir, old, staging, SET);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    restorer.start();
    restorer.join();
    try {
      Files.move(dir, old);
      assertThatThrownBy(this::recover).isInstanceOf(BackendException.class)
          .hasMessageContaining("a restore over " + dir + " is in progress")
          .hasMessageContaining("another thread of this process");
      assertThatThrownBy(this::openStore).isInstanceOf(BackendException.class)
          .hasMessageContaining("is in progress");
      assertThat(dir).as("the failed open created no directory").doesNotExist();
      assertThat(holds(old)).isEqualTo("previous");
    } finally {
      swap[0].close();
    }
    recover();
    assertThat(holds(dir)).isEqualTo("previous");
  }

  @Test
  void theRestorersOwnReopenPassesAndLeavesItsDirectoriesAlone() throws IOException {
    RestoreSwap swap = RestoreSwap.begin(dir, old, staging, SET);
    Closeable lock = RestoreSwap.lockStaging(staging);
    try {
      Files.move(dir, old);
      store(dir, "restored");
      RestoreSwapRecovery r = new RestoreSwapRecovery(dir);
      r.beforeOpen();
      r.afterLock();
      assertThat(r.report()).isEmpty();
      assertThat(beside()).containsExactly(".store.restore-1a2b3c", ".store.swap", "store",
          "store.old-" + SET);
      assertThat(swap.file()).isEqualTo(journal);
    } finally {
      lock.close();
      swap.close();
    }
  }

  @Test
  void aRestoreThatBeginsAfterTheJournalWasLookedForFailsTheOpenAtTheStoreLock()
      throws Exception {
    RestoreSwapRecovery r = new RestoreSwapRecovery(dir);
    r.beforeOpen();
    Thread restorer = new Thread(() -> {
      try {
        RestoreSwap.begin(dir, old, staging, SET).close(); // left as a crash would
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    restorer.start();
    restorer.join();

    assertThatThrownBy(r::afterLock).isInstanceOf(BackendException.class)
        .hasMessageContaining("is in progress");
  }

  @Test
  void aRestorerProcessHoldingTheJournalBlocksRecoveryUntilItIsKilled() throws Exception {
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        HoldSwapJournal.class.getName(), dir.toString(), old.toString(), staging.toString(), SET)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(out.readLine()).isEqualTo("moved");

      assertThatThrownBy(this::recover).isInstanceOf(BackendException.class)
          .hasMessageContaining("locked by another process");
      assertThat(dir).doesNotExist();
      assertThat(holds(old)).isEqualTo("previous");
    } finally {
      child.toHandle().destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }

    assertThat(recover()).singleElement().asString().contains("put the previous store back");
    assertThat(holds(dir)).isEqualTo("previous");
    assertThat(beside()).containsExactly("store");
  }

  @Test
  void cleaningUpKeepsTheStagingLockOfARestoreRunningInThisProcess() throws Exception {
    // POSIX drops a process's lock when it closes any descriptor of the file: recovery must not
    // even open the lock file of a restore running in its own process
    Path running = tmp.resolve(".store.restore-4a11");
    Closeable lock = RestoreSwap.lockStaging(running);
    try {
      recover();

      assertThat(running).exists();
      assertThat(lockedFromOutside(running.resolve(RestoreSwap.STAGING_LOCK) + "@-1"))
          .containsExactly("held");
    } finally {
      lock.close();
    }
  }

  @Test
  void aSecondRestoreIsRefusedWhileAJournalStands() throws IOException {
    crashedRestorer(false);

    assertThatThrownBy(() -> RestoreSwap.begin(dir, tmp.resolve("store.old-2"),
        tmp.resolve(".store.restore-2"), SET)).hasMessageContaining("exists");
  }

  @Test
  void aRestorersJournalStaysLockedWhileAnotherThreadTriesToOpenTheStore() throws Exception {
    RestoreSwap swap = RestoreSwap.begin(dir, old, staging, SET);
    try {
      Thread opener = new Thread(() -> assertThatThrownBy(this::recover)
          .hasMessageContaining("another thread of this process"));
      opener.start();
      opener.join();

      assertThat(lockedFromOutside(journal + "@" + RestoreSwap.LOCK_POSITION))
          .containsExactly("held");
    } finally {
      swap.close();
    }
  }

  private static List<String> lockedFromOutside(String... fileAtPosition) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), TryLock.class.getName()));
    cmd.addAll(List.of(fileAtPosition));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.lines().toList();
  }

  // ---------------------------------------------------------------------------------- strays

  @Test
  void strayStagingDirectoriesAreDeletedUnlessARestoreHoldsThem() throws IOException {
    store(tmp.resolve(".store.restore-dead/store"), "restored");
    Closeable running = RestoreSwap.lockStaging(tmp.resolve(".store.restore-4a11"));
    try {
      List<String> report = recover();

      assertThat(report).singleElement().asString()
          .contains("deleted " + tmp.resolve(".store.restore-dead"));
      assertThat(beside()).containsExactly(".store.restore-4a11", "store");
    } finally {
      running.close();
    }
  }

  @Test
  void aLoneOldCopyReplacesAMissingStoreDirectory() throws IOException {
    Files.move(dir, old); // what an older Cairn left when killed between its renames

    List<String> report = recover();

    assertThat(holds(dir)).isEqualTo("previous");
    assertThat(report).singleElement().asString().contains("moved it back");
    assertThat(beside()).containsExactly("store");
  }

  @Test
  void aLoneOldCopyReplacesAnEmptyStoreDirectory() throws IOException {
    Files.move(dir, old);
    Files.createDirectory(dir);

    recover();

    assertThat(holds(dir)).isEqualTo("previous");
  }

  @Test
  void severalOldCopiesAndNoStoreDirectoryRefuseToGuess() throws IOException {
    Files.move(dir, old);
    store(tmp.resolve("store.old-20261001T000000000Z-aaaaaaaaaaaa"), "older");

    assertThatThrownBy(this::recover).isInstanceOf(BackendException.class)
        .hasMessageContaining("several previous copies");
    assertThat(dir).doesNotExist();
  }

  @Test
  void aStrayOldCopyBesideAStoreIsReportedAndLeftInPlace() throws IOException {
    store(old, "maybe the only copy");

    List<String> report = recover();

    assertThat(report).singleElement().asString().contains("left " + old + " in place");
    assertThat(holds(old)).isEqualTo("maybe the only copy");
  }

  @Test
  void directoriesNamedLikeButNotByARestoreAreNeverTouched() throws IOException {
    store(tmp.resolve("store.old-manual"), "kept by hand");
    store(tmp.resolve(".store.restore-notes"), "not a staging directory");
    Directories.deleteTree(dir);

    assertThat(recover()).isEmpty();
    assertThat(beside()).containsExactly(".store.restore-notes", "store.old-manual");
  }

  @Test
  void nothingBesideTheStoreMeansNothingReported() throws IOException {
    store(tmp.resolve("store2"), "another store");
    store(tmp.resolve(".store2.restore-x"), "another store's staging");

    assertThat(recover()).isEmpty();
    assertThat(beside()).containsExactly(".store2.restore-x", "store", "store2");
  }

  // -------------------------------------------------------------------- through Storage.open

  @Test
  void openFinishesTheRecoveryAndTheAdminReportsIt() throws IOException {
    // the previous store must be one the memory backend may open: its files ("data") are no
    // backend's, so without a cairn.store naming "memory" the open would refuse the directory
    StoreMarker.write(dir, "memory");
    crashedRestorer(false);
    Files.move(dir, old);

    try (Storage s = openStore()) {
      assertThat(s.admin().restoreLeftovers()).singleElement().asString()
          .contains("put the previous store back");
    }
    assertThat(holds(dir)).isEqualTo("previous");
    try (Storage s = openStore()) {
      assertThat(s.admin().restoreLeftovers()).isEmpty();
    }
  }

  // --------------------------------------------------------------------------------- helpers

  /** A journal as a restorer killed at that point leaves it: written, then released. */
  private void crashedRestorer(boolean committed) throws IOException {
    RestoreSwap swap = RestoreSwap.begin(dir, old, staging, SET);
    if (committed) {
      swap.commit();
    }
    swap.close();
  }

  private List<String> recover() {
    RestoreSwapRecovery r = new RestoreSwapRecovery(dir);
    r.beforeOpen(); // the engine then creates and locks the store directory
    r.afterLock();
    return r.report();
  }

  private Storage openStore() {
    return Storage.builder().directory(dir).backend(new MemoryBackendProvider())
        .noScheduledMaintenance().open();
  }

  /** A store of the in-memory test backend as far as the engine can tell: its marker and a file. */
  private static void store(Path d, String content) throws IOException {
    Files.createDirectories(d);
    Files.writeString(d.resolve("data"), content);
    StoreMarker.write(d, new MemoryBackendProvider().name());
  }

  private static String holds(Path d) throws IOException {
    return Files.readString(d.resolve("data"));
  }

  private List<String> beside() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
