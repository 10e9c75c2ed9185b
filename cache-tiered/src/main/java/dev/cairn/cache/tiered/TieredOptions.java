package dev.cairn.cache.tiered;

import dev.cairn.storage.spi.PluginOptions;
import dev.cairn.storage.spi.PluginOptions.Option;
import java.util.Map;

/**
 * The {@code tiered.*} options of {@link dev.cairn.storage.spi.CacheConfig#options()}, declared
 * for the engine ({@link TieredCacheProvider#options()}) and read with that declaration.
 *
 * @param blockBytes L2 allocation unit (power of two, 16..65536; default 128)
 * @param slabBytes size of one direct buffer L2 reserves at a time (multiple of
 *     {@code blockBytes}, 64 KiB..1 GiB; default 4 MiB)
 * @param compress whether L2 compresses values with the store's codec (default true)
 */
record TieredOptions(int blockBytes, int slabBytes, boolean compress) {

  static final int DEFAULT_BLOCK_BYTES = 128;
  static final int DEFAULT_SLAB_BYTES = 4 << 20;

  static final Option<Long> BLOCK_BYTES = Option.number("tiered.blockBytes", DEFAULT_BLOCK_BYTES,
          16, 65536, "L2 allocation unit")
      .require(v -> Long.bitCount(v) == 1, "must be a power of two");
  static final Option<Long> SLAB_BYTES = Option.number("tiered.slabBytes", DEFAULT_SLAB_BYTES,
      64 << 10, 1 << 30, "size of one direct buffer L2 reserves at a time");
  static final Option<Boolean> COMPRESS =
      Option.bool("tiered.compress", true, "whether L2 compresses values with the codec");

  /** Every option, in documentation order. */
  static final PluginOptions DECLARATION = PluginOptions.cache(TieredCacheProvider.NAME)
      .add(BLOCK_BYTES).add(SLAB_BYTES).add(COMPRESS)
      .rule(SLAB_BYTES, v -> v.get(SLAB_BYTES) % v.get(BLOCK_BYTES) == 0 ? null
          : "must be a multiple of " + BLOCK_BYTES.key() + " (" + v.text(BLOCK_BYTES) + ")")
      .build();

  /**
   * Reads the options.
   *
   * @throws IllegalArgumentException naming every undeclared key and invalid value
   */
  static TieredOptions parse(Map<String, String> options) {
    PluginOptions.Values v = DECLARATION.read(options);
    return new TieredOptions(
        v.get(BLOCK_BYTES).intValue(), v.get(SLAB_BYTES).intValue(), v.get(COMPRESS));
  }
}
