package dev.cairn.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The one check the ceiling prototypes keep ({@link CeilingH2}, {@link CeilingLmdb},
 * {@link CeilingSqlite}): a value is stored followed by the CRC32C of its key and itself, and a
 * read checks it and hands out a copy, as Cairn's "every read fails on a damaged record" requires
 * at the least; and the collection prefix the read ceilings put before each key, as Cairn does.
 */
final class Sealing {

  /** The collection prefix of the read ceilings' keys ({@code bench} and a zero byte). */
  static final byte[] PREFIX = "bench\0".getBytes(StandardCharsets.UTF_8);

  private Sealing() {}

  /** {@code key} in UTF-8 behind {@link #PREFIX}. */
  static byte[] prefixed(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(PREFIX, PREFIX.length + k.length);
    System.arraycopy(k, 0, out, PREFIX.length, k.length);
    return out;
  }

  /** The key behind {@link #PREFIX} in {@code k}. */
  static String unprefixed(byte[] k) {
    return new String(k, PREFIX.length, k.length - PREFIX.length,
        StandardCharsets.UTF_8);
  }

  /** The value followed by the CRC32C of key and value. */
  static byte[] seal(byte[] key, byte[] value) {
    byte[] out = Arrays.copyOf(value, value.length + 4);
    ByteBuffer.wrap(out).putInt(value.length, crc(key, value, value.length));
    return out;
  }

  /** A copy of the value after checking its CRC32C. */
  static byte[] unseal(byte[] key, byte[] stored) {
    int n = stored.length - 4;
    if (ByteBuffer.wrap(stored).getInt(n) != crc(key, stored, n)) {
      throw new IllegalStateException("damaged record");
    }
    return Arrays.copyOf(stored, n);
  }

  /**
   * A copy of the value in {@code stored} (between its position and limit, e.g. the engine's own
   * memory) after checking its CRC32C over {@code key} (likewise) and the value; the buffers'
   * positions are left as they were. One pass over the value for the check, one for the copy.
   */
  static byte[] unseal(ByteBuffer key, ByteBuffer stored) {
    int n = stored.remaining() - 4;
    CRC32C c = new CRC32C();
    c.update(key.duplicate());
    ByteBuffer value = stored.duplicate();
    value.limit(value.position() + n);
    c.update(value);
    int expected = stored.duplicate().order(ByteOrder.BIG_ENDIAN)
        .getInt(stored.position() + n);
    if (expected != (int) c.getValue()) {
      throw new IllegalStateException("damaged record");
    }
    byte[] out = new byte[n];
    stored.get(stored.position(), out);
    return out;
  }

  private static int crc(byte[] key, byte[] value, int length) {
    CRC32C c = new CRC32C();
    c.update(key);
    c.update(value, 0, length);
    return (int) c.getValue();
  }
}
