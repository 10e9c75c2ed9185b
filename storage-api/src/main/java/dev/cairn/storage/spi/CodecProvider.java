package dev.cairn.storage.spi;

import java.util.Map;
import java.util.Set;

/**
 * Creates {@link Codec}s. Found by {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.cairn.storage.spi.CodecProvider}) or passed explicitly. Every
 * provider found is registered for reading (so records written with any installed codec stay
 * readable); the one chosen by name is used for new writes.
 */
public interface CodecProvider {

  /** {@return a stable lower-case name, e.g. {@code zstd}} */
  String name();

  /**
   * The one-byte id written into every stored value. Ids are unique across providers: 0 is
   * {@code identity}, 1 snappy, 2 zstd; third parties use 64..127.
   *
   * @return the codec's id
   */
  byte id();

  /**
   * {@link Capability#DICTIONARIES} if the codec can train and use dictionaries.
   *
   * @return the codec's capabilities; none by default
   */
  default Set<Capability> capabilities() {
    return Set.of();
  }

  /**
   * The options this codec reads in {@link #create}: the engine refuses every codec option that
   * no installed codec declares, and validates the values, before it opens anything. Every
   * installed codec is in use (records written with it stay readable), so its options are
   * validated and passed to it even when another codec is chosen for new writes. See
   * {@link PluginOptions}.
   *
   * <p>The default declares none, so the engine refuses every option with this codec's prefix.
   * A codec that reads options must override this: a default that let through the keys of the
   * codec's prefix would let a misspelt or unsupported option pass unnoticed.
   *
   * @return the declaration of every option the codec reads
   */
  default PluginOptions options() {
    return PluginOptions.codec(name()).build();
  }

  /**
   * Creates a codec with the given options (e.g. {@code zstd.level=3}). The engine passes only
   * the keys with this codec's prefix, already checked against {@link #options()}; called
   * directly, an option the codec does not declare is an {@link IllegalArgumentException}.
   *
   * @param options option keys with this codec's prefix, and their values
   * @return a codec
   */
  Codec create(Map<String, String> options);
}
