package dev.cairn.storage.internal;

import dev.cairn.storage.Bytes;
import dev.cairn.storage.SerializationException;
import dev.cairn.storage.ValueMapper;
import dev.cairn.storage.ValueTooLargeException;
import java.util.Objects;

/**
 * Turns the values callers put into the bytes stored, and stored bytes back into the type
 * callers ask for, through the configured {@link ValueMapper}; a {@link Bytes} is not mapped
 * but stored and read as is. Any failure of the mapper becomes a
 * {@link SerializationException}. Also enforces {@code maxValueBytes}.
 *
 * <p>Threading: stateless; any thread may call it (the mapper must be thread-safe, as
 * {@link ValueMapper} requires).
 */
final class ValueMapping {

  private final StorageConfig config;

  ValueMapping(StorageConfig config) {
    this.config = config;
  }

  /** Maps stored bytes to {@code type}; {@link Bytes} is not mapped but wraps them. */
  <T> T read(byte[] bytes, Class<T> type) {
    if (type == Bytes.class) {
      return type.cast(BytesAccess.wrap(bytes));
    }
    try {
      return config.valueMapper().read(bytes, type);
    } catch (SerializationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SerializationException("cannot map stored bytes to " + type.getName() + ": " + e, e);
    }
  }

  /** Maps a value to bytes; {@link Bytes} is not mapped but stored as is. */
  byte[] write(Object value) {
    Objects.requireNonNull(value, "value");
    if (value instanceof Bytes b) {
      return BytesAccess.array(b);
    }
    try {
      return config.valueMapper().write(value);
    } catch (SerializationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SerializationException(
          "cannot map " + value.getClass().getName() + " to bytes: " + e, e);
    }
  }

  /** {@code value} mapped ({@link #write}) and size-checked ({@link #checkSize}): ready to store. */
  byte[] mapped(Object value) {
    byte[] bytes = write(value);
    checkSize(bytes);
    return bytes;
  }

  /** Raw bytes checked (not null, {@link #checkSize}): ready to store; not copied. */
  byte[] checked(byte[] value) {
    Objects.requireNonNull(value, "value");
    checkSize(value);
    return value;
  }

  /** Refuses a value longer than {@code maxValueBytes}. */
  void checkSize(byte[] value) {
    if (value.length > config.maxValueBytes()) {
      throw new ValueTooLargeException("value of " + value.length
          + " bytes exceeds the maximum of " + config.maxValueBytes() + " bytes");
    }
  }
}
