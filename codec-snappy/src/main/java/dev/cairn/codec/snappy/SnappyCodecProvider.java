package dev.cairn.codec.snappy;

import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import java.util.Map;
import java.util.Objects;

/**
 * The Snappy codec ({@code snappy}, id 1): fast, moderate ratio (about 2x on small JSON values).
 *
 * <p>A stored payload is a raw Snappy block followed by the CRC32C of that block (4 bytes,
 * little-endian). The checksum is verified before the block reaches native code, so corrupted or
 * truncated payloads raise {@link dev.cairn.storage.DataCorruptionException} instead of
 * returning wrong bytes or crashing the JVM. Decoding never allocates more than the recorded raw
 * length.
 *
 * <p>Snappy has no options ({@link #options()} declares none): any option is rejected.
 */
public final class SnappyCodecProvider implements CodecProvider {

  /** The codec id written into every stored value. */
  static final byte ID = 1;

  /** The codec name. */
  static final String NAME = "snappy";

  /** Creates the provider; found by {@link java.util.ServiceLoader} or passed explicitly. */
  public SnappyCodecProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte id() {
    return ID;
  }

  /**
   * The Snappy codec. It is stateless and thread-safe; every call may return the same instance.
   *
   * @throws IllegalArgumentException if {@code options} is not empty (Snappy has no options)
   */
  @Override
  public Codec create(Map<String, String> options) {
    Objects.requireNonNull(options, "options");
    options().read(options);
    return SnappyCodec.INSTANCE;
  }
}
