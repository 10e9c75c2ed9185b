package dev.cairn.backup;

import dev.cairn.backup.BackupManifest.FileEntry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The logical stream ({@code records.cairnlog.gz}): GZIP around a sequence of frames.
 *
 * <pre>
 * header   "CAIRNLOG" (8 ASCII bytes), u8 version = 1
 * frame    u8 type, then
 *   0x01 BLOB    hash[32] (SHA-256 of the raw bytes), u32 length, bytes[length]
 *   0x02 RECORD  u16 n, collection[n] (UTF-8), u16 n, key[n] (UTF-8),
 *                i64 createdAtMillis, i64 updatedAtMillis, u8 mode, then
 *                  if mode bit 0x10 (EXPIRES) is set: i64 expiresAtMillis (a record with a time
 *                                                     to live), then, by the low bits:
 *                  mode 0 INLINE  u32 length, bytes[length]
 *                  mode 1 BLOB    hash[32], u32 rawLength   (bytes in a BLOB frame of this set
 *                                                            or of one of its parents)
 *   0x03 END     i64 records, i64 blobs   (the last frame; nothing may follow)
 * </pre>
 *
 * Integers are big-endian. A BLOB frame precedes the first RECORD of the same set that refers
 * to it, and each hash has at most one BLOB frame per set. The blob index
 * ({@code blobs.idx}) is the sorted concatenation of the 32-byte hashes of the set's own BLOB
 * frames, so an incremental backup learns what its parents hold without reading their data.
 *
 * <p>The EXPIRES bit came with records that expire; the stream version stays 1, so that a set
 * without such records reads in older builds, and an older build that meets one stops with
 * "unknown value mode" instead of restoring the record without its expiry.
 */
final class LogicalFormat {

  static final byte[] MAGIC = "CAIRNLOG".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int BLOB = 1;
  static final int RECORD = 2;
  static final int END = 3;
  /** Mode bit: an expiry instant follows the mode byte. */
  static final int EXPIRES = 0x10;
  static final int HASH_BYTES = 32;
  static final int MAX_VALUE = 1 << 30;

  private LogicalFormat() {}

  /** Bytes are not a valid logical stream; the message says where. */
  static final class FormatException extends Exception {
    private static final long serialVersionUID = 1L;
    final String record;

    FormatException(String message, String record) {
      super(message);
      this.record = record;
    }
  }

  /** An output file that counts its bytes and hashes them. */
  static final class HashingFile implements Closeable {
    private final Path path;
    private final MessageDigest digest = Sha256.newDigest();
    private final CountingOutputStream counting;
    final OutputStream out;

    HashingFile(Path path) throws IOException {
      this.path = path;
      this.counting = new CountingOutputStream(
          new DigestOutputStream(Files.newOutputStream(path), digest));
      this.out = counting;
    }

    FileEntry entry(String name) {
      return new FileEntry(name, counting.count, Sha256.hex(digest.digest()));
    }

