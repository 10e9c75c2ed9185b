package dev.cairn.conformance;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import java.util.Arrays;
import java.util.Map;

/** Identity-like codecs with deliberate defects, which the kit must reject. */
final class BrokenCodecProvider implements CodecProvider {

  /** Deliberate defects. */
  enum Defect {
    /** decode returns the payload whatever raw length was asked for. */
    IGNORES_RAW_LENGTH,
    /**
     * decode allocates the claimed raw length before checking it (capped at 257 MiB only so
     * that the self-test does not trigger the build's heap dump on OutOfMemoryError; the kit
     * turns a real OutOfMemoryError into a test failure as well).
     */
    ALLOCATES_RAW_LENGTH
  }

  private final Defect defect;

  BrokenCodecProvider(Defect defect) {
    this.defect = defect;
  }

  @Override
  public String name() {
    return "broken-" + defect.name().toLowerCase().replace('_', '-');
  }

  @Override
  public byte id() {
    return (byte) (110 + defect.ordinal());
  }

  @Override
  public Codec create(Map<String, String> options) {
    return new Codec() {
      @Override
      public byte id() {
        return BrokenCodecProvider.this.id();
      }

      @Override
      public String name() {
        return BrokenCodecProvider.this.name();
      }

      @Override
      public byte[] encode(byte[] raw) {
        return raw.clone();
      }

      @Override
      public byte[] decode(byte[] encoded, int rawLength) {
        if (defect == Defect.IGNORES_RAW_LENGTH) {
          return encoded.clone();
        }
        byte[] out = new byte[Math.max(0, Math.min(rawLength, 257 << 20))];
        if (encoded.length != rawLength) {
          throw new DataCorruptionException("length mismatch");
        }
        System.arraycopy(encoded, 0, out, 0, rawLength);
        return Arrays.copyOf(out, rawLength);
      }
    };
  }
}
