package dev.cairn.conformance;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * A small run-length codec (id 100, a third-party id) registered only through
 * {@code META-INF/services}: the plug-in path a third-party author takes. Encoding: pairs of
 * (run length 1..255, byte).
 */
public final class RleCodecProvider implements CodecProvider {

  /** Required by ServiceLoader. */
  public RleCodecProvider() {}

  @Override
  public String name() {
    return "kit-rle";
  }

  @Override
  public byte id() {
    return 100;
  }

  @Override
  public Codec create(Map<String, String> options) {
    for (String k : options.keySet()) {
      if (k.startsWith("kit-rle.")) {
        throw new IllegalArgumentException("unknown option " + k);
      }
    }
    return new Rle();
  }

  private static final class Rle implements Codec {
    @Override
    public byte id() {
      return 100;
    }

    @Override
    public String name() {
      return "kit-rle";
    }

    @Override
    public byte[] encode(byte[] raw) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 16);
      int i = 0;
      while (i < raw.length) {
        int run = 1;
        while (run < 255 && i + run < raw.length && raw[i + run] == raw[i]) {
          run++;
        }
        out.write(run);
        out.write(raw[i]);
        i += run;
      }
      return out.toByteArray();
    }

    @Override
    public byte[] decode(byte[] encoded, int rawLength) {
      if (rawLength < 0) {
        throw new DataCorruptionException("negative raw length " + rawLength);
      }
      if (encoded.length % 2 != 0) {
        throw new DataCorruptionException("rle payload has an odd length " + encoded.length);
      }
      // size the output from the payload first: a forged raw length never drives allocation
      long total = 0;
      for (int i = 0; i < encoded.length; i += 2) {
        int run = encoded[i] & 0xFF;
        if (run == 0) {
          throw new DataCorruptionException("rle run of length 0 at " + i);
        }
        total += run;
      }
      if (total != rawLength) {
        throw new DataCorruptionException(
            "rle payload decodes to " + total + " bytes, expected " + rawLength);
      }
      byte[] out = new byte[rawLength];
      int pos = 0;
      for (int i = 0; i < encoded.length; i += 2) {
        int run = encoded[i] & 0xFF;
        java.util.Arrays.fill(out, pos, pos + run, encoded[i + 1]);
        pos += run;
      }
      return out;
    }
  }
}
