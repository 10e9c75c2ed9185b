package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backend.sqlite.SqliteBackendProvider;
import dev.cairn.storage.BackupException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.Capability;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Native backups need snapshots that hold every byte of the store. */
final class NativeKindTest {

  @TempDir Path dir;

  /** SQLite, but declaring (like PostgreSQL) that its snapshots are not self-contained files. */
  private static final class ServerLikeProvider implements BackendProvider {
    private final BackendProvider sqlite = new SqliteBackendProvider();

    @Override
    public String name() {
      return "server-like";
    }

    @Override
    public Set<Capability> capabilities() {
      Set<Capability> c = EnumSet.copyOf(sqlite.capabilities());
      c.remove(Capability.SELF_CONTAINED_SNAPSHOT);
      return c;
    }

    @Override
    public Backend open(BackendConfig config) {
      return sqlite.open(config);
    }
  }

  @Test
  void aBackendWithoutSelfContainedSnapshotsRefusesNativeBackupsButTakesLogicalOnes() {
    BackupManager backups = BackupManager.builder().target(dir.resolve("backups")).build();
    try (Storage s = Storage.builder().directory(dir.resolve("store"))
        .backend(new ServerLikeProvider()).noScheduledMaintenance().open()) {
      s.putBytes("c", "k", new byte[100]);
      assertThatThrownBy(() -> backups.backup(s, BackupKind.NATIVE))
          .isInstanceOf(BackupException.class)
          .hasMessageContaining("server-like")
          .hasMessageContaining("LOGICAL");
      assertThat(backups.list()).isEmpty();
      BackupManifest logical = backups.backup(s, BackupKind.LOGICAL);
      assertThat(backups.verify(logical.setId()).ok()).isTrue();
    }
  }
}
