package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logical sets migrate a store between backends with equal contents (values and times). */
final class CrossBackendTest {

  /** Every ordered pair of the built-in backends appears once in this migration chain. */
  static final List<String> CHAIN = List.of("sqlite", "lmdb", "h2", "sqlite", "h2", "lmdb", "sqlite");

  @TempDir
  Path tmp;

  @Test
  void logicalRestoreMigratesAroundEveryBackendWithEqualContents() {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).build();
    Map<String, Fixtures.Content> original;
    BackupManifest set;
    Path first = tmp.resolve("0-" + CHAIN.get(0));
    try (Storage s = Fixtures.open(CHAIN.get(0), first)) {
      Fixtures.fill(s, 31, 500);
      s.putBytes("empty", "zero-length", new byte[0]);
      original = Fixtures.contents(s);
      set = backups.backup(s, BackupKind.LOGICAL);
    }
    for (int i = 1; i < CHAIN.size(); i++) {
      String backend = CHAIN.get(i);
      Path dir = tmp.resolve(i + "-" + backend);
      backups.restoreTo(set.setId(), dir, Fixtures.builder(backend, dir));
      try (Storage s = Fixtures.open(backend, dir)) {
        assertThat(s.admin().backendName()).isEqualTo(backend);
        assertThat(Fixtures.contents(s)).as("%s -> %s", CHAIN.get(i - 1), backend)
            .isEqualTo(original);
        assertThat(s.admin().verify().problems()).isEmpty();
        set = backups.backup(s, BackupKind.LOGICAL);
      }
    }
  }

  @Test
  void nativeSetRestoresIntoItsOwnBackendWithTheSameStoreId() {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).build();
    for (String backend : List.of("sqlite", "h2", "lmdb")) {
      Map<String, Fixtures.Content> original;
      BackupManifest set;
      String storeId;
      try (Storage s = Fixtures.open(backend, tmp.resolve("src-" + backend))) {
        Fixtures.fill(s, 32, 200);
        original = Fixtures.contents(s);
        storeId = s.admin().storeId();
        set = backups.backup(s, BackupKind.NATIVE);
      }
      assertThat(set.backend()).isEqualTo(backend);
      Path dir = tmp.resolve("dst-" + backend);
      backups.restoreTo(set.setId(), dir); // the set's own backend, default settings
      try (Storage s = Fixtures.open(backend, dir)) {
        assertThat(Fixtures.contents(s)).isEqualTo(original);
        assertThat(s.admin().storeId()).isEqualTo(storeId);
      }
    }
  }

  @Test
  void nativeSetIsRefusedIntoAnotherBackendAndTheDestinationStaysEmpty() throws Exception {
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups").toUri())
        .workDirectory(tmp.resolve("work")).build();
    BackupManifest set;
    try (Storage s = Fixtures.open("h2", tmp.resolve("src"))) {
      Fixtures.fill(s, 33, 50);
      set = backups.backup(s, BackupKind.NATIVE);
    }
    Path dir = tmp.resolve("dst");
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            backups.restoreTo(set.setId(), dir, Fixtures.builder("sqlite", dir)))
        .isInstanceOf(dev.cairn.storage.BackupException.class)
        .hasMessageContaining("native h2");
    assertThat(dir).doesNotExist();
    assertThat(Fixtures.siblingsOf(dir)).isEmpty();
  }
}
