package dev.cairn.benchmarks;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * {@code byte[]} keys in unsigned (memcmp) order, as the backend's own key type orders them:
 * H2's {@code ByteArrayDataType} compares signed bytes.
 */
final class H2UnsignedBytes extends BasicDataType<byte[]> {
  static final H2UnsignedBytes INSTANCE = new H2UnsignedBytes();

  @Override
  public int getMemory(byte[] data) {
    return 24 + data.length;
  }

  @Override
  public void write(WriteBuffer buff, byte[] data) {
    buff.putVarInt(data.length);
    buff.put(data);
  }

  @Override
  public byte[] read(ByteBuffer buff) {
    byte[] data = new byte[DataUtils.readVarInt(buff)];
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
