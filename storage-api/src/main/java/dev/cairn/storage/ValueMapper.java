package dev.cairn.storage;

import dev.cairn.storage.internal.JacksonValueMapper;

/**
 * Turns typed values into bytes and back, for {@link Storage#put(String, String, Object)} and
 * {@link Storage#get(String, String, Class)}. The default maps to JSON with Jackson; plug any
 * other format (Protobuf, CBOR, Kryo...) with {@link StorageBuilder#valueMapper(ValueMapper)}.
 *
 * <p>Implementations must be thread-safe. Failures should be reported as
 * {@link SerializationException}; any other runtime exception is wrapped into one.
 */
public interface ValueMapper {

  /**
   * Serialises {@code value} (never {@code null}) to bytes.
   *
   * @param value the value to store
   * @return its bytes
   */
  byte[] write(Object value);

  /**
   * Deserialises {@code bytes} into an instance of {@code type}. The array must not be modified
   * or kept: on a cache hit it is the cache's own copy of the value, read without copying.
   *
   * @param <T> the type to map to
   * @param bytes the stored bytes
   * @param type the class to map to
   * @return the value
   */
  <T> T read(byte[] bytes, Class<T> type);

  /**
   * The default mapper: JSON through a Jackson {@code ObjectMapper} with modules auto-found.
   *
   * @return the JSON mapper, shared
   */
  static ValueMapper json() {
    return JacksonValueMapper.DEFAULT;
  }
}
