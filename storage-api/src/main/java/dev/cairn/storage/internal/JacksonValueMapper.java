package dev.cairn.storage.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.storage.SerializationException;
import dev.cairn.storage.ValueMapper;
import java.io.IOException;

/** JSON through Jackson, the default {@link ValueMapper}. */
public final class JacksonValueMapper implements ValueMapper {

  /** The shared default instance. */
  public static final ValueMapper DEFAULT = new JacksonValueMapper(
      new ObjectMapper()
          .findAndRegisterModules() // jsr310 (a dependency) and any module the application adds
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS,
              false));

  private final ObjectMapper mapper;

  JacksonValueMapper(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public byte[] write(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new SerializationException(
          "cannot write " + value.getClass().getName() + " as JSON: " + e.getMessage(), e);
    }
  }

  @Override
  public <T> T read(byte[] bytes, Class<T> type) {
    try {
      return mapper.readValue(bytes, type);
    } catch (IOException e) {
      throw new SerializationException(
          "cannot read JSON as " + type.getName() + ": " + e.getMessage(), e);
    }
  }
}
