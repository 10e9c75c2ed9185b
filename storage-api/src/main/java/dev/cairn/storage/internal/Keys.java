package dev.cairn.storage.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Validation of caller-supplied names and the byte layout of record keys:
 * {@code collection UTF-8, 0x00, key UTF-8}. Collection names cannot contain 0x00, so the first
 * 0x00 separates the two and a collection's records form one contiguous, ordered range.
 */
final class Keys {

  static final int MAX_COLLECTION_LENGTH = 64;
  static final int MAX_KEY_BYTES = 256;

  private static final ThreadLocal<CharsetEncoder> UTF8 = ThreadLocal.withInitial(() ->
      StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT));

  private Keys() {}

  /** Checks a collection name against {@code [A-Za-z0-9_.-]{1,64}}. */
  static String checkCollection(String collection) {
    Objects.requireNonNull(collection, "collection");
    int n = collection.length();
    if (n == 0 || n > MAX_COLLECTION_LENGTH) {
      throw new IllegalArgumentException(
          "collection name must be 1 to 64 characters of [A-Za-z0-9_.-], got "
              + n + " characters");
    }
    for (int i = 0; i < n; i++) {
      char c = collection.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == '-';
      if (!ok) {
        throw new IllegalArgumentException(
            "collection name must match [A-Za-z0-9_.-]{1,64}: '" + printable(collection) + "'");
      }
    }
    return collection;
  }

  /** The UTF-8 bytes of a key, which must be 1 to 256 bytes of well-formed Unicode. */
  static byte[] keyBytes(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
    byte[] b = utf8(key, "key");
    if (b.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "key must be at most 256 UTF-8 bytes, got " + b.length + " bytes");
    }
    return b;
  }

  /** Checks a key like {@link #keyBytes}, without allocating for short ASCII keys. */
  static void checkKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.length() > MAX_KEY_BYTES || !isAscii(key)) {
      keyBytes(key);
    }
  }

  /** The UTF-8 bytes of a key prefix (may be empty). */
  static byte[] prefixBytes(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    byte[] b = utf8(prefix, "prefix");
    if (b.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "prefix must be at most 256 UTF-8 bytes, got " + b.length + " bytes");
    }
    return b;
  }

  private static byte[] utf8(String s, String what) {
    if (isAscii(s)) {
      return s.getBytes(StandardCharsets.ISO_8859_1);
    }
    try {
      ByteBuffer bb = UTF8.get().reset().encode(CharBuffer.wrap(s));
      byte[] out = new byte[bb.remaining()];
      bb.get(out);
      return out;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(what + " is not well-formed Unicode (lone surrogate)");
    }
  }

  private static boolean isAscii(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code collection 0x00 key}, the key checked as {@link #keyBytes} checks it. A key of ASCII
   * characters (the usual case) is checked and encoded in one pass into the one array returned.
   */
  static byte[] recordKey(String collection, String key) {
    Objects.requireNonNull(key, "key");
    int n = collection.length();
    int length = key.length();
    if (length > 0 && length <= MAX_KEY_BYTES) {
      byte[] out = new byte[n + 1 + length];
      int i = 0;
      while (i < length) {
        char c = key.charAt(i);
        if (c >= 0x80) {
          break;
        }
        out[n + 1 + i++] = (byte) c;
      }
      if (i == length) {
        putCollection(collection, out);
        return out;
      }
    }
    return recordKey(collection, keyBytes(key)); // empty, too long, or not ASCII
  }

  /** {@code collection 0x00 key}. */
  static byte[] recordKey(String collection, byte[] key) {
    int n = collection.length();
    byte[] out = new byte[n + 1 + key.length];
    putCollection(collection, out);
    System.arraycopy(key, 0, out, n + 1, key.length);
    return out;
  }

  /** A collection name's bytes at the start of {@code out} (names are ASCII: a byte a char). */
  private static void putCollection(String collection, byte[] out) {
    for (int i = 0, n = collection.length(); i < n; i++) {
      out[i] = (byte) collection.charAt(i);
    }
  }

  /** {@code collection 0x00}: the first key of the collection's range. */
  static byte[] collectionStart(String collection) {
    return recordKey(collection, new byte[0]);
  }

  /**
   * The smallest key greater than every key starting with {@code prefix}, or {@code null} if
   * there is none (the prefix is empty or all 0xFF).
   */
  static byte[] prefixEnd(byte[] prefix) {
    int i = prefix.length - 1;
    while (i >= 0 && prefix[i] == (byte) 0xFF) {
      i--;
    }
    if (i < 0) {
      return null;
    }
    byte[] end = Arrays.copyOf(prefix, i + 1);
    end[i]++;
    return end;
  }

  /** The key that immediately follows {@code key} in byte order. */
  static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }

  /** The collection part of a record key. */
  static String collectionOf(byte[] recordKey) {
    int sep = separator(recordKey);
    return new String(recordKey, 0, sep, StandardCharsets.ISO_8859_1);
  }

  /** The key part of a record key. */
  static String keyOf(byte[] recordKey) {
    int sep = separator(recordKey);
    return new String(recordKey, sep + 1, recordKey.length - sep - 1, StandardCharsets.UTF_8);
  }

  private static int separator(byte[] recordKey) {
    for (int i = 0; i < recordKey.length; i++) {
      if (recordKey[i] == 0) {
        return i;
      }
    }
    throw new IllegalStateException("record key without separator");
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().limit(80).forEach(cp -> {
      if (cp < 0x20 || cp == 0x7F) {
        b.append(String.format("\\u%04x", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return s.length() > 80 ? b + "..." : b.toString();
  }
}
