package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "backup" maintenance step: backups at its own interval, retention, and its report line. */
final class MaintenanceTaskTest {

  @TempDir
  Path tmp;

  @Test
  void maintenanceTakesABackupOnlyWhenTheIntervalHasPassedAndReportsSizeAndDuration() {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).clock(clock).interval(Duration.ofHours(6))
        .kind(BackupKind.INCREMENTAL).retainLast(2).maxChainLength(2).build();
    try (Storage s = Fixtures.builder("sqlite", tmp.resolve("store"))
        .maintenanceTask(backups.maintenanceTask()).open()) {
      Fixtures.fill(s, 51, 100);

      MaintenanceReport first = s.maintenance();
      MaintenanceReport.Step step = first.step("backup").orElseThrow();
      assertThat(step.outcome()).isEqualTo(MaintenanceReport.Outcome.OK);
      BackupManifest made = backups.list().get(0);
      assertThat(step.detail()).contains("created logical set " + made.setId())
          .contains(made.storedBytes() + " bytes").containsPattern("in \\d+ ms");

      clock.advance(Duration.ofHours(1)); // maintenance runs more often than backups
      MaintenanceReport second = s.maintenance();
      assertThat(second.step("backup").orElseThrow().detail()).startsWith("no backup due");
      assertThat(backups.list()).hasSize(1);

      for (int i = 0; i < 3; i++) {
        clock.advance(Duration.ofHours(6));
        s.putBytes("docs", "more-" + i, Fixtures.doc(700 + i, 300));
        assertThat(s.maintenance().step("backup").orElseThrow().outcome())
            .isEqualTo(MaintenanceReport.Outcome.OK);
      }
      // sets: full, inc, full, inc -> retain last 2 keeps the last chain
      assertThat(backups.list()).hasSize(2);
      assertThat(backups.list().get(1).parents()).containsExactly(backups.list().get(0).setId());
    }
  }

  @Test
  void aFailedBackupFailsOnlyTheBackupStep() throws Exception {
    Path notADirectory = tmp.resolve("file");
    java.nio.file.Files.writeString(notADirectory, "x");
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(notADirectory.resolve("work")).build();
    try (Storage s = Fixtures.builder("sqlite", tmp.resolve("store"))
        .maintenanceTask(backups.maintenanceTask()).open()) {
      s.putBytes("c", "k", new byte[] {1});
      MaintenanceReport r = s.maintenance();
      assertThat(r.step("backup").orElseThrow().outcome()).isEqualTo(MaintenanceReport.Outcome.FAILED);
      assertThat(r.step("optimize").orElseThrow().outcome()).isEqualTo(MaintenanceReport.Outcome.OK);
    }
  }
}
