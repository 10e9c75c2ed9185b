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

  /** A stable lower-case name, e.g. {@code zstd}. */
  String name();

  /**
   * The one-byte id written into every stored value. Ids are unique across providers: 0 is
   * {@code identity}, 1 snappy, 2 zstd; third parties use 64..127.
   */
  byte id();

  /** {@link Capability#DICTIONARIES} if the codec can train and use dictionaries. */
  default Set<Capability> capabilities() {
    return Set.of();
  }

  /**
   * Creates a codec with the given options (e.g. {@code zstd.level=3}); unknown options of the
   * provider's own prefix are an {@link IllegalArgumentException}.
   */
  Codec create(Map<String, String> options);
}
