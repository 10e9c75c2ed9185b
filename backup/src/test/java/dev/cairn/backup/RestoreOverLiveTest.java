package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackupException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageClosedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Restoring over a running store: atomic swap, and nothing lost when it fails midway. */
final class RestoreOverLiveTest {

  @TempDir
  Path tmp;

  private Path storeDir() {
    return tmp.resolve("store");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"sqlite, NATIVE", "sqlite, LOGICAL", "sqlite, INCREMENTAL", "h2, NATIVE",
      "h2, INCREMENTAL", "lmdb, NATIVE", "lmdb, LOGICAL"})
  void restoreOverLiveStoreReturnsTheReopenedStoreWithTheSetsContents(String backend,
      BackupKind kind) throws Exception {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).build();
    Storage live = Fixtures.open(backend, storeDir());
    Fixtures.fill(live, 11, 300);
    backups.backup(live, BackupKind.LOGICAL); // a parent for the incremental case
    live.putBytes("docs", "between", Fixtures.doc(99, 300));
    BackupManifest set = backups.backup(live, kind);
    Map<String, Fixtures.Content> atBackup = Fixtures.contents(live);
    live.delete("small", "s-0");
    live.putBytes("docs", "after-backup", "new".getBytes(StandardCharsets.UTF_8));
    String storeId = live.admin().storeId();

    Storage restored = backups.restoreOver(set.setId(), live, Fixtures.builder(backend, storeDir()));
    try {
      assertThat(restored).isNotSameAs(live);
      assertThatThrownBy(() -> live.getBytes("docs", "between"))
          .isInstanceOf(StorageClosedException.class);
      assertThat(Fixtures.contents(restored)).isEqualTo(atBackup);
      assertThat(restored.admin().directory()).isEqualTo(storeDir().toAbsolutePath().normalize());
      if (kind == BackupKind.NATIVE) {
        assertThat(restored.admin().storeId()).isEqualTo(storeId);
      }
      restored.putBytes("docs", "writable", new byte[] {1});
    } finally {
      restored.close();
    }
    assertThat(Fixtures.siblingsOf(storeDir())).as("old and staging directories removed").isEmpty();
  }

  @ParameterizedTest(name = "failure {0}")
  @ValueSource(strings = {"before-close", "after-journal", "after-close", "after-move-old",
      "after-swap", "after-reopen"})
  void failureMidwayLeavesTheLiveDataIntactAndReopenable(String step) throws Exception {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work"))
        .faultHook(at -> {
          if (at.equals(step)) {
            throw new IOException("injected failure " + at);
          }
        })
        .build();
    Storage live = Fixtures.open("sqlite", storeDir());
    Fixtures.fill(live, 12, 200);
    BackupManifest set = backups.backup(live, BackupKind.LOGICAL);
    live.putBytes("docs", "after-backup", Fixtures.doc(77, 500));
    Map<String, Fixtures.Content> current = Fixtures.contents(live);

    assertThatThrownBy(() -> backups.restoreOver(set.setId(), live,
        Fixtures.builder("sqlite", storeDir())))
        .isInstanceOf(BackupException.class)
        .hasMessageContaining("injected failure " + step);

    if (step.equals("before-close") || step.equals("after-journal")) {
      assertThat(Fixtures.contents(live)).as("live store untouched and still open").isEqualTo(current);
      live.close();
    } else {
      assertThatThrownBy(() -> live.count("docs")).isInstanceOf(StorageClosedException.class);
    }
    try (Storage reopened = Fixtures.open("sqlite", storeDir())) {
      assertThat(Fixtures.contents(reopened)).isEqualTo(current);
      assertThat(reopened.admin().verify().ok()).isTrue();
    }
    assertThat(Fixtures.siblingsOf(storeDir())).as("no leftover directories").isEmpty();
  }

  @Test
  void corruptedSetIsRefusedBeforeTheLiveStoreIsTouched() throws Exception {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).build();
    Storage live = Fixtures.open("sqlite", storeDir());
    try {
      Fixtures.fill(live, 13, 200);
      BackupManifest set = backups.backup(live, BackupKind.NATIVE);
      live.putBytes("docs", "after-backup", Fixtures.doc(5, 400));
      Map<String, Fixtures.Content> current = Fixtures.contents(live);
      Fixtures.flipByte(Fixtures.setFile(tmp.resolve("backups"), set.setId(), "snapshot.zip"), -20);

      assertThatThrownBy(() -> backups.restoreOver(set.setId(), live,
          Fixtures.builder("sqlite", storeDir())))
          .isInstanceOf(BackupException.class)
          .hasMessageContaining("snapshot.zip")
          .hasMessageContaining("not restored");
      assertThat(Fixtures.contents(live)).isEqualTo(current);
    } finally {
      live.close();
    }
    assertThat(Fixtures.siblingsOf(storeDir())).isEmpty();
  }

  @Test
  void nativeSetOfAnotherBackendIsRefusedOverALiveStore() throws Exception {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).build();
    BackupManifest h2Set;
    try (Storage h2 = Fixtures.open("h2", tmp.resolve("h2store"))) {
      Fixtures.fill(h2, 14, 50);
      h2Set = backups.backup(h2, BackupKind.NATIVE);
    }
    try (Storage live = Fixtures.open("sqlite", storeDir())) {
      live.putBytes("docs", "k", new byte[] {1, 2, 3});
      assertThatThrownBy(() -> backups.restoreOver(h2Set.setId(), live,
          Fixtures.builder("sqlite", storeDir())))
          .isInstanceOf(BackupException.class)
          .hasMessageContaining("native h2");
      assertThat(live.getBytes("docs", "k")).isPresent();
    }
  }
}
