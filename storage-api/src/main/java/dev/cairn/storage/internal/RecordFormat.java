package dev.cairn.storage.internal;

import dev.cairn.storage.DataCorruptionException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
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
 * <p>An inline record of format 3 (store format 4) keeps its CRC32C between its fields and its
 * payload, so that the record is a head (the fields and the checksum) followed by the stored
 * value as it is: the engine writes it in those two parts
 * ({@link dev.cairn.storage.spi.BackendTransaction#put(String, byte[], byte[], byte[])}), and a
 * backend that keeps them apart hands the value back as an array of its own, which a read
 * returns without copying it. The checksum covers the same bytes in the same order as format 2:
 * the record key, the fields, the payload.
 *
 * <pre>
 * records    : format(1) flags(1) codec(1) dict(4) rawLen(4) storedLen(4) created(8)
 *              updated(8) version(8), then expiresAt(8) (epoch ms) if flags bit 2 is set
 *              (store format 3: a record with a time to live), then
 *              - format 3, inline (flags bit 0 clear): the SHA-256 of the raw value if flags
 *                bit 1 is set, crc32c(4), the payload;
 *              - format 2: either the inline payload (flags bit 0 clear), preceded by the
 *                SHA-256 of the raw value if flags bit 1 is set (store format 2: a value that
 *                maintenance may deduplicate later), or blobKeyLen(2) blobKey blobId(8) (flags
 *                bit 0 set: a blob reference, always format 2), then crc32c(4)
 * blob_index : blobId(8) count(8) codec(1) dict(4) storedLen(4) crc32c(4)
 *              key = blobKey: scope prefix + SHA-256 of the raw bytes
 * blobs      : format(1)=1 codec(1) dict(4) rawLen(4) payload crc32c(4)
 *              key = blobId (8 bytes, big-endian); immutable once written
 * </pre>
 *
 * <p>Content is found by hash through the small {@code blob_index} (with the reference count,
 * so adding a reference to a large value rewrites 29 bytes and reads no blob) and stored under an
 * increasing id: the version of the write that first stored it. New blobs therefore append to
 * the end of the {@code blobs} B-tree instead of landing on random pages by hash, which keeps
 * bulk loads and group commits from dirtying a page per value.
 */
final class RecordFormat {

  static final byte FORMAT = 1;
  /** Record format whose CRC32C covers the record key, then the value. */
  static final byte FORMAT_KEYED = 2;
  /** Inline record format whose CRC32C precedes the payload: a head and a body (store format 4). */
  static final byte FORMAT_SPLIT = 3;
  static final int FLAG_BLOB = 1;
  /** An inline record that carries the SHA-256 of its raw value (store format 2). */
  static final int FLAG_HASHED = 2;
  /** A record that expires: an 8-byte expiry instant follows the header (store format 3). */
  static final int FLAG_EXPIRES = 4;
  /** The expiry of a record that never expires. */
  static final long NEVER = 0;
  static final int HASH = 32;
  private static final int RECORD_HEADER = 39;
  private static final int BLOB_HEADER = 10;
  private static final int CRC = 4;
  private static final int INDEX_ENTRY = 25;

  private RecordFormat() {}

  /**
   * A parsed record value. {@code payload} is set for inline records, with the SHA-256 of the
   * raw value in {@code hash} if the record carries one; a blob reference has the content's
   * {@code blobKey} (scope prefix + SHA-256, the key of its index entry) and the {@code blobId}
   * its bytes are stored under. {@code expiresAt} is the expiry in epoch milliseconds, or
   * {@link #NEVER}.
   */
  record StoredRecord(
      int flags, byte codecId, int dictId, int rawLength, int storedLength, long created,
      long updated, long version, byte[] payload, byte[] hash, byte[] blobKey, long blobId,
      long expiresAt) {
    boolean isBlob() {
      return (flags & FLAG_BLOB) != 0;
    }

    /** Whether the record has expired at {@code nowMillis}. */
    boolean expired(long nowMillis) {
      return expiresAt != NEVER && expiresAt <= nowMillis;
    }
  }

  /** Whether a record expiring at {@code expiresAt} ({@link #NEVER}: never) is expired now. */
  static boolean expired(long expiresAt, long nowMillis) {
    return expiresAt != NEVER && expiresAt <= nowMillis;
  }

  /** A parsed blob value. */
  record StoredBlob(byte codecId, int dictId, int rawLength, byte[] payload) {}

  /**
   * An inline record, whole: its {@link #encodeInlineHead head} followed by {@code payload}.
   */
  static byte[] encodeInline(byte[] recordKey,
      byte codecId, int dictId, int rawLength, long created, long updated, long version,
      byte[] payload, byte[] hash, long expiresAt) {
    byte[] head = encodeInlineHead(recordKey, codecId, dictId, rawLength, created, updated,
        version, payload, hash, expiresAt);
    byte[] whole = Arrays.copyOf(head, head.length + payload.length);
    System.arraycopy(payload, 0, whole, head.length, payload.length);
    return whole;
  }

  /**
   * The head of an inline record (format 3): its fields and the CRC32C over the record key, the
   * fields and {@code payload}, which follows the head in the record. {@code hash} is the raw
   * value's SHA-256, or null for none; {@code expiresAt} its expiry (epoch ms) or {@link #NEVER}.
   */
  static byte[] encodeInlineHead(byte[] recordKey,
      byte codecId, int dictId, int rawLength, long created, long updated, long version,
      byte[] payload, byte[] hash, long expiresAt) {
    int hashLength = hash == null ? 0 : HASH;
    ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER + expiryLength(expiresAt) + hashLength + CRC);
    header(b, FORMAT_SPLIT, hash == null ? 0 : FLAG_HASHED, codecId, dictId, rawLength,
        payload.length, created, updated, version, expiresAt);
    if (hash != null) {
      b.put(hash, 0, HASH);
    }
    return seal(b, recordKey, payload);
  }

  /** A record referring to a blob; {@code expiresAt} its expiry or {@link #NEVER}. */
  static byte[] encodeBlobRef(byte[] recordKey,
      byte codecId, int dictId, int rawLength, int storedLength, long created, long updated,
      long version, byte[] blobKey, long blobId, long expiresAt) {
    ByteBuffer b = ByteBuffer.allocate(
        RECORD_HEADER + expiryLength(expiresAt) + 2 + blobKey.length + 8 + CRC);
    header(b, FORMAT_KEYED, FLAG_BLOB, codecId, dictId, rawLength, storedLength, created,
        updated, version, expiresAt);
    b.putShort((short) blobKey.length);
    b.put(blobKey);
    b.putLong(blobId);
    return seal(b, recordKey);
  }

  private static int expiryLength(long expiresAt) {
    return expiresAt == NEVER ? 0 : 8;
  }

  private static void header(
      ByteBuffer b, byte format, int flags, byte codecId, int dictId, int rawLength,
      int storedLength, long created, long updated, long version, long expiresAt) {
    int f = expiresAt == NEVER ? flags : flags | FLAG_EXPIRES;
    b.put(format).put((byte) f).put(codecId).putInt(dictId).putInt(rawLength)
        .putInt(storedLength).putLong(created).putLong(updated).putLong(version);
    if (expiresAt != NEVER) {
      b.putLong(expiresAt);
    }
  }

  /**
   * The expiry of the record value between {@code v}'s position and limit, or {@link #NEVER},
   * read from its header alone (no checksum: for filters that skip expired records cheaply;
   * whatever is returned is checked when the record is read).
   */
  static long peekExpiry(ByteBuffer v) {
    int at = v.position();
    if (v.remaining() < RECORD_HEADER + 8 + CRC || (v.get(at + 1) & FLAG_EXPIRES) == 0) {
      return NEVER;
    }
    return v.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN).getLong(at + RECORD_HEADER);
  }

  /** Parses a record value stored under {@code recordKey}, checking its CRC32C. */
  static StoredRecord parseRecord(byte[] v, byte[] recordKey, Object where) {
    return parseRecord(ByteBuffer.wrap(v), recordKey, where);
  }

  /**
   * As above, from the value's bytes between {@code v}'s position and limit, which may be the
   * backend's own memory ({@link dev.cairn.storage.spi.BackendTransaction#read}): everything
   * the record keeps is copied out, the payload once. {@code v}'s position is left unchanged.
   */
  static StoredRecord parseRecord(ByteBuffer v, byte[] recordKey, Object where) {
    return parseRecord(v, recordKey, where, true);
  }

  /**
   * As above; without {@code keepHash} an inline record's SHA-256 is checked for room but not
   * copied out ({@link StoredRecord#hash} null): a read that does not compare it skips 32 bytes
   * of copying and an array.
   */
  static StoredRecord parseRecord(ByteBuffer v, byte[] recordKey, Object where,
      boolean keepHash) {
    return parseRecord(v, null, recordKey, where, keepHash);
  }

  /**
   * As above, from a record read in two parts
   * ({@link dev.cairn.storage.spi.BackendTransaction#readParts}): {@code v} is the head, or the
   * whole record if {@code body} is null; {@code body}, an array of the caller's, is the payload
   * of an inline record of format 3, which the parsed record then keeps as it is (no copy).
   */
  static StoredRecord parseRecord(ByteBuffer v, byte[] body, byte[] recordKey, Object where,
      boolean keepHash) {
    int at = v.position();
    int length = v.remaining();
    if (length < RECORD_HEADER + CRC) {
      throw corrupt(where, "record of " + length + " bytes is shorter than its header");
    }
    // absolute reads, big-endian: no view of the buffer to allocate for a read of a record
    ByteBuffer b = bigEndian(v);
    byte format = b.get(at);
    int flags = b.get(at + 1);
    int end; // where the fields end: at the CRC
    if (format == FORMAT_SPLIT) {
      if ((flags & FLAG_BLOB) != 0) {
        throw corrupt(where, "blob reference in a record of format " + format);
      }
      end = at + RECORD_HEADER + ((flags & FLAG_EXPIRES) != 0 ? 8 : 0)
          + ((flags & FLAG_HASHED) != 0 ? HASH : 0);
      if (end + CRC > at + length) {
        throw corrupt(where, "record of " + length + " bytes is shorter than its header");
      }
      if (body != null && end + CRC != at + length) {
        throw corrupt(where, "record head of " + length + " bytes does not end at its checksum");
      }
      checkCrc(v, end, body, recordKey, where);
    } else {
      if (body != null) {
        throw corrupt(where, "record of format " + format + " stored in two parts");
      }
      if (format == FORMAT_KEYED) {
        checkCrc(v, recordKey, where);
      } else if (format == FORMAT) {
        checkCrc(v, null, where);
      } else {
        throw corrupt(where, "unknown record format " + format);
      }
      end = at + length - CRC;
    }
    byte codec = b.get(at + 2);
    int dict = b.getInt(at + 3);
    int raw = b.getInt(at + 7);
    int stored = b.getInt(at + 11);
    long created = b.getLong(at + 15);
    long updated = b.getLong(at + 23);
    long version = b.getLong(at + 31);
    int p = at + RECORD_HEADER;
    if (raw < 0 || stored < 0) {
      throw corrupt(where, "negative length in record header");
    }
    long expiresAt = NEVER;
    if ((flags & FLAG_EXPIRES) != 0) {
      if (format == FORMAT || end - p < 8) {
        throw corrupt(where, "expiring record without room for its expiry");
      }
      expiresAt = b.getLong(p);
      p += 8;
      if (expiresAt <= NEVER) {
        throw corrupt(where, "expiry " + expiresAt + " is not a positive instant");
      }
    }
    if ((flags & FLAG_BLOB) != 0) {
      if (end - p < 2) {
        throw corrupt(where, "blob reference without room for its length");
      }
      int keyLen = b.getShort(p) & 0xFFFF;
      p += 2;
      if (keyLen + 8 != end - p) {
        throw corrupt(where, "blob reference length " + keyLen + " does not match the record");
      }
      byte[] key = new byte[keyLen];
      b.get(p, key);
      long blobId = b.getLong(p + keyLen);
      return new StoredRecord(
          flags, codec, dict, raw, stored, created, updated, version, null, null, key, blobId,
          expiresAt);
    }
    byte[] hash = null;
    if ((flags & FLAG_HASHED) != 0) {
      if (format == FORMAT || end - p < HASH) {
        throw corrupt(where, "hashed record without room for its hash");
      }
      if (keepHash) {
        hash = new byte[HASH];
        b.get(p, hash);
      }
      p += HASH;
    }
    byte[] payload;
    if (format == FORMAT_SPLIT) {
      // the payload follows the CRC, or is the body as the backend handed it over
      int n = body != null ? body.length : at + length - end - CRC;
      if (stored != n) {
        throw corrupt(where, "inline payload is " + n + " bytes, header says " + stored);
      }
      if (body != null) {
        payload = body;
      } else {
        payload = new byte[stored];
        b.get(end + CRC, payload);
      }
    } else {
      if (stored != end - p) {
        throw corrupt(where, "inline payload is " + (end - p) + " bytes, header says " + stored);
      }
      payload = new byte[stored];
      b.get(p, payload);
    }
    return new StoredRecord(
        flags, codec, dict, raw, stored, created, updated, version, payload, hash, null, 0,
        expiresAt);
  }

  /** {@code v} if it reads big-endian (as every buffer does unless told otherwise), else a view. */
  private static ByteBuffer bigEndian(ByteBuffer v) {
    return v.order() == ByteOrder.BIG_ENDIAN ? v : v.duplicate().order(ByteOrder.BIG_ENDIAN);
  }

  /** The key a blob's bytes are stored under: its id, big-endian, so new blobs append. */
  static byte[] blobIdKey(long blobId) {
    return ByteBuffer.allocate(8).putLong(blobId).array();
  }

  static long blobIdOf(byte[] idKey, Object where) {
    if (idKey.length != 8) {
      throw corrupt(where, "blob key of " + idKey.length + " bytes");
    }
    return ByteBuffer.wrap(idKey).getLong();
  }

  /**
   * A content index entry: the blob id holding the content, its reference count, and how the
   * blob is stored (so a deduplicated write need not read the blob).
   */
  record IndexEntry(long blobId, long count, byte codecId, int dictId, int storedLength) {
    IndexEntry withCount(long n) {
      return new IndexEntry(blobId, n, codecId, dictId, storedLength);
    }
  }

  static byte[] encodeIndex(IndexEntry e) {
    ByteBuffer b = ByteBuffer.allocate(INDEX_ENTRY + CRC);
    b.putLong(e.blobId()).putLong(e.count()).put(e.codecId()).putInt(e.dictId())
        .putInt(e.storedLength());
    return seal(b);
  }

  static IndexEntry parseIndex(byte[] v, Object where) {
    if (v.length != INDEX_ENTRY + CRC) {
      throw corrupt(where, "index entry of " + v.length + " bytes");
    }
    checkCrc(v, where);
    ByteBuffer b = ByteBuffer.wrap(v);
    return new IndexEntry(b.getLong(), b.getLong(), b.get(), b.getInt(), b.getInt());
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
    return seal(b, key, null);
  }

  /**
   * Ends {@code b}'s array with the CRC32C over {@code key} (or none), the array's bytes before
   * the CRC and {@code after} (or none: bytes that follow the array in the value, the payload of
   * a record's head).
   */
  private static byte[] seal(ByteBuffer b, byte[] key, byte[] after) {
    byte[] a = b.array();
    int n = a.length - CRC;
    CRC32C crc = new CRC32C();
    if (key != null) {
      crc.update(key);
    }
    crc.update(a, 0, n);
    if (after != null) {
      crc.update(after);
    }
    ByteBuffer.wrap(a, n, CRC).putInt((int) crc.getValue());
    return a;
  }

  private static void checkCrc(byte[] v, Object where) {
    checkCrc(v, null, where);
  }

  private static void checkCrc(byte[] v, byte[] key, Object where) {
    checkCrc(ByteBuffer.wrap(v), key, where);
  }

  /** Checks the CRC32C ending the bytes between {@code v}'s position and limit. */
  private static void checkCrc(ByteBuffer v, byte[] key, Object where) {
    checkCrc(v, v.limit() - CRC, null, key, where);
  }

  /**
   * Checks the CRC32C stored at {@code crcAt} in {@code v}, over {@code key} (or none), the bytes
   * from {@code v}'s position to {@code crcAt}, then the payload: {@code body}, or the bytes
   * after the CRC up to {@code v}'s limit (none when the CRC ends the value). {@code v}'s
   * position and limit are put back after: no view of the buffer is allocated.
   */
  private static void checkCrc(
      ByteBuffer v, int crcAt, byte[] body, byte[] key, Object where) {
    int position = v.position();
    int limit = v.limit();
    CRC32C crc = new CRC32C();
    if (key != null) {
      crc.update(key);
    }
    int stored = bigEndian(v).getInt(crcAt);
    try {
      crc.update(v.limit(crcAt));
      if (body != null) {
        crc.update(body);
      } else {
        crc.update(v.limit(limit).position(crcAt + CRC));
      }
    } finally {
      v.limit(limit).position(position);
    }
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
