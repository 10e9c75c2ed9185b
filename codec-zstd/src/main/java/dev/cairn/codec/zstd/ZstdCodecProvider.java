package dev.cairn.codec.zstd;

import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import dev.cairn.storage.spi.PluginOptions;
import dev.cairn.storage.spi.PluginOptions.Option;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The Zstandard codec ({@code zstd}, id 2), with trained dictionaries
 * ({@link Capability#DICTIONARIES}).
 *
 * <p>Payloads are standard zstd frames that always declare their content size and carry zstd's
 * content checksum, so a truncated or corrupted payload raises
 * {@link dev.cairn.storage.DataCorruptionException} instead of returning wrong bytes. Decoding
 * checks the frame's declared size against the recorded raw length before allocating, and never
 * allocates more than that length.
 *
 * <p>Options (declared by {@link #options()}; any other key is rejected):
 *
 * <ul>
 *   <li>{@code zstd.level} — compression level, {@value #MIN_LEVEL}..{@value #MAX_LEVEL} without
 *       0 (negative levels are zstd's fast modes); default {@value #DEFAULT_LEVEL}.
 * </ul>
 *
 * <p>Dictionaries: {@link Codec#trainDictionary} trains one, {@link Codec#withDictionary} returns
 * a codec of the same id that compresses with it. The engine stores dictionaries; this codec only
 * trains and uses them. Each frame records the id of the dictionary it needs, and decoding with a
 * missing or different dictionary fails with {@code DataCorruptionException}.
 *
 * <p>Native resources: compression and decompression contexts are kept per thread and reused
 * (a fresh context per call is several times slower on small values). They are freed when their
 * thread ends (after the next garbage collection); see the module README.
 */
public final class ZstdCodecProvider implements CodecProvider {

  /** The option naming the compression level. */
  public static final String LEVEL_OPTION = "zstd.level";

  /** The level used when {@link #LEVEL_OPTION} is not set. */
  public static final int DEFAULT_LEVEL = 3;

  /** The fastest accepted level (zstd's negative "fast" levels). */
  public static final int MIN_LEVEL = -7;

  /** The strongest accepted level. */
  public static final int MAX_LEVEL = 22;

  static final byte ID = 2;
  static final String NAME = "zstd";

  private static final Option<Long> LEVEL = Option.number(LEVEL_OPTION, DEFAULT_LEVEL, MIN_LEVEL,
          MAX_LEVEL, "compression level; negative levels are zstd's fast modes")
      .require(level -> level != 0, "must not be 0");
  private static final PluginOptions OPTIONS = PluginOptions.codec(NAME).add(LEVEL).build();

  /** Creates the provider; found by {@link java.util.ServiceLoader} or passed explicitly. */
  public ZstdCodecProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte id() {
    return ID;
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.DICTIONARIES);
  }

  /** {@value #LEVEL_OPTION}; see the module README. */
  @Override
  public PluginOptions options() {
    return OPTIONS;
  }

  /**
   * A zstd codec with the given options.
   *
   * @throws IllegalArgumentException if {@code zstd.level} is not an integer in the valid range, or
   *     an option not declared by {@link #options()} is present
   */
  @Override
  public Codec create(Map<String, String> options) {
    Objects.requireNonNull(options, "options");
    return new ZstdCodec(OPTIONS.read(options).get(LEVEL).intValue(), null);
  }
}
