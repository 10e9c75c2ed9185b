package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BackupManager#restoreOver} stopped dead at each of its steps, as by {@code kill -9}:
 * the fault hook throws an {@link Error}, which restoreOver treats like a crash (it releases
 * its locks and moves nothing), and the store is reopened with a plain builder. Whatever the
 * step, the reopened store holds exactly its previous data or exactly the set's, passes
 * {@code verify()}, leaves nothing beside its directory, and says what it did in
 * {@code admin().restoreLeftovers()}. The random kills of {@link RestoreOverKillTest} cover the
 * instants between these steps.
 */
final class RestoreOverCrashTest {

  /** Stands for the death of the process. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String step) {
      super("simulated crash at " + step);
    }
  }

  @TempDir
  Path tmp;

  private Path storeDir() {
    return tmp.resolve("data").resolve("store");
  }

  static Stream<Arguments> crashes() {
    // step, what the reopened store holds, what its open reports
    Object[][] steps = {
        {"before-close", "previous", "staging directory of a restore that did not finish"},
        {"after-journal", "previous", "the store had not been moved"},
        {"after-close", "previous", "the store had not been moved"},
        {"after-move-old", "previous", "was missing; put the previous store back"},
        {"after-swap", "previous", "moved the restored copy out"},
        {"after-reopen", "previous", "moved the restored copy out"},
        {"after-commit", "restored", "deleted the previous store"},
        {"after-delete-old", "restored", "the previous store was already deleted"},
    };
    return Stream.of("sqlite", "lmdb", "h2").flatMap(backend -> Stream.of(steps)
        .map(s -> Arguments.of(backend, s[0], s[1], s[2])));
  }

  @ParameterizedTest(name = "{0} killed {1}")
  @MethodSource("crashes")
  void killedAtAStepTheNextPlainOpenFindsTheWholePreviousOrTheWholeRestoredStore(String backend,
      String step, String holds, String reported) throws Exception {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work"))
        .faultHook(at -> {
          if (at.equals(step)) {
            throw new SimulatedCrash(at);
          }
        })
        .build();
    Storage live = Fixtures.open(backend, storeDir());
    Fixtures.fill(live, 31, 60);
    BackupManifest set = backups.backup(live, BackupKind.LOGICAL);
    Map<String, Fixtures.Content> restored = Fixtures.contents(live);
    live.putBytes("docs", "after-backup", Fixtures.doc(3, 700));
    live.delete("small", "s-0");
    Map<String, Fixtures.Content> previous = Fixtures.contents(live);

    assertThatThrownBy(() -> backups.restoreOver(set.setId(), live,
        Fixtures.builder(backend, storeDir()))).isInstanceOf(SimulatedCrash.class);
    live.close(); // the process is dead: whatever it still had open is closed

    try (Storage s = Storage.builder().directory(storeDir()).backend(backend)
        .noScheduledMaintenance().open()) {
      assertThat(Fixtures.contents(s)).isEqualTo(holds.equals("previous") ? previous : restored);
      assertThat(s.admin().verify().ok()).isTrue();
      assertThat(s.admin().restoreLeftovers()).as("what the open reports")
          .anySatisfy(line -> assertThat(line).contains(reported));
      assertThat(Fixtures.siblingsOf(storeDir())).as("nothing left beside the store").isEmpty();
    }
    try (Storage s = Fixtures.open(backend, storeDir())) {
      assertThat(s.admin().restoreLeftovers()).as("a second open finds nothing").isEmpty();
    }
  }

  @Test
  void regressionKillBetweenTheRenamesNoLongerReopensAsANewEmptyStore() throws Exception {
    // kill -9 between "store -> store.old-<set>" and "staging -> store" left no store
    // directory, and the next open created a new, empty store in its place
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work"))
        .faultHook(at -> {
          if (at.equals("after-move-old")) {
            assertThat(storeDir()).doesNotExist();
            throw new SimulatedCrash(at);
          }
        })
        .build();
    Storage live = Fixtures.open("lmdb", storeDir());
    Fixtures.fill(live, 32, 80);
    BackupManifest set = backups.backup(live, BackupKind.NATIVE);
    Map<String, Fixtures.Content> previous = Fixtures.contents(live);

    assertThatThrownBy(() -> backups.restoreOver(set.setId(), live,
        Fixtures.builder("lmdb", storeDir()))).isInstanceOf(SimulatedCrash.class);

    try (Storage s = Storage.builder().directory(storeDir()).backend("lmdb").open()) {
      assertThat(Fixtures.contents(s)).isNotEmpty().isEqualTo(previous);
    }
  }

  @Test
  void anOpenFromAnotherThreadDuringTheSwapIsToldARestoreIsInProgress() throws Exception {
    AtomicReference<Throwable> seen = new AtomicReference<>();
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work"))
        .faultHook(at -> {
          if (at.equals("after-move-old")) {
            Thread other = new Thread(() -> {
              try (Storage s = Fixtures.open("sqlite", storeDir())) {
                seen.set(new AssertionError("opened " + s.admin().directory() + " mid-swap"));
              } catch (Throwable e) {
                seen.set(e);
              }
            });
            other.start();
            try {
              other.join();
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
            assertThat(storeDir()).as("the failed open created no directory").doesNotExist();
          }
        })
        .build();
    Storage live = Fixtures.open("sqlite", storeDir());
    Fixtures.fill(live, 33, 50);
    BackupManifest set = backups.backup(live, BackupKind.LOGICAL);
    Map<String, Fixtures.Content> atBackup = Fixtures.contents(live);
    live.putBytes("docs", "later", new byte[] {1, 2, 3});

    try (Storage restored = backups.restoreOver(set.setId(), live,
        Fixtures.builder("sqlite", storeDir()))) {
      assertThat(Fixtures.contents(restored)).isEqualTo(atBackup);
    }
    assertThat(seen.get()).isInstanceOf(BackendException.class)
        .hasMessageContaining("is in progress");
    assertThat(Fixtures.siblingsOf(storeDir())).isEmpty();
  }

  @Test
  void aFailedCleanupAfterTheCommitKeepsTheRestoreAndTheNextOpenFinishesIt() throws Exception {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work"))
        .faultHook(at -> {
          if (at.equals("after-commit")) {
            throw new IOException("injected: cannot delete the old directory");
          }
        })
        .build();
    Storage live = Fixtures.open("h2", storeDir());
    Fixtures.fill(live, 34, 50);
    BackupManifest set = backups.backup(live, BackupKind.NATIVE);
    Map<String, Fixtures.Content> atBackup = Fixtures.contents(live);
    live.delete("small", "s-0");

    try (Storage restored = backups.restoreOver(set.setId(), live,
        Fixtures.builder("h2", storeDir()))) {
      assertThat(Fixtures.contents(restored)).isEqualTo(atBackup);
      assertThat(Fixtures.siblingsOf(storeDir())).anyMatch(n -> n.startsWith("store.old-"));
    }
    try (Storage s = Fixtures.open("h2", storeDir())) {
      assertThat(Fixtures.contents(s)).isEqualTo(atBackup);
      assertThat(s.admin().restoreLeftovers()).singleElement().asString()
          .contains("deleted the previous store");
    }
    assertThat(Fixtures.siblingsOf(storeDir())).isEmpty();
  }

  @Test
  void whatAnOlderCairnLeftIsRepairedOrReportedAtOpen() throws Exception {
    Path dir = storeDir();
    try (Storage s = Fixtures.open("sqlite", dir)) {
      Fixtures.fill(s, 35, 30);
    }
    // killed between its renames: the store renamed away, a staging directory, no journal
    Path old = dir.resolveSibling("store.old-20261101T000000000Z-0123456789ab");
    Files.move(dir, old);
    Files.createDirectories(dir.resolveSibling(".store.restore-5eed/work"));

    try (Storage s = Fixtures.open("sqlite", dir)) {
      assertThat(s.count("docs")).isPositive();
      assertThat(s.admin().restoreLeftovers()).hasSize(2)
          .anySatisfy(l -> assertThat(l).contains("moved it back"))
          .anySatisfy(l -> assertThat(l).contains("deleted", ".store.restore-5eed"));
    }
    // a stray old copy beside a store: it may be the only copy of something, so it stays
    Files.createDirectories(old);
    try (Storage s = Fixtures.open("sqlite", dir)) {
      assertThat(s.admin().restoreLeftovers()).singleElement().asString()
          .contains("left " + old + " in place");
    }
    assertThat(old).exists();
  }
}
