package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups keep each record's expiry: a restored record that has not expired yet expires when
 * it would have, one that has expired since the backup is never served, on every kind of set
 * and across backends.
 */
final class ExpiryBackupTest {

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  private final Duration hour = Duration.ofHours(1);

  private Storage open(String backend, Path dir) {
    return Fixtures.builder(backend, dir).clock(clock).inlineThreshold(16).open();
  }

  @Test
  void everyKindOfSetKeepsTheExpiryOfItsRecords() {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).build();
    byte[] shared = Fixtures.doc(1, 500);
    Instant expiresAt = clock.instant().plus(hour);
    BackupManifest logical;
    BackupManifest incremental;
    BackupManifest nativeSet;
    try (Storage s = open("sqlite", tmp.resolve("src"))) {
      s.putBytes("c", "permanent", shared);
      s.putBytes("c", "expiring", shared, hour); // shares its content with "permanent"
      s.putBytes("c", "small", new byte[] {1, 2, 3}, hour);
      s.maintenance();
      logical = backups.backup(s, BackupKind.LOGICAL);
      s.putBytes("c", "later", new byte[] {4}, hour.multipliedBy(3));
      incremental = backups.backup(s, BackupKind.INCREMENTAL);
      nativeSet = backups.backup(s, BackupKind.NATIVE);
    }
    assertThat(incremental.kind()).isEqualTo(BackupKind.INCREMENTAL);
    int i = 0;
    for (BackupManifest set : List.of(logical, incremental, nativeSet)) {
      for (String backend : set == nativeSet ? List.of("sqlite") : List.of("lmdb", "h2")) {
        Path dir = tmp.resolve("restored-" + i++);
        backups.restoreTo(set.setId(), dir, Fixtures.builder(backend, dir).clock(clock));
        try (Storage s = open(backend, dir)) {
          String what = set.kind() + " into " + backend;
          assertThat(s.metadata("c", "expiring").orElseThrow().expiresAt()).as(what)
              .contains(expiresAt);
          assertThat(s.metadata("c", "permanent").orElseThrow().expiresAt()).isEmpty();
          assertThat(s.getBytes("c", "small")).as(what).isPresent();
        }
      }
    }
    clock.advance(hour.plusSeconds(1));
    for (BackupManifest set : List.of(logical, incremental, nativeSet)) {
      Path dir = tmp.resolve("after-" + set.kind());
      String backend = set == nativeSet ? "sqlite" : "lmdb";
      backups.restoreTo(set.setId(), dir, Fixtures.builder(backend, dir).clock(clock));
      try (Storage s = open(backend, dir)) {
        String what = set.kind() + ", restored after the expiry";
        assertThat(s.getBytes("c", "expiring")).as(what).isEmpty();
        assertThat(s.getBytes("c", "small")).as(what).isEmpty();
        assertThat(s.getBytes("c", "permanent")).as(what).contains(shared);
        assertThat(s.getBytes("c", "later").isPresent()).as(what).isEqualTo(set != logical);
        assertThat(s.count("c")).isEqualTo(set == logical ? 1 : 2);
        assertThat(s.maintenance().successful()).isTrue();
        assertThat(s.admin().verify().problems()).isEmpty();
        assertThat(s.metadata("c", "expiring")).isEqualTo(Optional.empty());
      }
    }
  }
}
