package dev.cairn.storage.internal;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import java.util.Map;

/** The codec that stores bytes as they are (id 0). Always registered. */
public final class IdentityCodecProvider implements CodecProvider {

  /** The one identity codec. */
  public static final Codec CODEC = new Identity();

  @Override
  public String name() {
    return "identity";
  }

  @Override
  public byte id() {
    return 0;
  }

  @Override
  public Codec create(Map<String, String> options) {
    options().read(options); // declares none: any option is refused
    return CODEC;
  }

  private static final class Identity implements Codec {
    @Override
    public byte id() {
      return 0;
    }

    @Override
    public String name() {
      return "identity";
    }

    @Override
    public byte[] encode(byte[] raw) {
      return raw.clone();
    }

    @Override
    public byte[] decode(byte[] encoded, int rawLength) {
      if (encoded.length != rawLength) {
        throw new DataCorruptionException(
            "identity payload has " + encoded.length + " bytes, header says " + rawLength);
      }
      return encoded.clone();
    }
  }
}
