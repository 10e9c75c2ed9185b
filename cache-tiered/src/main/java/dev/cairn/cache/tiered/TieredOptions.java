package dev.cairn.cache.tiered;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code tiered.*} options of {@link dev.cairn.storage.spi.CacheConfig#options()}.
 *
 * @param blockBytes L2 allocation unit (power of two, 16..65536; default 128)
 * @param slabBytes size of one direct buffer L2 reserves at a time (multiple of
 *     {@code blockBytes}, 64 KiB..1 GiB; default 4 MiB)
 * @param compress whether L2 compresses values with the store's codec (default true)
 */
record TieredOptions(int blockBytes, int slabBytes, boolean compress) {

  static final String PREFIX = "tiered.";
  static final String BLOCK_BYTES = "tiered.blockBytes";
  static final String SLAB_BYTES = "tiered.slabBytes";
  static final String COMPRESS = "tiered.compress";
  static final Set<String> KNOWN = Set.of(BLOCK_BYTES, SLAB_BYTES, COMPRESS);

  static final int DEFAULT_BLOCK_BYTES = 128;
  static final int DEFAULT_SLAB_BYTES = 4 << 20;

  /**
   * Parses the options; keys not starting with {@code tiered.} are ignored.
   *
   * @throws IllegalArgumentException naming every unknown or invalid {@code tiered.*} option
   */
  static TieredOptions parse(Map<String, String> options) {
    List<String> errors = new ArrayList<>();
    for (String name : options.keySet()) {
      if (name.startsWith(PREFIX) && !KNOWN.contains(name)) {
        errors.add("unknown option " + name + " (known: " + String.join(", ", KNOWN) + ")");
      }
    }
    int block = intOption(options, BLOCK_BYTES, DEFAULT_BLOCK_BYTES, errors);
    if (block < 16 || block > 65536 || Integer.bitCount(block) != 1) {
      errors.add(BLOCK_BYTES + " must be a power of two between 16 and 65536: " + block);
    }
    int slab = intOption(options, SLAB_BYTES, DEFAULT_SLAB_BYTES, errors);
    if (slab < (64 << 10) || slab > (1 << 30)) {
      errors.add(SLAB_BYTES + " must be between 65536 and 1073741824: " + slab);
    } else if (block > 0 && slab % block != 0) {
      errors.add(SLAB_BYTES + " must be a multiple of " + BLOCK_BYTES + ": " + slab);
    }
    boolean compress = true;
    String c = options.get(COMPRESS);
    if (c != null) {
      if (c.equalsIgnoreCase("true") || c.equalsIgnoreCase("false")) {
        compress = Boolean.parseBoolean(c);
      } else {
        errors.add(COMPRESS + " must be true or false: " + c);
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid cache options: " + String.join("; ", errors));
    }
    return new TieredOptions(block, slab, compress);
  }

  private static int intOption(
      Map<String, String> options, String name, int defaultValue, List<String> errors) {
    String value = options.get(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      errors.add(name + " must be an integer: " + value);
      return defaultValue;
    }
  }
}
