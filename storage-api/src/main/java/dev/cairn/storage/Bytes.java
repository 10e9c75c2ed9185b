package dev.cairn.storage;

import dev.cairn.storage.internal.BytesAccess;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable sequence of bytes: a stored value as {@link Storage#getValue(String, String)}
 * returns it.
 *
 * <p>A {@code Bytes} read from a store may share memory with the read cache: nothing was copied
 * to make it, and nothing can change it. Every way out of it ({@link #toByteArray()},
 * {@link #copyTo(byte[], int)}, {@link #asReadOnlyBuffer()}) either copies or is read-only, so
 * one caller cannot change what another reads.
 *
 * <p>Equality is by content. Passed to {@link Storage#put(String, String, Object)} (or a
 * transaction's {@code put}) a {@code Bytes} is stored as is, not mapped by the
 * {@link ValueMapper}, and {@code get(collection, key, Bytes.class)} reads it back the same way.
 */
public final class Bytes {

  static {
    BytesAccess.register(Bytes::new, b -> b.bytes);
  }

  /** The empty sequence. */
  public static final Bytes EMPTY = new Bytes(new byte[0]);

  private final byte[] bytes;
  private int hash; // 0 until computed, as in String

  private Bytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * A copy of {@code bytes}: changing the array afterwards does not change the result.
   *
   * @param bytes the bytes to copy
   * @return an immutable copy
   */
  public static Bytes copyOf(byte[] bytes) {
    return new Bytes(bytes.clone());
  }

  /**
   * A copy of {@code length} bytes of {@code bytes} from {@code offset}.
   *
   * @param bytes the array holding the bytes to copy
   * @param offset the index of the first byte to copy
   * @param length how many bytes to copy
   * @return an immutable copy
   * @throws IndexOutOfBoundsException if the range is not within the array
   */
  public static Bytes copyOf(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    return new Bytes(Arrays.copyOfRange(bytes, offset, offset + length));
  }

  /** {@return the number of bytes} */
  public int length() {
    return bytes.length;
  }

  /** {@return whether the length is 0 (an empty value is a valid value, not an absent one)} */
  public boolean isEmpty() {
    return bytes.length == 0;
  }

  /**
   * The byte at {@code index}.
   *
   * @param index 0 to {@code length() - 1}
   * @return the byte
   * @throws IndexOutOfBoundsException unless {@code 0 <= index < length()}
   */
  public byte byteAt(int index) {
    return bytes[Objects.checkIndex(index, bytes.length)];
  }

  /** {@return a new array with the bytes: the caller's to keep and modify} */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /**
   * Copies all bytes into {@code target} from {@code targetOffset}.
   *
   * @param target the array to copy into
   * @param targetOffset the index in {@code target} of the first byte copied
   * @throws IndexOutOfBoundsException if they do not fit
   */
  public void copyTo(byte[] target, int targetOffset) {
    Objects.checkFromIndexSize(targetOffset, bytes.length, target.length);
    System.arraycopy(bytes, 0, target, targetOffset, bytes.length);
  }

  /**
   * {@return a new read-only buffer over the bytes (no copy), position 0 and limit
   * {@link #length()}} The caller may move its position and limit; that changes no other buffer.
   */
  public ByteBuffer asReadOnlyBuffer() {
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  /**
   * The bytes decoded as text in {@code charset} (malformed input is replaced).
   *
   * @param charset the encoding of the bytes
   * @return the decoded text
   */
  public String toString(Charset charset) {
    return new String(bytes, charset);
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof Bytes other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = Arrays.hashCode(bytes);
      hash = h; // racy but idempotent, as String.hashCode
    }
    return h;
  }

  /** The length and up to the first 32 bytes in hex, for logs. */
  @Override
  public String toString() {
    int shown = Math.min(bytes.length, 32);
    return "Bytes[length=" + bytes.length + ", "
        + HexFormat.of().formatHex(bytes, 0, shown) + (shown < bytes.length ? "...]" : "]");
  }
}
