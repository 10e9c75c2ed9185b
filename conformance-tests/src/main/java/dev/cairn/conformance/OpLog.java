package dev.cairn.conformance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The operation log written by the power-loss recorder ({@code powerloss-recorder.c}), parsed.
 * Each record is a 40-byte header in native byte order followed by a path and data; the data of
 * writes stays in the memory-mapped log and is copied out only when a crash state needs it.
 */
final class OpLog {

  /** What the recorder logged; the codes match the {@code OP_*} constants of the C source. */
  enum Type {
    OPEN(1), WRITE(2), TRUNCATE(3), SYNC(4), RENAME(5), UNLINK(6), MKDIR(7), MARK(8),
    MMAP_WRITE(9), SYNC_ALL(10), FALLOCATE(11), RANGE_SYNC(12), RMDIR(13), MSYNC(14);

    final int code;

    Type(int code) {
      this.code = code;
    }

    static Type of(int code, long position) {
      for (Type t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      throw new IllegalStateException(
          "operation log: unknown record type " + code + " at byte " + position);
    }
  }

  /**
   * One logged operation.
   *
   * @param index position in the log (the crash point "before this operation" is {@code index})
   * @param aux flags: for WRITE 1 if durable at once (O_DSYNC fd, RWF_DSYNC); for RENAME the
   *     renameat2 flags; for FALLOCATE the mode
   * @param ino the inode the operation applies to (0 for path operations and marks)
   * @param a offset (WRITE, FALLOCATE), length (TRUNCATE) or open flags (OPEN)
   * @param b length (FALLOCATE), 1 for a directory (OPEN, MKDIR)
   * @param path the (first) path, canonical and absolute, or null
   * @param path2 the second path of a RENAME, or null
   * @param dataPos where the data of a WRITE or MARK starts in the log
   * @param dataLen its length
   */
  record Op(int index, Type type, int aux, long ino, long a, long b, String path, String path2,
      int dataPos, int dataLen) {}

  static final int HEADER = 40;
  private static final int O_CREAT = 0x40;

  private final MappedByteBuffer buffer;
  final List<Op> ops;

  private OpLog(MappedByteBuffer buffer, List<Op> ops) {
    this.buffer = buffer;
    this.ops = ops;
  }

  static OpLog read(Path file) throws IOException {
    MappedByteBuffer buf;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() > Integer.MAX_VALUE) {
        throw new IOException("operation log " + file + " is over 2 GiB; shorten the workload");
      }
      buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
    }
    buf.order(ByteOrder.nativeOrder());
    List<Op> ops = new ArrayList<>();
    int pos = 0;
    int limit = buf.limit();
    while (pos < limit) {
      if (limit - pos < HEADER) {
        throw new IOException("operation log " + file + " ends inside a record header at byte "
            + pos + " (the recorder was killed mid-append?)");
      }
      Type type = Type.of(buf.getInt(pos), pos);
      int aux = buf.getInt(pos + 4);
      long ino = buf.getLong(pos + 8);
      long a = buf.getLong(pos + 16);
      long b = buf.getLong(pos + 24);
      int len1 = buf.getInt(pos + 32);
      int len2 = buf.getInt(pos + 36);
      int p1 = pos + HEADER;
      int p2 = p1 + len1;
      if (len1 < 0 || len2 < 0 || (long) p2 + len2 > limit) {
        throw new IOException("operation log " + file + ": record at byte " + pos
            + " runs past the end");
      }
      String path = len1 == 0 ? null : string(buf, p1, len1);
      String path2 = null;
      int dataPos = 0;
      int dataLen = 0;
      if (type == Type.RENAME) {
        path2 = string(buf, p2, len2);
      } else {
        dataPos = p2;
        dataLen = len2;
      }
      ops.add(new Op(ops.size(), type, aux, ino, a, b, path, path2, dataPos, dataLen));
      pos = p2 + len2;
    }
    return new OpLog(buf, List.copyOf(ops));
  }

  private static String string(ByteBuffer buf, int pos, int len) {
    byte[] b = new byte[len];
    buf.get(pos, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Copies {@code len} bytes of the data of {@code op}, from {@code from} on, into dst. */
  void copyData(Op op, int from, byte[] dst, int dstPos, int len) {
    buffer.get(op.dataPos() + from, dst, dstPos, len);
  }

  /** The text of a MARK. */
  String text(Op op) {
    return string(buffer, op.dataPos(), op.dataLen());
  }

  static boolean creates(Op open) {
    return (open.a() & O_CREAT) != 0;
  }
}
