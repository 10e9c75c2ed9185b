package dev.cairn.backend.h2;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * MVStore key type for {@code byte[]} ordered as unsigned bytes (memcmp). H2's own
 * {@code ByteArrayDataType} compares with {@link Arrays#compare(byte[], byte[])}, which is
 * signed: 0x80..0xFF would sort before 0x00.
 *
 * <p>The type is not recorded in the file; every open passes it again, so the on-disk format is
 * just H2's (var-int length, bytes).
 */
final class UnsignedBytesType extends BasicDataType<byte[]> {

  static final UnsignedBytesType INSTANCE = new UnsignedBytesType();

  /** Rough per-array overhead the page cache should account for besides the bytes. */
  private static final int ARRAY_OVERHEAD = 24;

  private UnsignedBytesType() {}

  @Override
  public int getMemory(byte[] data) {
    return ARRAY_OVERHEAD + data.length;
  }

  @Override
  public void write(WriteBuffer buff, byte[] data) {
    buff.putVarInt(data.length);
    buff.put(data);
  }

  @Override
  public byte[] read(ByteBuffer buff) {
    int size = DataUtils.readVarInt(buff);
    byte[] data = new byte[size];
    buff.get(data);
    return data;
  }

  @Override
  public byte[][] createStorage(int size) {
    return new byte[size][];
  }

  @Override
  public int compare(byte[] one, byte[] two) {
    return Arrays.compareUnsigned(one, two);
  }
}
