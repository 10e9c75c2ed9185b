package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backend.postgres.TestPostgres;
import dev.cairn.storage.BackupException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL store is backed up logically (its snapshots are schemas on the same server, so
 * a native set would not be a backup) and restores into an embedded backend and back.
 */
final class PostgresBackupTest {

  @TempDir Path dir;

  private static StorageBuilder postgres(Path dir) {
    StorageBuilder b = Fixtures.builder("postgres", dir);
    TestPostgres.get().freshOptions("backup").forEach(b::backendOption);
    return b;
  }

  @Test
  void aPostgresStoreRoundTripsThroughLogicalBackupsIntoSqliteAndBack() {
    BackupManager backups = BackupManager.builder().target(dir.resolve("backups")).build();
    Map<String, Fixtures.Content> original;
    BackupManifest set;
    try (Storage pg = postgres(dir.resolve("pg")).open()) {
      Fixtures.fill(pg, 7, 300);
      original = Fixtures.contents(pg);
      assertThatThrownBy(() -> backups.backup(pg, BackupKind.NATIVE))
          .isInstanceOf(BackupException.class).hasMessageContaining("LOGICAL");
      set = backups.backup(pg, BackupKind.LOGICAL);
    }
    assertThat(backups.verify(set.setId()).ok()).isTrue();

    backups.restoreTo(set.setId(), dir.resolve("sqlite"), Fixtures.builder("sqlite", dir.resolve("x")));
    BackupManifest fromSqlite;
    try (Storage sqlite = Fixtures.open("sqlite", dir.resolve("sqlite"))) {
      assertThat(Fixtures.contents(sqlite)).isEqualTo(original);
      assertThat(sqlite.admin().verify().ok()).isTrue();
      fromSqlite = backups.backup(sqlite, BackupKind.LOGICAL);
    }

    backups.restoreTo(fromSqlite.setId(), dir.resolve("pg2"), postgres(dir.resolve("unused")));
    try (Storage pg2 = postgres(dir.resolve("pg2")).open()) {
      assertThat(Fixtures.contents(pg2)).isEqualTo(original);
      assertThat(pg2.admin().verify().ok()).isTrue();
    }
  }
}
