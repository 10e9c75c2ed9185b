package dev.cairn.storage.internal;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** A compressing codec for tests (the real ones live in their own modules). */
final class DeflateTestCodecProvider implements CodecProvider {

  @Override
  public String name() {
    return "deflate-test";
  }

  @Override
  public byte id() {
    return 99;
  }

  @Override
  public java.util.Set<dev.cairn.storage.spi.Capability> capabilities() {
    return java.util.Set.of(dev.cairn.storage.spi.Capability.DICTIONARIES);
  }

  @Override
  public Codec create(Map<String, String> options) {
    return codec(null);
  }

  /** Deflate with an optional preset dictionary (a crude stand-in for zstd's trained ones). */
  private static Codec codec(byte[] dictionary) {
    return new Codec() {
      @Override
      public byte id() {
        return 99;
      }

      @Override
      public String name() {
        return "deflate-test";
      }

      @Override
      public byte[] encode(byte[] raw) {
        Deflater d = new Deflater();
        if (dictionary != null) {
          d.setDictionary(dictionary);
        }
        d.setInput(raw);
        d.finish();
        byte[] buf = new byte[raw.length + 64];
        int n = d.deflate(buf);
        d.end();
        return java.util.Arrays.copyOf(buf, n);
      }

      @Override
      public byte[] decode(byte[] encoded, int rawLength) {
        Inflater i = new Inflater();
        i.setInput(encoded);
        byte[] out = new byte[rawLength];
        try {
          int n = rawLength == 0 ? 0 : i.inflate(out);
          if (n == 0 && i.needsDictionary()) {
            if (dictionary == null) {
              throw new DataCorruptionException("payload needs a dictionary");
            }
            i.setDictionary(dictionary);
            n = i.inflate(out);
          }
          if (n != rawLength || !i.finished()) {
            throw new DataCorruptionException("deflate payload does not decode to " + rawLength + " bytes");
          }
          return out;
        } catch (DataFormatException e) {
          throw new DataCorruptionException("bad deflate payload", e);
        } finally {
          i.end();
        }
      }

      @Override
      public byte[] trainDictionary(java.util.List<byte[]> samples, int maxBytes) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] s : samples) {
          if (out.size() + s.length > maxBytes) {
            break;
          }
          out.writeBytes(s);
        }
        return out.toByteArray();
      }

      @Override
      public Codec withDictionary(byte[] dict) {
        return codec(dict);
      }
    };
  }
}
