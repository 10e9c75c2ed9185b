package dev.cairn.examples;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * A third-party codec plugin in one class: PackBits-style run-length encoding. It is what a
 * plugin author writes — a {@link CodecProvider} with a unique name and an id in the
 * third-party range 64..127 — and what {@code RunLengthCodecConformanceTest} proves with the
 * conformance kit. It is registered explicitly ({@code StorageBuilder.codec(new
 * RunLengthCodecProvider())}), not through {@code META-INF/services}, so it never changes which
 * codecs other stores on the class path see.
 *
 * <p>Format: a sequence of runs. A control byte {@code c} in 0..127 is followed by {@code c + 1}
 * literal bytes; a control byte in 128..255 is followed by one byte repeated {@code c - 125}
 * times (3..130). Random data grows by under 1% (the engine then keeps it raw); long runs of
 * one byte shrink up to 65 times.
 */
public final class RunLengthCodecProvider implements CodecProvider {

  /** The name users select this codec by. */
  public static final String NAME = "example-rle";
  /** The id written into every value it encodes (third-party range 64..127). */
  public static final byte ID = 77;

  private static final int MIN_RUN = 3;
  private static final int MAX_RUN = 130;
  private static final int MAX_LITERAL = 128;

  /** Creates the provider. */
  public RunLengthCodecProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte id() {
    return ID;
  }

  @Override
  public Codec create(Map<String, String> options) {
    for (String key : options.keySet()) {
      if (key.startsWith(NAME + ".")) {
        throw new IllegalArgumentException("unknown option " + key + ": " + NAME + " has none");
      }
    }
    return new RunLengthCodec();
  }

  /** Stateless, hence thread-safe. */
  private static final class RunLengthCodec implements Codec {

    @Override
    public byte id() {
      return ID;
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public byte[] encode(byte[] raw) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + raw.length / 128 + 1);
      int i = 0;
      int literalStart = 0;
      while (i < raw.length) {
        int run = 1;
        while (i + run < raw.length && run < MAX_RUN && raw[i + run] == raw[i]) {
          run++;
        }
        if (run >= MIN_RUN) {
          flushLiterals(raw, literalStart, i, out);
          out.write(run + 125);
          out.write(raw[i]);
          i += run;
          literalStart = i;
        } else {
          i += run;
        }
      }
      flushLiterals(raw, literalStart, raw.length, out);
      return out.toByteArray();
    }

    private static void flushLiterals(byte[] raw, int from, int to, ByteArrayOutputStream out) {
      for (int start = from; start < to; start += MAX_LITERAL) {
        int n = Math.min(MAX_LITERAL, to - start);
        out.write(n - 1);
        out.write(raw, start, n);
      }
    }

    /**
     * Two passes: the first walks the control bytes and sums the output length without
     * allocating anything, so a forged {@code rawLength} is rejected before any allocation.
     */
    @Override
    public byte[] decode(byte[] encoded, int rawLength) {
      if (rawLength < 0) {
        throw new DataCorruptionException(NAME + ": negative raw length " + rawLength);
      }
      long total = 0;
      int i = 0;
      while (i < encoded.length) {
        int c = encoded[i] & 0xFF;
        if (c < MAX_LITERAL) {
          total += c + 1;
          i += c + 2;
        } else {
          total += c - 125;
          i += 2;
        }
        if (i > encoded.length) {
          throw new DataCorruptionException(NAME + ": truncated run at byte " + encoded.length);
        }
        if (total > rawLength) {
          break;
        }
      }
      if (total != rawLength) {
        throw new DataCorruptionException(
            NAME + ": encoding does not decode to the recorded " + rawLength + " bytes");
      }
      byte[] out = new byte[rawLength];
      int o = 0;
      i = 0;
      while (i < encoded.length) {
        int c = encoded[i++] & 0xFF;
        if (c < MAX_LITERAL) {
          System.arraycopy(encoded, i, out, o, c + 1);
          i += c + 1;
          o += c + 1;
        } else {
          java.util.Arrays.fill(out, o, o + c - 125, encoded[i++]);
          o += c - 125;
        }
      }
      return out;
    }
  }
}
