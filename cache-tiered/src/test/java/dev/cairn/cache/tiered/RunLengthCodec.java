package dev.cairn.cache.tiered;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.Codec;
import java.io.ByteArrayOutputStream;

/** A trivial run-length codec (pairs of count, byte) to exercise L2's compressed path. */
final class RunLengthCodec implements Codec {

  static final RunLengthCodec INSTANCE = new RunLengthCodec();

  @Override
  public byte id() {
    return 99;
  }

  @Override
  public String name() {
    return "test-rle";
  }

  @Override
  public byte[] encode(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < raw.length) {
      int run = 1;
      while (i + run < raw.length && raw[i + run] == raw[i] && run < 255) {
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
    byte[] raw = new byte[rawLength];
    int o = 0;
    for (int i = 0; i + 1 < encoded.length; i += 2) {
      int run = encoded[i] & 0xff;
      if (o + run > rawLength) {
        throw new DataCorruptionException("run-length data longer than " + rawLength);
      }
      java.util.Arrays.fill(raw, o, o + run, encoded[i + 1]);
      o += run;
    }
    if (o != rawLength || encoded.length % 2 != 0) {
      throw new DataCorruptionException("run-length data decodes to " + o + " bytes");
    }
    return raw;
  }
}
