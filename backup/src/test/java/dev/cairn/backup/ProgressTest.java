package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backup.BackupProgress.Operation;
import dev.cairn.backup.BackupProgress.Phase;
import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener sees every phase with counts that add up; a throwing listener changes nothing. */
final class ProgressTest {

  @TempDir
  Path tmp;

  @Test
  void listenerSeesBackupVerifyAndRestorePhasesWithFinalCounts() {
    List<BackupProgress> events = new CopyOnWriteArrayList<>();
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).listener(events::add).build();
    BackupManifest set;
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 61, 1000);
      set = backups.backup(s, BackupKind.LOGICAL);
    }
    List<BackupProgress> backup = events.stream().filter(e -> e.operation() == Operation.BACKUP).toList();
    assertThat(backup).extracting(BackupProgress::phase).containsSubsequence(Phase.EXPORT,
        Phase.UPLOAD, Phase.DONE);
    assertThat(backup.stream().filter(e -> e.phase() == Phase.EXPORT)
        .mapToLong(BackupProgress::recordsDone).max().orElse(0)).isEqualTo(set.records());
    assertThat(backup.stream().filter(e -> e.phase() == Phase.EXPORT).count())
        .as("intermediate events during a 1000-record export").isGreaterThan(3);

    events.clear();
    Path dest = tmp.resolve("restored");
    backups.restoreTo(set.setId(), dest, Fixtures.builder("sqlite", dest));
    assertThat(events).allSatisfy(e -> {
      assertThat(e.operation()).isEqualTo(Operation.RESTORE);
      assertThat(e.setId()).isEqualTo(set.setId());
    });
    assertThat(events).extracting(BackupProgress::phase)
        .containsSubsequence(Phase.DOWNLOAD, Phase.CHECK, Phase.IMPORT, Phase.CHECK, Phase.DONE);
    BackupProgress lastImport = events.stream().filter(e -> e.phase() == Phase.IMPORT)
        .reduce((a, b) -> b).orElseThrow();
    assertThat(lastImport.recordsDone()).isEqualTo(set.records());
    assertThat(lastImport.recordsTotal()).isEqualTo(set.records());
    assertThat(lastImport.fraction()).isEqualTo(1.0);
  }

  @Test
  void throwingListenerDoesNotFailTheBackup() {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work"))
        .listener(e -> {
          throw new IllegalStateException("listener bug");
        }).build();
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 62, 50);
      BackupManifest set = backups.backup(s, BackupKind.NATIVE);
      assertThat(backups.verify(set.setId()).ok()).isTrue();
    }
  }
}
