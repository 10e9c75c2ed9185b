package dev.cairn.codec.zstd;

import java.util.Arrays;

/**
 * A dictionary as used by one codec: its bytes (a private copy), the id zstd writes into frames,
 * and the compression level the per-thread compressor for it is built with. Equal by content, so
 * two codecs made from the same dictionary bytes share per-thread contexts.
 */
final class ZstdDictionary {

  private final byte[] bytes;
  private final long id;
  private final int level;
  private final int hash;

  ZstdDictionary(byte[] bytes, long id, int level) {
    this.bytes = bytes;
    this.id = id;
    this.level = level;
    this.hash = Long.hashCode(id) * 31 + level;
  }

  /** The dictionary bytes; never modified. */
  byte[] bytes() {
    return bytes;
  }

  long id() {
    return id;
  }

  int level() {
    return level;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof ZstdDictionary other
        && id == other.id
        && level == other.level
        && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "dictionary " + id + " (" + bytes.length + " bytes)";
  }
}
