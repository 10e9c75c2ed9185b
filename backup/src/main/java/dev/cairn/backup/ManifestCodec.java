package dev.cairn.backup;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.backup.BackupManifest.FileEntry;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes and strictly reads {@code manifest.json}. Reading rejects: a missing or foreign
 * {@code format} marker (so only sets this module created are ever touched), a newer format
 * version, missing fields, and file or entry names that are not safe relative paths.
 */
final class ManifestCodec {

  static final String MARKER = "cairn-backup";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The manifest could not be used; the message says why. */
  static final class InvalidManifestException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidManifestException(String message) {
      super(message);
    }
  }

  private ManifestCodec() {}

  static byte[] write(BackupManifest m) {
    ObjectNode n = JSON.createObjectNode();
    n.put("format", MARKER);
    n.put("formatVersion", m.formatVersion());
    n.put("setId", m.setId());
    n.put("storeId", m.storeId());
    n.put("backend", m.backend());
    n.put("kind", m.kind().name());
    n.put("createdAt", m.createdAt().toString());
    n.put("durationMillis", m.durationMillis());
    n.put("records", m.records());
    n.put("blobs", m.blobs());
    n.put("rawBytes", m.rawBytes());
    n.put("storedBytes", m.storedBytes());
    ArrayNode parents = n.putArray("parents");
    m.parents().forEach(parents::add);
    writeFiles(n.putArray("files"), m.files());
    writeFiles(n.putArray("entries"), m.entries());
    try {
      return JSON.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write manifest", e);
    }
  }

  private static void writeFiles(ArrayNode a, List<FileEntry> files) {
    for (FileEntry f : files) {
      ObjectNode o = a.addObject();
      o.put("name", f.name());
      o.put("size", f.size());
      o.put("sha256", f.sha256());
    }
  }

  static BackupManifest read(byte[] bytes, String expectedSetId) throws InvalidManifestException {
    JsonNode n;
    try {
      n = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      // Jackson's message repeats "[Source: ...; line: .., column: ..]" and spans lines
      String what = e.getOriginalMessage().replaceAll("\\s*\\([^()]*\\[Source:[^\\]]*\\][^()]*\\)", "");
      JsonLocation at = e.getLocation();
      throw new InvalidManifestException("not valid JSON"
          + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
          + ": " + what);
    } catch (IOException e) {
      throw new InvalidManifestException("not valid JSON: " + e.getMessage());
    }
    if (n == null || !n.isObject()) {
      throw new InvalidManifestException("not a JSON object");
    }
    if (!MARKER.equals(text(n, "format", false))) {
      throw new InvalidManifestException("not a Cairn backup manifest (format marker missing)");
    }
    int version = (int) number(n, "formatVersion");
    if (version < 1 || version > BackupManifest.FORMAT_VERSION) {
      throw new InvalidManifestException("format version " + version
          + " is not supported (this version of cairn-backup reads 1.."
          + BackupManifest.FORMAT_VERSION + ")");
    }
    String setId = text(n, "setId", true);
    if (!SetIds.valid(setId)) {
      throw new InvalidManifestException("set id is malformed: " + setId);
    }
    if (expectedSetId != null && !expectedSetId.equals(setId)) {
      throw new InvalidManifestException("manifest names set " + setId + " but is stored as "
          + expectedSetId);
    }
    BackupKind kind;
    try {
      kind = BackupKind.valueOf(text(n, "kind", true));
    } catch (IllegalArgumentException e) {
      throw new InvalidManifestException("unknown kind " + n.get("kind"));
    }
    Instant created;
    try {
      created = Instant.parse(text(n, "createdAt", true));
    } catch (DateTimeParseException e) {
      throw new InvalidManifestException("createdAt is not an ISO-8601 instant");
    }
    List<String> parents = new ArrayList<>();
    JsonNode p = n.get("parents");
    if (p != null && !p.isNull()) {
      if (!p.isArray()) {
        throw new InvalidManifestException("parents is not an array");
      }
      for (JsonNode e : p) {
        if (!e.isTextual() || !SetIds.valid(e.asText())) {
          throw new InvalidManifestException("parent id is malformed: " + e);
        }
        parents.add(e.asText());
      }
    }
    if (kind == BackupKind.INCREMENTAL && parents.isEmpty()) {
      throw new InvalidManifestException("incremental set names no parents");
    }
    if (kind != BackupKind.INCREMENTAL && !parents.isEmpty()) {
      throw new InvalidManifestException(kind + " set names parents");
    }
    String backend = text(n, "backend", true);
    if (!backend.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new InvalidManifestException("backend name is malformed: " + backend);
    }
    return new BackupManifest(setId, text(n, "storeId", true), backend, kind, version, created,
        number(n, "durationMillis"), number(n, "records"), number(n, "blobs"),
        number(n, "rawBytes"), number(n, "storedBytes"), parents, files(n, "files"),
        files(n, "entries"));
  }

  private static List<FileEntry> files(JsonNode n, String field) throws InvalidManifestException {
    JsonNode a = n.get(field);
    List<FileEntry> out = new ArrayList<>();
    if (a == null || a.isNull()) {
      return out;
    }
    if (!a.isArray()) {
      throw new InvalidManifestException(field + " is not an array");
    }
    Set<String> seen = new HashSet<>();
    for (JsonNode e : a) {
      String name = text(e, "name", true);
      String problem = SafeNames.problem(name);
      if (problem != null) {
        throw new InvalidManifestException(field + " entry escapes the set or target directory: "
            + problem);
      }
      if (!seen.add(name)) {
        throw new InvalidManifestException(field + " lists " + name + " twice");
      }
      long size = number(e, "size");
      String sha = text(e, "sha256", true);
      if (!SHA256.matcher(sha).matches()) {
        throw new InvalidManifestException(field + " entry " + name + " has a malformed sha256");
      }
      out.add(new FileEntry(name, size, sha));
    }
    return out;
  }

  private static String text(JsonNode n, String field, boolean required)
      throws InvalidManifestException {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      if (required) {
        throw new InvalidManifestException("field " + field + " is missing or not a string");
      }
      return null;
    }
    return v.asText();
  }

  private static long number(JsonNode n, String field) throws InvalidManifestException {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      throw new InvalidManifestException("field " + field + " is missing or not a non-negative integer");
    }
    return v.asLong();
  }
}
