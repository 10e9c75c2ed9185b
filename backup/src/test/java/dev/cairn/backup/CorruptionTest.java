package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackupException;
import dev.cairn.storage.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A flipped byte in a real backup file is reported by verify and refused by restore. */
final class CorruptionTest {

  @TempDir
  Path tmp;

  private BackupManager backups() {
    return BackupManager.builder().target(tmp.resolve("backups")).workDirectory(tmp.resolve("work"))
        .build();
  }

  private BackupManifest backup(BackupManager backups, BackupKind kind) {
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 7, 300);
      return backups.backup(s, kind);
    }
  }

  @ParameterizedTest(name = "{0} {1} at offset {2}")
  @CsvSource({
      "LOGICAL, records.cairnlog.gz, 40", "LOGICAL, records.cairnlog.gz, -3",
      "LOGICAL, blobs.idx, 5", "NATIVE, snapshot.zip, 100", "NATIVE, snapshot.zip, -10"})
  void flippedByteIsCaughtByVerifyAndRefusedByRestore(BackupKind kind, String file, long offset)
      throws Exception {
    BackupManager backups = backups();
    BackupManifest set = backup(backups, kind);
    assertThat(backups.verify(set.setId()).ok()).as("intact set verifies").isTrue();

    Fixtures.flipByte(Fixtures.setFile(tmp.resolve("backups"), set.setId(), file), offset);

    VerifyReport report = backups.verify(set.setId());
    assertThat(report.ok()).isFalse();
    assertThat(report.problems()).anySatisfy(p -> {
      assertThat(p.file()).isEqualTo(file);
      assertThat(p.message()).contains("checksum mismatch");
    });
    Path dest = tmp.resolve("restored");
    assertThatThrownBy(() -> backups.restoreTo(set.setId(), dest,
        Fixtures.builder("sqlite", dest)))
        .isInstanceOf(BackupException.class)
        .hasMessageContaining(file)
        .hasMessageContaining("failed verification");
    assertThat(dest).doesNotExist();
    assertThat(Fixtures.siblingsOf(dest)).as("no staging directory left").isEmpty();
  }

  @Test
  void damagedManifestIsReportedAgainstTheManifest() throws Exception {
    BackupManager backups = backups();
    BackupManifest set = backup(backups, BackupKind.LOGICAL);
    Path manifest = Fixtures.setFile(tmp.resolve("backups"), set.setId(), "manifest.json");
    Files.writeString(manifest, Files.readString(manifest).replace("\"records\"", "\"rec0rds\""));

    VerifyReport report = backups.verify(set.setId());
    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo("manifest.json");
      assertThat(p.message()).contains("records");
    });
    assertThat(backups.list()).as("an unusable manifest is not listed").isEmpty();
  }

  @Test
  void missingDataFileIsReportedByName() throws Exception {
    BackupManager backups = backups();
    BackupManifest set = backup(backups, BackupKind.LOGICAL);
    Files.delete(Fixtures.setFile(tmp.resolve("backups"), set.setId(), "records.cairnlog.gz"));

    assertThat(backups.verify(set.setId()).problems())
        .anySatisfy(p -> assertThat(p.toString()).contains("records.cairnlog.gz").contains("missing"));
  }

  @Test
  void setWithoutManifestIsIncompleteAndNotListed() throws Exception {
    BackupManager backups = backups();
    BackupManifest set = backup(backups, BackupKind.LOGICAL);
    Files.delete(Fixtures.setFile(tmp.resolve("backups"), set.setId(), "manifest.json"));

    assertThat(backups.list()).isEmpty();
    assertThat(backups.verify(set.setId()).problems())
        .singleElement().satisfies(p -> assertThat(p.message()).contains("no manifest"));
  }
}
