package dev.cairn.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.internal.MemoryBackendProvider;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.PluginOptions;
import dev.cairn.storage.spi.PluginOptions.Option;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin written outside Cairn, against the public SPI only, that declares and reads its
 * options as the SPI's Javadoc says: its problems read exactly like the built-in plugins'.
 */
final class ThirdPartyPluginOptionsTest {

  /** As a third party would write it: declaration, {@code options()}, read in {@code open}. */
  static final class AcmeBackendProvider implements BackendProvider {
    static final Option<Long> SHARDS = Option.number("acme.shards", 4, 1, 16, "shard count");
    static final Option<Boolean> FSYNC = Option.bool("acme.fsync", true, "fsync on commit");
    static final PluginOptions OPTIONS =
        PluginOptions.backend("acme").add(SHARDS).add(FSYNC).build();

    private final BackendProvider storage = new MemoryBackendProvider();
    long shardsOpenedWith;

    @Override
    public String name() {
      return "acme";
    }

    @Override
    public Set<Capability> capabilities() {
      return storage.capabilities();
    }

    @Override
    public PluginOptions options() {
      return OPTIONS;
    }

    @Override
    public Backend open(BackendConfig config) {
      PluginOptions.Values options = OPTIONS.read(config.options());
      shardsOpenedWith = options.get(SHARDS);
      return storage.open(config);
    }
  }

  @TempDir Path dir;

  @Test
  void itsInvalidValuesReadLikeABuiltInPlugins() {
    AcmeBackendProvider acme = new AcmeBackendProvider();

    assertThatThrownBy(() -> Storage.builder().directory(dir).backend(acme)
        .backendOption("acme.shards", "0").backendOption("acme.fsync", "sometimes").open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid option for backend acme: acme.shards=0 must be between 1 and 16\n"
            + "invalid option for backend acme: acme.fsync=sometimes must be true or false");
  }

  @Test
  void itsUnknownKeysReadLikeABuiltInPlugins() {
    assertThatThrownBy(() -> Storage.builder().directory(dir).backend(new AcmeBackendProvider())
        .backendOption("acme.shard", "2").open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown option 'acme.shard' for backend acme; did you mean 'acme.shards'?"
            + " known options: [acme.shards, acme.fsync]");
  }

  @Test
  void calledDirectlyItReportsTheSameMessages() {
    BackendConfig config =
        new BackendConfig(dir, Set.of("records"), Map.of("acme.shards", "0"));

    assertThatThrownBy(() -> new AcmeBackendProvider().open(config))
        .hasMessage("invalid option for backend acme: acme.shards=0 must be between 1 and 16");
  }

  @Test
  void itsValidOptionsReachIt() {
    AcmeBackendProvider acme = new AcmeBackendProvider();
    try (Storage s = Storage.builder().directory(dir).backend(acme).noScheduledMaintenance()
        .backendOption("acme.shards", "8").open()) {
      s.put("c", "k", "v");
    }
    assertThat(acme.shardsOpenedWith).isEqualTo(8);
  }
}
