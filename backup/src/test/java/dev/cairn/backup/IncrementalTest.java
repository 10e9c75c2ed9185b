package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackupException;
import dev.cairn.storage.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Incremental logical sets store only new blobs and restore through their chain. */
final class IncrementalTest {

  @TempDir
  Path tmp;

  @Test
  void incrementalChainRestoresEveryPointAndStoresOnlyNewBlobs() {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).kind(BackupKind.INCREMENTAL).build();
    BackupManifest full;
    BackupManifest inc1;
    BackupManifest inc2;
    Map<String, Fixtures.Content> atFull;
    Map<String, Fixtures.Content> atInc1;
    Map<String, Fixtures.Content> atInc2;
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 21, 400);
      full = backups.backup(s);
      atFull = Fixtures.contents(s);
      s.putBytes("docs", "new-1", Fixtures.doc(1001, 900));
      // equal to a value already in the full set: its blob is not stored again
      s.putBytes("docs", "same-as-old", s.getBytes("docs", "d-2").orElseThrow());
      s.delete("docs", "d-1");
      inc1 = backups.backup(s);
      atInc1 = Fixtures.contents(s);
      s.putBytes("docs", "new-2", Fixtures.doc(1002, 900));
      inc2 = backups.backup(s);
      atInc2 = Fixtures.contents(s);
    }
    assertThat(full.kind()).as("the first incremental request makes a full set")
        .isEqualTo(BackupKind.LOGICAL);
    assertThat(inc1.kind()).isEqualTo(BackupKind.INCREMENTAL);
    assertThat(inc1.parents()).containsExactly(full.setId());
    assertThat(inc2.parents()).containsExactly(full.setId(), inc1.setId());
    assertThat(full.blobs()).isGreaterThan(10);
    assertThat(inc1.blobs()).as("only the blob new since the full set").isEqualTo(1);
    assertThat(inc2.blobs()).isEqualTo(1);
    assertThat(inc2.records()).as("every record is in every set").isEqualTo(atInc2.size());

    for (var c : java.util.List.of(Map.entry(full, atFull), Map.entry(inc1, atInc1),
        Map.entry(inc2, atInc2))) {
      assertThat(backups.verify(c.getKey().setId()).problems()).isEmpty();
      Path dest = tmp.resolve("r-" + c.getKey().setId());
      backups.restoreTo(c.getKey().setId(), dest, Fixtures.builder("sqlite", dest));
      try (Storage r = Fixtures.open("sqlite", dest)) {
        assertThat(Fixtures.contents(r)).as("restore of %s", c.getKey().setId())
            .isEqualTo(c.getValue());
      }
    }
  }

  @Test
  void incrementalWithAMissingParentFailsVerifyAndIsRefused() throws Exception {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).kind(BackupKind.INCREMENTAL).build();
    BackupManifest full;
    BackupManifest inc;
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 22, 200);
      full = backups.backup(s);
      s.putBytes("docs", "x", Fixtures.doc(2000, 500));
      inc = backups.backup(s);
    }
    Fixtures.flipByte(Fixtures.setFile(tmp.resolve("backups"), full.setId(), "records.cairnlog.gz"), 30);
    assertThat(backups.verify(inc.setId()).problems())
        .anySatisfy(p -> assertThat(p.file()).isEqualTo(full.setId() + "/records.cairnlog.gz"));

    Files.delete(Fixtures.setFile(tmp.resolve("backups"), full.setId(), "manifest.json"));
    assertThat(backups.verify(inc.setId()).problems())
        .anySatisfy(p -> assertThat(p.message()).contains("parent set " + full.setId() + " is missing"));
    Path dest = tmp.resolve("restored");
    assertThatThrownBy(() -> backups.restoreTo(inc.setId(), dest, Fixtures.builder("sqlite", dest)))
        .isInstanceOf(BackupException.class)
        .hasMessageContaining(full.setId());
    assertThat(dest).doesNotExist();
  }

  @Test
  void chainStartsOverAtItsMaximumLength() {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).kind(BackupKind.INCREMENTAL).maxChainLength(2).build();
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 23, 50);
      BackupManifest a = backups.backup(s);
      BackupManifest b = backups.backup(s);
      BackupManifest c = backups.backup(s);
      assertThat(a.kind()).isEqualTo(BackupKind.LOGICAL);
      assertThat(b.parents()).containsExactly(a.setId());
      assertThat(c.kind()).isEqualTo(BackupKind.LOGICAL);
    }
  }
}
