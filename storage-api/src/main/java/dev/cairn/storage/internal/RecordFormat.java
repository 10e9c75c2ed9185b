package dev.cairn.storage.internal;

import dev.cairn.storage.DataCorruptionException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The byte layout of the engine's three data keyspaces. Every value ends with a CRC32C of all
 * its preceding bytes, so any flipped bit in a header, an inline payload, a blob or a reference
 * count is detected on read. A record's CRC32C (format 2) also covers its key — the record key
 * bytes come first in the checksum — so a record whose key was damaged on disk (a flipped byte
 * in a B-tree page renaming it, possibly onto a neighbour's key) fails verification instead of
 * returning its value for the wrong key. Format 1 records (checksum over the value only) are
 * still read.
 *
 * <pre>
 * records   : format(1)=2 flags(1) codec(1) dict(4) rawLen(4) storedLen(4) created(8)
 *             updated(8) version(8) then either the inline payload (flags bit 0 clear) or
 *             blobKeyLen(2) blobKey (flags bit 0 set), then crc32c(4)
 * blobs     : format(1)=1 codec(1) dict(4) rawLen(4) payload crc32c(4)
 *             key = scope prefix + SHA-256 of the raw bytes; immutable once written
 * blob_refs : count(8) crc32c(4)    key = the blob's key
 * </pre>
 *
 * <p>Reference counts live apart from blob payloads so that adding a reference to a large
 * value rewrites 12 bytes, not the value.
 */
final class RecordFormat {

  static final byte FORMAT = 1;
  /** Record format whose CRC32C covers the record key, then the value. */
  static final byte FORMAT_KEYED = 2;
  static final int FLAG_BLOB = 1;
  private static final int RECORD_HEADER = 39;
  private static final int BLOB_HEADER = 10;
  private static final int CRC = 4;

  private RecordFormat() {}

  /** A parsed record value. {@code payload} is set for inline records, {@code blobKey} else. */
  record StoredRecord(
      int flags, byte codecId, int dictId, int rawLength, int storedLength, long created,
      long updated, long version, byte[] payload, byte[] blobKey) {
    boolean isBlob() {
      return (flags & FLAG_BLOB) != 0;
    }
  }

  /** A parsed blob value. */
  record StoredBlob(byte codecId, int dictId, int rawLength, byte[] payload) {}

  static byte[] encodeInline(byte[] recordKey,
      byte codecId, int dictId, int rawLength, long created, long updated, long version,
      byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER + payload.length + CRC);
    header(b, 0, codecId, dictId, rawLength, payload.length, created, updated, version);
    b.put(payload);
    return seal(b, recordKey);
  }

  static byte[] encodeBlobRef(byte[] recordKey,
      byte codecId, int dictId, int rawLength, int storedLength, long created, long updated,
      long version, byte[] blobKey) {
    ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER + 2 + blobKey.length + CRC);
    header(b, FLAG_BLOB, codecId, dictId, rawLength, storedLength, created, updated, version);
    b.putShort((short) blobKey.length);
    b.put(blobKey);
    return seal(b, recordKey);
  }

  private static void header(
      ByteBuffer b, int flags, byte codecId, int dictId, int rawLength, int storedLength,
      long created, long updated, long version) {
    b.put(FORMAT_KEYED).put((byte) flags).put(codecId).putInt(dictId).putInt(rawLength)
        .putInt(storedLength).putLong(created).putLong(updated).putLong(version);
  }

  /** Parses a record value stored under {@code recordKey}, checking its CRC32C. */
  static StoredRecord parseRecord(byte[] v, byte[] recordKey, Object where) {
    if (v.length < RECORD_HEADER + CRC) {
      throw corrupt(where, "record of " + v.length + " bytes is shorter than its header");
    }
    byte format = v[0];
    if (format == FORMAT_KEYED) {
      checkCrc(v, recordKey, where);
    } else if (format == FORMAT) {
      checkCrc(v, null, where);
    } else {
      throw corrupt(where, "unknown record format " + format);
    }
    ByteBuffer b = ByteBuffer.wrap(v, 0, v.length - CRC);
    b.get();
    int flags = b.get();
    byte codec = b.get();
    int dict = b.getInt();
    int raw = b.getInt();
    int stored = b.getInt();
    long created = b.getLong();
    long updated = b.getLong();
    long version = b.getLong();
    if (raw < 0 || stored < 0) {
      throw corrupt(where, "negative length in record header");
    }
    if ((flags & FLAG_BLOB) != 0) {
      int keyLen = b.getShort() & 0xFFFF;
      if (keyLen != b.remaining()) {
        throw corrupt(where, "blob reference length " + keyLen + " does not match the record");
      }
      byte[] key = new byte[keyLen];
      b.get(key);
      return new StoredRecord(flags, codec, dict, raw, stored, created, updated, version, null, key);
    }
    if (stored != b.remaining()) {
      throw corrupt(where, "inline payload is " + b.remaining() + " bytes, header says " + stored);
    }
    byte[] payload = new byte[stored];
    b.get(payload);
    return new StoredRecord(flags, codec, dict, raw, stored, created, updated, version, payload, null);
  }

  static byte[] encodeBlob(byte codecId, int dictId, int rawLength, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(BLOB_HEADER + payload.length + CRC);
    b.put(FORMAT).put(codecId).putInt(dictId).putInt(rawLength).put(payload);
    return seal(b);
  }

  static StoredBlob parseBlob(byte[] v, Object where) {
    if (v.length < BLOB_HEADER + CRC) {
      throw corrupt(where, "blob of " + v.length + " bytes is shorter than its header");
    }
    checkCrc(v, where);
    ByteBuffer b = ByteBuffer.wrap(v, 0, v.length - CRC);
    byte format = b.get();
    if (format != FORMAT) {
      throw corrupt(where, "unknown blob format " + format);
    }
    byte codec = b.get();
    int dict = b.getInt();
    int raw = b.getInt();
    if (raw < 0) {
      throw corrupt(where, "negative raw length in blob header");
    }
    byte[] payload = new byte[b.remaining()];
    b.get(payload);
    return new StoredBlob(codec, dict, raw, payload);
  }

  static byte[] encodeCount(long count) {
    ByteBuffer b = ByteBuffer.allocate(8 + CRC);
    b.putLong(count);
    return seal(b);
  }

  static long parseCount(byte[] v, Object where) {
    if (v.length != 8 + CRC) {
      throw corrupt(where, "reference count of " + v.length + " bytes");
    }
    checkCrc(v, where);
    return ByteBuffer.wrap(v).getLong();
  }

  static byte[] encodeAccess(long count, long lastMillis) {
    ByteBuffer b = ByteBuffer.allocate(16 + CRC);
    b.putLong(count).putLong(lastMillis);
    return seal(b);
  }

  /** {count, lastMillis}. */
  static long[] parseAccess(byte[] v, Object where) {
    if (v.length != 16 + CRC) {
      throw corrupt(where, "access statistics of " + v.length + " bytes");
    }
    checkCrc(v, where);
    ByteBuffer b = ByteBuffer.wrap(v);
    return new long[] {b.getLong(), b.getLong()};
  }

  static byte[] encodeLong(long value) {
    return encodeCount(value);
  }

  static long parseLong(byte[] v, Object where) {
    return parseCount(v, where);
  }

  private static byte[] seal(ByteBuffer b) {
    return seal(b, null);
  }

  private static byte[] seal(ByteBuffer b, byte[] key) {
    byte[] a = b.array();
    int n = a.length - CRC;
    CRC32C crc = new CRC32C();
    if (key != null) {
      crc.update(key);
    }
    crc.update(a, 0, n);
    ByteBuffer.wrap(a, n, CRC).putInt((int) crc.getValue());
    return a;
  }

  private static void checkCrc(byte[] v, Object where) {
    checkCrc(v, null, where);
  }

  private static void checkCrc(byte[] v, byte[] key, Object where) {
    int n = v.length - CRC;
    CRC32C crc = new CRC32C();
    if (key != null) {
      crc.update(key);
    }
    crc.update(v, 0, n);
    int stored = ByteBuffer.wrap(v, n, CRC).getInt();
    if (stored != (int) crc.getValue()) {
      throw corrupt(where, "CRC32C mismatch");
    }
  }

  static DataCorruptionException corrupt(Object where, String what) {
    return new DataCorruptionException(where + ": " + what);
  }

  static String hex(byte[] b) {
    StringBuilder s = new StringBuilder(b.length * 2);
    for (byte x : b) {
      s.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return s.toString();
  }
}
