package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention: last N and max age, never a parent of a kept set, never what it did not create. */
final class RetentionTest {

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  private List<String> ids(BackupManager m) {
    return m.list().stream().map(BackupManifest::setId).toList();
  }

  @Test
  void retainLastKeepsTheParentsOfKeptIncrementals() {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).clock(clock).kind(BackupKind.INCREMENTAL)
        .maxChainLength(3).retainLast(2).build();
    List<BackupManifest> made = new ArrayList<>();
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 41, 60);
      for (int i = 0; i < 5; i++) {
        s.putBytes("docs", "round-" + i, Fixtures.doc(500 + i, 200));
        made.add(backups.backup(s));
        clock.advance(Duration.ofMinutes(1));
      }
    }
    // chains: [0 full, 1, 2] [3 full, 4]
    assertThat(made.get(2).parents()).containsExactly(made.get(0).setId(), made.get(1).setId());
    assertThat(made.get(3).kind()).isEqualTo(BackupKind.LOGICAL);

    List<String> deleted = backups.applyRetention();

    // keeps 4 and 3 (the last two); 4's parent is 3; sets 0..2 go
    assertThat(deleted).containsExactlyInAnyOrder(made.get(0).setId(), made.get(1).setId(),
        made.get(2).setId());
    assertThat(ids(backups)).containsExactly(made.get(3).setId(), made.get(4).setId());
    assertThat(backups.verify(made.get(4).setId()).ok()).isTrue();
  }

  @Test
  void keptIncrementalProtectsAnOldFullSet() {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).clock(clock).kind(BackupKind.INCREMENTAL)
        .maxChainLength(10).retainLast(1).build();
    List<BackupManifest> made = new ArrayList<>();
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 42, 60);
      for (int i = 0; i < 4; i++) {
        s.putBytes("docs", "round-" + i, Fixtures.doc(600 + i, 200));
        made.add(backups.backup(s));
        clock.advance(Duration.ofMinutes(1));
      }
    }
    assertThat(backups.applyRetention()).as("every set is a parent of the newest").isEmpty();
    assertThat(ids(backups)).hasSize(4);
  }

  @Test
  void maxAgeDeletesOldSetsButNeverTheNewest() {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).clock(clock).kind(BackupKind.NATIVE)
        .retainMaxAge(Duration.ofDays(7)).build();
    List<BackupManifest> made = new ArrayList<>();
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 43, 30);
      for (int i = 0; i < 3; i++) {
        made.add(backups.backup(s));
        clock.advance(Duration.ofDays(5));
      }
    }
    // now: day 15; sets at days 0, 5, 10 -> 0 and 5 are older than 7 days
    assertThat(backups.applyRetention()).containsExactlyInAnyOrder(made.get(0).setId(),
        made.get(1).setId());
    clock.advance(Duration.ofDays(100));
    assertThat(backups.applyRetention()).as("the newest set is always kept").isEmpty();
    assertThat(ids(backups)).containsExactly(made.get(2).setId());
  }

  @Test
  void onlySetsThisModuleCreatedAreDeleted() throws Exception {
    Path dir = tmp.resolve("backups");
    BackupManager backups = BackupManager.builder().target(dir)
        .workDirectory(tmp.resolve("work")).clock(clock).retainLast(1)
        .incompleteGrace(Duration.ofHours(1)).build();
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 44, 30);
      backups.backup(s);
      clock.advance(Duration.ofMinutes(1));
      backups.backup(s);
    }
    // a foreign manifest, a foreign file in a set-like folder, an unrelated folder
    Path foreign = dir.resolve("20250101T000000000Z-aaaaaaaaaaaa");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("manifest.json"), "{\"format\":\"something-else\"}");
    Path notes = dir.resolve("20250101T000000000Z-bbbbbbbbbbbb");
    Files.createDirectories(notes);
    Files.writeString(notes.resolve("notes.txt"), "mine");
    Files.createDirectories(dir.resolve("other"));
    Files.writeString(dir.resolve("other/file"), "x");
    // an old incomplete set of ours (no manifest) and a young one (maybe still being written)
    Path oldIncomplete = dir.resolve("20250101T000000000Z-cccccccccccc");
    Files.createDirectories(oldIncomplete);
    Files.writeString(oldIncomplete.resolve("records.cairnlog.gz"), "partial");
    String young = SetIds.next(clock);
    Files.createDirectories(dir.resolve(young));
    Files.writeString(dir.resolve(young).resolve("snapshot.zip"), "partial");

    List<String> deleted = backups.applyRetention();

    assertThat(deleted).hasSize(2).contains("20250101T000000000Z-cccccccccccc");
    assertThat(oldIncomplete).doesNotExist();
    assertThat(foreign.resolve("manifest.json")).exists();
    assertThat(notes.resolve("notes.txt")).exists();
    assertThat(dir.resolve("other/file")).exists();
    assertThat(dir.resolve(young).resolve("snapshot.zip")).exists();
    assertThat(backups.list()).hasSize(1);
  }

  @Test
  void withoutRulesNothingCompleteIsDeleted() {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).clock(clock).build();
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 45, 20);
      backups.backup(s);
      clock.advance(Duration.ofDays(400));
      backups.backup(s);
    }
    assertThat(backups.applyRetention()).isEmpty();
    assertThat(backups.list()).hasSize(2);
  }
}
