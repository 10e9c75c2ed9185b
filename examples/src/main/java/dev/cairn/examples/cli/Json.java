package dev.cairn.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.StorageStats;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** JSON output: plain maps and records, java.time values as ISO strings or milliseconds. */
final class Json {

  static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper COMPACT = new ObjectMapper();

  private Json() {}

  static String write(Object value, boolean pretty) {
    try {
      return (pretty ? MAPPER : COMPACT).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The bytes as a JSON tree if they are JSON, else empty. */
  static Optional<JsonNode> parse(byte[] bytes) {
    try {
      return Optional.ofNullable(COMPACT.readTree(bytes));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static Map<String, Object> metadata(RecordMetadata m) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("collection", m.collection());
    j.put("key", m.key());
    j.put("version", m.version());
    j.put("createdAt", m.createdAt().toString());
    j.put("updatedAt", m.updatedAt().toString());
    j.put("rawBytes", m.rawLength());
    j.put("storedBytes", m.storedLength());
    j.put("codec", m.codec());
    j.put("deduplicated", m.deduplicated());
    j.put("accessCount", m.accessCount());
    j.put("lastAccessedAt", m.lastAccessedAt().map(Object::toString).orElse(null));
    j.put("expiresAt", m.expiresAt().map(Object::toString).orElse(null));
    return j;
  }

  /**
   * Every component of the stats under its own name; the optional times as ISO strings or null
   * (the mapper has no module for {@code Optional} or {@code Instant}).
   */
  static Map<String, Object> stats(StorageStats s) {
    Map<String, Object> j = new LinkedHashMap<>();
    for (RecordComponent c : StorageStats.class.getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(s);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read stats component " + c.getName(), e);
      }
      j.put(c.getName(), v instanceof Optional<?> o ? o.map(Object::toString).orElse(null) : v);
    }
    return j;
  }

  static Map<String, Object> maintenance(MaintenanceReport r) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("successful", r.successful());
    j.put("startedAt", r.startedAt().toString());
    j.put("durationMillis", r.duration().toMillis());
    List<Map<String, Object>> steps = r.steps().stream().map(s -> {
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("name", s.name());
      step.put("outcome", s.outcome().name());
      step.put("durationMillis", s.duration().toMillis());
      step.put("detail", s.detail());
      step.put("bytesFreed", s.bytesFreed());
      step.put("error", s.error().orElse(null));
      return step;
    }).toList();
    j.put("steps", steps);
    return j;
  }
}
