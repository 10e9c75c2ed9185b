package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.cairn.storage.BackupException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageClosedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BackupManager.stats() and the Backup and Restore JFR events after a known workload. */
final class BackupStatsTest {

  @TempDir Path tmp;

  private BackupManager manager() {
    return BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).build();
  }

  @Test
  void statsCountBackupsRestoresAndTheirFailures() throws IOException {
    BackupManager backups = manager();
    assertThat(backups.stats()).isEqualTo(new BackupStats(0, 0, 0, 0, java.util.Optional.empty()));
    Path store = tmp.resolve("store");
    Storage s = Fixtures.open("sqlite", store);
    Fixtures.fill(s, 7, 90);
    BackupManifest first = backups.backup(s, BackupKind.LOGICAL);
    BackupManifest second = backups.backup(s, BackupKind.NATIVE);
    s.close();
    assertThatThrownBy(() -> backups.backup(s, BackupKind.LOGICAL))
        .isInstanceOf(StorageClosedException.class);
    backups.restoreTo(first.setId(), tmp.resolve("copy"), Fixtures.builder("sqlite",
        tmp.resolve("copy")));
    Files.createDirectories(tmp.resolve("full"));
    Files.writeString(tmp.resolve("full").resolve("x"), "taken");
    assertThatThrownBy(() -> backups.restoreTo(first.setId(), tmp.resolve("full")))
        .isInstanceOf(IllegalArgumentException.class);

    BackupStats st = backups.stats();
    assertThat(st.backups()).isEqualTo(2);
    assertThat(st.backupFailures()).isEqualTo(1);
    assertThat(st.restores()).isEqualTo(1);
    assertThat(st.restoreFailures()).isEqualTo(1);
    assertThat(st.lastBackup()).contains(second.createdAt());
  }

  @Test
  void aNewManagerFindsTheNewestSetInItsTarget() {
    BackupManifest newest;
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 8, 30);
      manager().backup(s, BackupKind.LOGICAL);
      newest = manager().backup(s, BackupKind.LOGICAL);
    }
    BackupStats st = manager().stats();
    assertThat(st.lastBackup()).contains(newest.createdAt());
    assertThat(st.backups()).as("taken by other managers").isZero();
  }

  @Test
  void backupsAndRestoresAreRecordedAsJfrEvents() throws IOException {
    BackupManager backups = manager();
    Path store = tmp.resolve("store");
    Path file = tmp.resolve("backup.jfr");
    BackupManifest set;
    try (Storage s = Fixtures.open("sqlite", store);
        Recording r = new Recording()) {
      Fixtures.fill(s, 9, 60);
      r.enable("dev.cairn.Backup");
      r.enable("dev.cairn.Restore");
      r.start();
      set = backups.backup(s, BackupKind.LOGICAL);
      backups.restoreTo(set.setId(), tmp.resolve("copy"));
      assertThatThrownBy(() -> backups.restoreTo("20990101T000000000Z-000000000000",
          tmp.resolve("nothing"), Storage.builder())).isInstanceOf(BackupException.class);
      r.stop();
      r.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
        .filter(e -> e.getEventType().getName().startsWith("dev.cairn.")).toList();
    assertThat(events.stream().filter(e -> e.getEventType().getName().equals("dev.cairn.Backup")))
        .extracting(e -> e.getString("setId"), e -> e.getString("store"),
            e -> e.getString("kind"), e -> e.getLong("records"), e -> e.getLong("storedBytes"),
            e -> e.getBoolean("success"), e -> e.getString("error"))
        .containsExactly(tuple(set.setId(), store.toString(), "LOGICAL", 60L, set.storedBytes(),
            true, null));
    assertThat(events.stream().filter(e -> e.getEventType().getName().equals("dev.cairn.Restore")))
        .extracting(e -> e.getString("setId"), e -> e.getBoolean("overLiveStore"),
            e -> e.getBoolean("success"))
        .containsExactly(tuple(set.setId(), false, true),
            tuple("20990101T000000000Z-000000000000", false, false));
    assertThat(events.stream().filter(e -> e.getEventType().getName().equals("dev.cairn.Restore"))
        .toList().get(0).getString("directory")).isEqualTo(tmp.resolve("copy").toString());
  }
}
