package dev.cairn.codec.snappy;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.ValueTooLargeException;
import dev.cairn.storage.spi.Codec;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyError;

/**
 * Raw Snappy block + CRC32C trailer. Stateless apart from a per-thread scratch array for the
 * compressor's worst-case output.
 *
 * <p>Why every check in {@link #decode} exists: snappy-java's {@code uncompress(byte[], ..)}
 * writes as many bytes as the block's own length header declares into the output array, without
 * comparing that with the array's size (xerial/snappy-java#728, #734), so a corrupted header would
 * overflow the Java heap from native code. We therefore verify the checksum first (corrupted bytes
 * never reach native code), parse the length header in Java, require it to equal the recorded raw
 * length, and only then allocate exactly that many bytes.
 */
final class SnappyCodec implements Codec {

  static final SnappyCodec INSTANCE = new SnappyCodec();

  static final int CHECKSUM_BYTES = 4;

  /**
   * An upper bound on how many raw bytes one block byte can describe. The densest Snappy element
   * is a 3-byte copy of 64 bytes (ratio 21.3); 32 leaves a margin. A header claiming more than this
   * is corrupt, whatever the recorded raw length says.
   */
  private static final long MAX_EXPANSION = 32;

  /** Larger inputs would overflow Snappy's int-sized worst-case output bound. */
  static final int MAX_INPUT_BYTES = (int) ((Integer.MAX_VALUE - 64L - CHECKSUM_BYTES) * 6 / 7);

  /** Scratch arrays up to this size are kept per thread; larger ones are allocated per call. */
  private static final int MAX_RETAINED_SCRATCH = 256 * 1024;

  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

  private SnappyCodec() {}

  @Override
  public byte id() {
    return SnappyCodecProvider.ID;
  }

  @Override
  public String name() {
    return SnappyCodecProvider.NAME;
  }

  @Override
  public byte[] encode(byte[] raw) {
    Objects.requireNonNull(raw, "raw");
    if (raw.length > MAX_INPUT_BYTES) {
      throw new ValueTooLargeException(
          "snappy cannot compress " + raw.length + " bytes (at most " + MAX_INPUT_BYTES + ")");
    }
    int capacity = maxCompressedLength(raw.length) + CHECKSUM_BYTES;
    byte[] out = scratch(capacity);
    int blockLength;
    try {
      blockLength = Snappy.compress(raw, 0, raw.length, out, 0);
    } catch (IOException | SnappyError e) {
      throw new IllegalStateException("snappy failed to compress " + raw.length + " bytes", e);
    }
    writeIntLe(out, blockLength, crc32c(out, blockLength));
    return Arrays.copyOf(out, blockLength + CHECKSUM_BYTES);
  }

  @Override
  public byte[] decode(byte[] encoded, int rawLength) {
    Objects.requireNonNull(encoded, "encoded");
    if (rawLength < 0) {
      throw new DataCorruptionException("snappy: recorded raw length " + rawLength + " is negative");
    }
    int blockLength = encoded.length - CHECKSUM_BYTES;
    if (blockLength < 1) {
      throw new DataCorruptionException(
          "snappy payload of " + encoded.length + " bytes is truncated (at least "
              + (CHECKSUM_BYTES + 1) + " expected)");
    }
    int stored = readIntLe(encoded, blockLength);
    int actual = crc32c(encoded, blockLength);
    if (stored != actual) {
      throw new DataCorruptionException(
          "snappy payload of " + encoded.length + " bytes fails its CRC32C (stored "
              + Integer.toHexString(stored) + ", computed " + Integer.toHexString(actual)
              + "): truncated or corrupted");
    }
    long declared = readLengthHeader(encoded, blockLength);
    if (declared < 0) {
      throw new DataCorruptionException("snappy block has a malformed length header");
    }
    if (declared != rawLength) {
      throw new DataCorruptionException(
          "snappy block declares " + declared + " raw bytes but the record says " + rawLength);
    }
    if (rawLength > blockLength * MAX_EXPANSION) {
      throw new DataCorruptionException(
          "snappy block of " + blockLength + " bytes cannot expand to " + rawLength + " bytes");
    }
    byte[] out = new byte[rawLength];
    if (rawLength == 0) {
      if (blockLength != 1) {
        throw new DataCorruptionException("snappy block for an empty value has trailing bytes");
      }
      return out;
    }
    int produced;
    try {
      produced = Snappy.uncompress(encoded, 0, blockLength, out, 0);
    } catch (IOException | SnappyError e) {
      throw new DataCorruptionException(
          "snappy block of " + blockLength + " bytes does not decode: " + e.getMessage(), e);
    }
    if (produced != rawLength) {
      throw new DataCorruptionException(
          "snappy block decoded to " + produced + " bytes, expected " + rawLength);
    }
    return out;
  }

  /** Snappy's documented worst case: {@code 32 + n + n / 6}. Computed here to skip a JNI call. */
  static int maxCompressedLength(int n) {
    return 32 + n + n / 6;
  }

  /**
   * Parses the block's little-endian base-128 length header (at most 5 bytes, value below 2^32).
   *
   * @return the declared raw length, or -1 if the header is malformed or runs past {@code limit}
   */
  static long readLengthHeader(byte[] block, int limit) {
    long value = 0;
    for (int i = 0; i < 5 && i < limit; i++) {
      int b = block[i] & 0xFF;
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        return value <= 0xFFFF_FFFFL ? value : -1;
      }
    }
    return -1;
  }

  private static byte[] scratch(int capacity) {
    byte[] scratch = SCRATCH.get();
    if (scratch.length >= capacity) {
      return scratch;
    }
    byte[] fresh = new byte[capacity];
    if (capacity <= MAX_RETAINED_SCRATCH) {
      SCRATCH.set(fresh);
    }
    return fresh;
  }

  private static int crc32c(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  private static void writeIntLe(byte[] bytes, int offset, int value) {
    bytes[offset] = (byte) value;
    bytes[offset + 1] = (byte) (value >>> 8);
    bytes[offset + 2] = (byte) (value >>> 16);
    bytes[offset + 3] = (byte) (value >>> 24);
  }

  private static int readIntLe(byte[] bytes, int offset) {
    return (bytes[offset] & 0xFF)
        | (bytes[offset + 1] & 0xFF) << 8
        | (bytes[offset + 2] & 0xFF) << 16
        | (bytes[offset + 3] & 0xFF) << 24;
  }
}