    Path path() {
      return path;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  static final class CountingOutputStream extends java.io.FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  /** Writes one logical stream file. */
  static final class Writer implements Closeable {
    private final HashingFile file;
    private final DataOutputStream out;
    private long records;
    private long blobs;
    private boolean finished;

    Writer(Path path) throws IOException {
      this.file = new HashingFile(path);
      this.out = new DataOutputStream(new BufferedOutputStream(
          new GZIPOutputStream(file.out, 1 << 16), 1 << 16));
      out.write(MAGIC);
      out.writeByte(VERSION);
    }

    void blob(byte[] hash, byte[] value) throws IOException {
      out.writeByte(BLOB);
      out.write(hash);
      out.writeInt(value.length);
      out.write(value);
      blobs++;
    }

    /** A record frame; {@code expiresAt} is its expiry (epoch ms), or 0 for none. */
    void record(String collection, String key, long created, long updated, byte[] inline,
        byte[] hash, int rawLength, long expiresAt) throws IOException {
      out.writeByte(RECORD);
      writeString(collection);
      writeString(key);
      out.writeLong(created);
      out.writeLong(updated);
      int expires = expiresAt == 0 ? 0 : EXPIRES;
      out.writeByte((hash == null ? 0 : 1) | expires);
      if (expiresAt != 0) {
        out.writeLong(expiresAt);
      }
      if (hash == null) {
        out.writeInt(inline.length);
        out.write(inline);
      } else {
        out.write(hash);
        out.writeInt(rawLength);
      }
      records++;
    }

    private void writeString(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeShort(b.length);
      out.write(b);
    }

    long records() {
      return records;
    }

    long blobs() {
      return blobs;
    }

    /** Writes the END frame, closes the file and returns its size and SHA-256. */
    FileEntry finish(String name) throws IOException {
      out.writeByte(END);
      out.writeLong(records);
      out.writeLong(blobs);
      out.close();
      finished = true;
      return file.entry(name);
    }

    @Override
    public void close() throws IOException {
      if (!finished) {
        out.close();
      }
    }
  }

  /**
   * One record frame as read. {@code inline} is null when {@code hash} is set;
   * {@code expiresAt} is 0 for a record that never expires.
   */
  record Rec(String collection, String key, long created, long updated, byte[] inline,
      byte[] hash, int rawLength, long expiresAt) {
    String where() {
      return collection + "/" + key;
    }
  }

  /** What a reader hands each frame to. */
  interface Visitor {
    void blob(byte[] hash, byte[] value) throws IOException, FormatException;

    void record(Rec r) throws IOException, FormatException;
  }

  /** Totals from the END frame. */
  record Totals(long records, long blobs) {}

  /**
   * Reads a whole stream, checking its structure, and returns the END frame's totals (which
   * are checked against the frames seen).
   */
  static Totals read(InputStream raw, Visitor visitor) throws IOException, FormatException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(
        new GZIPInputStream(raw, 1 << 16), 1 << 16));
    byte[] magic = new byte[MAGIC.length];
    try {
      in.readFully(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new FormatException("not a Cairn logical stream (bad magic)", null);
      }
      int version = in.readUnsignedByte();
      if (version != VERSION) {
        throw new FormatException("logical stream version " + version + " is not supported", null);
      }
      long records = 0;
      long blobs = 0;
      String last = null;
      while (true) {
        int type = in.readUnsignedByte();
        switch (type) {
          case BLOB -> {
            byte[] hash = readBytes(in, HASH_BYTES, last);
            int len = in.readInt();
            checkLength(len, "blob " + Sha256.hex(hash), last);
            visitor.blob(hash, readBytes(in, len, last));
            blobs++;
          }
          case RECORD -> {
            String collection = readString(in, "collection", last);
            String key = readString(in, "key", collection + "/?");
            String where = collection + "/" + key;
            long created = in.readLong();
            long updated = in.readLong();
            int mode = in.readUnsignedByte();
            long expiresAt = 0;
            if ((mode & EXPIRES) != 0) {
              mode &= ~EXPIRES;
              expiresAt = in.readLong();
              if (expiresAt <= 0) {
                throw new FormatException("expiry " + expiresAt + " is not positive", where);
              }
            }
            Rec r;
            if (mode == 0) {
              int len = in.readInt();
              checkLength(len, "inline value", where);
              r = new Rec(collection, key, created, updated, readBytes(in, len, where), null, len,
                  expiresAt);
            } else if (mode == 1) {
              byte[] hash = readBytes(in, HASH_BYTES, where);
              int len = in.readInt();
              checkLength(len, "blob raw length", where);
              r = new Rec(collection, key, created, updated, null, hash, len, expiresAt);
            } else {
              throw new FormatException("unknown value mode " + mode, where);
            }
            visitor.record(r);
            records++;
            last = where;
          }
          case END -> {
            long r = in.readLong();
            long b = in.readLong();
            if (r != records || b != blobs) {
              throw new FormatException("end frame counts " + r + " records and " + b
                  + " blobs but the stream holds " + records + " and " + blobs, null);
            }
            if (in.read() != -1) {
              throw new FormatException("data after the end frame", null);
            }
            return new Totals(records, blobs);
          }
          default -> throw new FormatException("unknown frame type " + type + " after "
              + (last == null ? "the header" : "record " + last), last);
        }
      }
    } catch (EOFException e) {
      throw new FormatException("stream ends before its end frame (truncated)", null);
    } catch (java.util.zip.ZipException e) {
      throw new FormatException("compressed data is damaged: " + e.getMessage(), null);
    }
  }

  private static void checkLength(int len, String what, String where) throws FormatException {
    if (len < 0 || len > MAX_VALUE) {
      throw new FormatException(what + " has impossible length " + len, where);
    }
  }

  private static byte[] readBytes(DataInputStream in, int len, String where)
      throws IOException, FormatException {
    byte[] b = in.readNBytes(len); // grows as it reads: a forged length cannot force a huge buffer
    if (b.length != len) {
      throw new FormatException("stream ends inside a frame (truncated)", where);
    }
    return b;
  }

  private static String readString(DataInputStream in, String what, String where)
      throws IOException, FormatException {
    int len = in.readUnsignedShort();
    byte[] b = readBytes(in, len, where);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new FormatException(what + " is not valid UTF-8", where);
    }
  }

  /** Writes a blob index file: the sorted hashes. */
  @SuppressWarnings("try") // closed explicitly before the entry (size, hash) is read
  static FileEntry writeIndex(Path path, java.util.Collection<ByteBuffer> hashes, String name)
      throws IOException {
    java.util.List<ByteBuffer> sorted = new java.util.ArrayList<>(hashes);
    sorted.sort(null);
    try (HashingFile f = new HashingFile(path);
        OutputStream out = new BufferedOutputStream(f.out, 1 << 16)) {
      for (ByteBuffer h : sorted) {
        out.write(h.array(), h.arrayOffset(), HASH_BYTES);
      }
      out.flush();
      out.close();
      return f.entry(name);
    }
  }

  /** Reads a blob index file. */
  static java.util.Set<ByteBuffer> readIndex(Path path) throws IOException, FormatException {
    long size = Files.size(path);
    if (size % HASH_BYTES != 0) {
      throw new FormatException("blob index size " + size + " is not a multiple of 32", null);
    }
    java.util.Set<ByteBuffer> out = new java.util.HashSet<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      while (true) {
        byte[] h = in.readNBytes(HASH_BYTES);
        if (h.length == 0) {
          return out;
        }
        if (h.length != HASH_BYTES) {
          throw new FormatException("blob index is truncated", null);
        }
        out.add(ByteBuffer.wrap(h));
      }
    }
  }
}
