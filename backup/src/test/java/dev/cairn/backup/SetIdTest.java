package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Set ids carry the millisecond and never collide, even within one millisecond. */
final class SetIdTest {

  @TempDir
  Path tmp;

  @Test
  void idsOfTheSameMillisecondAreDistinct() {
    Clock frozen = Clock.fixed(Instant.parse("2026-05-06T07:08:09.123Z"), ZoneOffset.UTC);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = SetIds.next(frozen);
      assertThat(id).startsWith("20260506T070809123Z-").matches(SetIds.PATTERN);
      ids.add(id);
    }
    assertThat(ids).hasSize(10_000);
    assertThat(SetIds.millis("20260506T070809123Z-000000000000"))
        .isEqualTo(Instant.parse("2026-05-06T07:08:09.123Z").toEpochMilli());
  }

  @Test
  void twoBackupsInTheSameMillisecondAreTwoSets() {
    Clock frozen = Clock.fixed(Instant.parse("2026-05-06T07:08:09.123Z"), ZoneOffset.UTC);
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).clock(frozen).build();
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      s.putBytes("c", "k", new byte[] {1});
      BackupManifest a = backups.backup(s);
      BackupManifest b = backups.backup(s);
      assertThat(a.setId()).isNotEqualTo(b.setId());
      assertThat(a.createdAt()).isEqualTo(b.createdAt());
      assertThat(backups.list()).extracting(BackupManifest::setId)
          .containsExactlyInAnyOrder(a.setId(), b.setId());
      assertThat(backups.verify(a.setId()).ok()).isTrue();
      assertThat(backups.verify(b.setId()).ok()).isTrue();
    }
  }
}
