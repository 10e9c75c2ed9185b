package dev.cairn.storage.internal;

import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.CacheConfig;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import dev.cairn.storage.spi.PluginOptions;
import dev.cairn.storage.spi.PluginOptions.Option;
import dev.cairn.storage.spi.RecordCache;
import java.util.Map;
import java.util.Set;

/**
 * Plugins named like the real ones ({@code sqlite}, {@code zstd}, {@code tiered}) that declare
 * options and read them as a plugin should, over the in-memory test backend, an identity-like
 * codec and the map cache.
 */
final class FakePlugins {

  private FakePlugins() {}

  static BackendProvider backend(String name, Option<?>... options) {
    return backend(name, new MemoryBackendProvider().capabilities(), options);
  }

  /** As above, declaring {@code capabilities} instead of the in-memory backend's own. */
  static BackendProvider backend(String name, Set<Capability> capabilities,
      Option<?>... options) {
    PluginOptions declared = declare(PluginOptions.backend(name), options);
    BackendProvider memory = new MemoryBackendProvider();
    return new BackendProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Set<Capability> capabilities() {
        return capabilities;
      }

      @Override
      public PluginOptions options() {
        return declared;
      }

      @Override
      public Backend open(BackendConfig config) {
        declared.read(config.options());
        return memory.open(config);
      }
    };
  }

  static CodecProvider codec(String name, int id, Option<?>... options) {
    PluginOptions declared = declare(PluginOptions.codec(name), options);
    return new CodecProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public byte id() {
        return (byte) id;
      }

      @Override
      public PluginOptions options() {
        return declared;
      }

      @Override
      public Codec create(Map<String, String> given) {
        declared.read(given);
        return new Codec() {
          @Override
          public byte id() {
            return (byte) id;
          }

          @Override
          public String name() {
            return name;
          }

          @Override
          public byte[] encode(byte[] raw) {
            return raw.clone();
          }

          @Override
          public byte[] decode(byte[] encoded, int rawLength) {
            return encoded.clone();
          }
        };
      }
    };
  }

  static CacheProvider cache(String name, Option<?>... options) {
    PluginOptions declared = declare(PluginOptions.cache(name), options);
    CacheProvider map = new MapCacheProvider();
    return new CacheProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Set<Capability> capabilities() {
        return map.capabilities();
      }

      @Override
      public PluginOptions options() {
        return declared;
      }

      @Override
      public RecordCache create(CacheConfig config) {
        declared.read(config.options());
        return map.create(config);
      }
    };
  }

  private static PluginOptions declare(PluginOptions.Builder b, Option<?>... options) {
    for (Option<?> o : options) {
      b.add(o);
    }
    return b.build();
  }
}
