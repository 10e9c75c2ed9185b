package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.PluginOptions;
import dev.cairn.storage.spi.PluginOptions.Option;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No option given to the builder is ignored: each of the cases that used to open without a word
 * is refused, naming the key, before anything is created.
 */
final class OptionClaimsTest {

  private static final String SQLITE_KNOWN = "known options: [sqlite.readers, sqlite.pageSize]";

  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("store");
  }

  private StorageBuilder sqlite() {
    return Storage.builder().directory(dir()).noScheduledMaintenance()
        .backend(FakePlugins.backend("sqlite",
            Option.number("sqlite.readers", 4, 1, 64, "readers"),
            Option.number("sqlite.pageSize", 8192, 512, 65536, "page size")));
  }

  private static dev.cairn.storage.spi.CodecProvider zstd() {
    return FakePlugins.codec("zstd", 72,
        Option.number("zstd.level", 3, -7, 22, "level").require(l -> l != 0, "must not be 0"));
  }

  private void assertRefused(StorageBuilder b, String message) {
    assertThatThrownBy(b::open).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    assertThat(dir()).as("nothing is created").doesNotExist();
  }

  @Test
  void aBackendWhoseScansAreUnorderedIsRefused() {
    BackendProvider unordered =
        FakePlugins.backend("unordered", Set.of(Capability.CONCURRENT_READERS));
    assertRefused(Storage.builder().directory(dir()).noScheduledMaintenance().backend(unordered),
        "backend unordered does not declare ORDERED_SCAN: the engine pages scans and key ranges,"
            + " and reads the expiry index and the change feed, in key order, so it needs scans"
            + " that return keys in unsigned byte order");
  }

  @Test
  void aMisspeltPrefixIsRefusedWithASuggestion() {
    assertRefused(sqlite().backendOption("sqllite.readers", "2"),
        "unknown option 'sqllite.readers' for backend sqlite; did you mean 'sqlite.readers'? "
            + SQLITE_KNOWN);
  }

  @Test
  void aKeyInTheWrongCaseIsRefusedWithASuggestion() {
    assertRefused(sqlite().backendOption("SQLITE.READERS", "2"),
        "unknown option 'SQLITE.READERS' for backend sqlite; did you mean 'sqlite.readers'? "
            + SQLITE_KNOWN);
  }

  @Test
  void aKeyWithoutItsPrefixIsRefusedWithASuggestion() {
    assertRefused(sqlite().backendOption("readers", "2"),
        "unknown option 'readers' for backend sqlite; did you mean 'sqlite.readers'? "
            + SQLITE_KNOWN);
  }

  @Test
  void anOptionOfABackendThatIsNotInstalledIsRefused() {
    assertRefused(sqlite().backendOption("postgres.url", "jdbc:postgresql://db/app"),
        "unknown option 'postgres.url' for backend sqlite; " + SQLITE_KNOWN);
    assertRefused(sqlite().backendOption("lmdb.mapSizeMax", "1g"),
        "unknown option 'lmdb.mapSizeMax' for backend sqlite; " + SQLITE_KNOWN);
  }

  @Test
  void anOptionOfABackendThatIsInstalledButNotSelectedIsRefusedNamingIt() {
    BackendProvider postgres = FakePlugins.backend("postgres",
        Option.text("postgres.url", null, "JDBC URL"));
    StorageBuilder b = Storage.builder().directory(dir()).noScheduledMaintenance()
        .backend(postgres)
        .backend(FakePlugins.backend("sqlite",
            Option.number("sqlite.readers", 4, 1, 64, "readers"),
            Option.number("sqlite.pageSize", 8192, 512, 65536, "page size")))
        .backendOption("postgres.url", "jdbc:postgresql://db/app");

    assertRefused(b, "unknown option 'postgres.url' for backend sqlite; it is an option of"
        + " backend postgres, which is installed but not in use; " + SQLITE_KNOWN);
  }

  @Test
  void anInvalidValueIsRefusedBeforeTheBackendIsOpened() {
    assertRefused(sqlite().backendOption("sqlite.readers", "0"),
        "invalid option for backend sqlite: sqlite.readers=0 must be between 1 and 64");
  }

  @Test
  void anUnknownCodecPrefixIsRefusedWithASuggestion() {
    assertRefused(sqlite().registerCodec(zstd()).codecOption("zstandard.level", "3"),
        "unknown option 'zstandard.level' for codecs identity, zstd; did you mean 'zstd.level'?"
            + " known options: [zstd.level]");
  }

  @Test
  void anInvalidOptionOfAnInstalledCodecIsRefusedEvenWhenAnotherCodecWrites() {
    assertRefused(sqlite().registerCodec(zstd()).codec("identity").codecOption("zstd.level", "99"),
        "invalid option for codec zstd: zstd.level=99 must be between -7 and 22");
  }

  @Test
  void optionsOfInstalledCodecsReachOnlyTheirOwnCodec() {
    StorageBuilder b = sqlite().registerCodec(zstd())
        .codec(FakePlugins.codec("lz", 73, Option.bool("lz.fast", false, "fast")))
        .codecOption("zstd.level", "6").codecOption("lz.fast", "true");

    assertThatCode(() -> b.open().close()).doesNotThrowAnyException();
  }

  @Test
  void anOptionOfACodecWithoutOptionsIsRefused() {
    assertRefused(sqlite().codecOption("identity.level", "1"),
        "unknown option 'identity.level' for codec identity; known options: none");
  }

  @Test
  void cacheSettingsWithoutACacheAreRefusedNamingEach() {
    assertThatThrownBy(sqlite().cacheOption("tiered.blockBytes", "256").cacheMaxHeapBytes(1 << 20)
        .cacheMaxOffHeapBytes(0).cacheExpireAfterWrite(Duration.ofMinutes(1))::open)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cacheMaxHeapBytes is set but no cache is configured")
        .hasMessageContaining("cacheMaxOffHeapBytes is set but no cache is configured")
        .hasMessageContaining("cache option 'tiered.blockBytes' is set but no cache is configured")
        .hasMessageContaining("cache expiry is set");
    assertThat(dir()).doesNotExist();
  }

  @Test
  void aCacheOptionIsCheckedAgainstTheCacheInUse() {
    StorageBuilder b = sqlite()
        .cache(FakePlugins.cache("offheap", Option.number("offheap.slabs", 1, 1, 8, "slabs")))
        .cache(FakePlugins.cache("tiered", Option.number("tiered.blockBytes", 128, 16, 65536, "b")))
        .cacheOption("tiered.blockByte", "256").cacheOption("offheap.slabs", "2");

    assertRefused(b, "unknown option 'offheap.slabs' for cache tiered; it is an option of cache"
        + " offheap, which is installed but not in use; known options: [tiered.blockBytes]"
        + "\nunknown option 'tiered.blockByte' for cache tiered; did you mean 'tiered.blockBytes'?"
        + " known options: [tiered.blockBytes]");
  }

  @Test
  void everyProblemOfEveryPluginIsReportedAtOnce() {
    StorageBuilder b = sqlite().registerCodec(zstd())
        .cache(FakePlugins.cache("tiered", Option.number("tiered.blockBytes", 128, 16, 65536, "b")))
        .backendOption("sqlite.readers", "0").codecOption("zstd.level", "0")
        .cacheOption("tiered.blockBytes", "8");

    assertRefused(b, "invalid option for backend sqlite: sqlite.readers=0 must be between 1 and 64"
        + "\ninvalid option for codec zstd: zstd.level=0 must not be 0"
        + "\ninvalid option for cache tiered: tiered.blockBytes=8 must be between 16 and 64k");
  }

  @Test
  void validOptionsOpenTheStore() {
    try (Storage s = sqlite().backendOption("sqlite.readers", "8").open()) {
      s.put("c", "k", "v");
    }
  }

  @Test
  void aPluginThatDeclaresNothingHasEveryOptionRefused() {
    assertRefused(Storage.builder().directory(dir()).backend(new MemoryBackendProvider())
            .backendOption("memory.size", "1"),
        "unknown option 'memory.size' for backend memory; known options: none");
  }

  @Test
  void aProviderDeclaringAnotherPluginsOptionsIsAPluginBug() {
    BackendProvider confused = new BackendProvider() {
      @Override
      public String name() {
        return "wrapper";
      }

      @Override
      public Set<Capability> capabilities() {
        return Set.of();
      }

      @Override
      public PluginOptions options() {
        return PluginOptions.backend("sqlite").build();
      }

      @Override
      public Backend open(BackendConfig config) {
        throw new AssertionError("not reached");
      }
    };

    assertThatThrownBy(Storage.builder().directory(dir()).backend(confused)::open)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("named 'wrapper'")
        .hasMessageContaining("must return the declaration of backend 'wrapper'");
  }
}
