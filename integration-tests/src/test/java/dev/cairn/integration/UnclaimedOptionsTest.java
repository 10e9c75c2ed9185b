package dev.cairn.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression, with every real plugin installed: options that used to open a store without a
 * word — another installed backend's, a codec's that does not write, a cache's without a cache —
 * are refused before anything is created.
 */
final class UnclaimedOptionsTest {

  @TempDir Path tmp;

  private StorageBuilder sqlite() {
    return Storage.builder().directory(tmp.resolve("store")).backend("sqlite")
        .noScheduledMaintenance();
  }

  private void assertRefused(StorageBuilder b, String... fragments) {
    assertThatThrownBy(b::open).isInstanceOf(IllegalArgumentException.class)
        .message().contains(fragments);
    assertThat(tmp.resolve("store")).as("refused before anything is created").doesNotExist();
  }

  @Test
  void optionsOfInstalledBackendsThatAreNotSelectedAreRefusedNamingThem() {
    assertRefused(sqlite().backendOption("postgres.url", "jdbc:postgresql://db/app"),
        "unknown option 'postgres.url' for backend sqlite; it is an option of backend postgres,"
            + " which is installed but not in use; known options: [sqlite.readers");
    assertRefused(sqlite().backendOption("lmdb.mapSizeMax", "1g"),
        "unknown option 'lmdb.mapSizeMax' for backend sqlite; it is an option of backend lmdb");
  }

  @Test
  void aZstdLevelOutOfRangeIsRefusedWhileSnappyWrites() {
    assertRefused(sqlite().codec("snappy").codecOption("zstd.level", "99"),
        "invalid option for codec zstd: zstd.level=99 must be between -7 and 22");
  }

  @Test
  void aForeignCodecPrefixIsRefusedWithASuggestion() {
    assertRefused(sqlite().codec("zstd").codecOption("zstandard.level", "3"),
        "unknown option 'zstandard.level' for codecs identity, ", "did you mean 'zstd.level'?",
        "known options: [zstd.level]");
  }

  @Test
  void cacheSettingsWithoutACacheAreRefused() {
    assertRefused(sqlite().cacheOption("tiered.blockBytes", "256"),
        "cache option 'tiered.blockBytes' is set but no cache is configured: call cache(name)");
    assertRefused(sqlite().cacheMaxHeapBytes(1 << 20),
        "cacheMaxHeapBytes is set but no cache is configured: call cache(name)");
  }

  @Test
  void valuesOfEveryKindAreReportedTogether() {
    assertRefused(sqlite().cache("tiered").backendOption("sqlite.readers", "0")
            .codecOption("zstd.level", "0").cacheOption("tiered.compress", "yes"),
        "invalid option for backend sqlite: sqlite.readers=0 must be between 1 and 64\n"
            + "invalid option for codec zstd: zstd.level=0 must not be 0\n"
            + "invalid option for cache tiered: tiered.compress=yes must be true or false");
  }

  @Test
  void theSameConfigurationWithValidValuesOpens() {
    try (Storage s = sqlite().codec("snappy").cache("tiered").backendOption("sqlite.readers", "2")
        .codecOption("zstd.level", "6").cacheOption("tiered.compress", "false").open()) {
      s.put("c", "k", "v");
      assertThat(s.get("c", "k", String.class)).contains("v");
    }
  }
}
