package dev.cairn.conformance;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.zip.CRC32C;

/**
 * What makes the reference backend durable: an append-only log of committed transactions in
 * {@value #FILE}, replayed at open. Each record is {@code [length][CRC32C][operations]}. A record
 * that runs past the end of the file, or the last record failing its CRC, is a commit torn by a
 * crash (never acknowledged, since a commit returns only after its record is written and, unless
 * {@code ASYNC}, forced): it is cut off. A record before the last one failing its CRC is damage:
 * {@link DataCorruptionException}.
 *
 * <p>A new log's directory entry is synced before the first commit. Four
 * {@link ReferenceBackendProvider.Defect}s break it on purpose: a commit that never forces the
 * file, a new log whose directory entry is never synced, a commit written one keyspace at a time
 * (a record each, 2 ms apart), and an open that answers damage by silently starting an empty
 * store.
 */
final class ReferenceCommitLog implements AutoCloseable {

  static final String FILE = "reference-backend.log";
  private static final byte PUT = 1;
  private static final byte DELETE = 2;

  /** One change of a transaction: a put (value non-null) or a delete. */
  record Op(String keyspace, byte[] key, byte[] value) {}

  private final Path file;
  private final FileChannel channel;
  private final ReferenceBackendProvider.Defect defect;

  private ReferenceCommitLog(Path file, FileChannel channel, ReferenceBackendProvider.Defect defect) {
    this.file = file;
    this.channel = channel;
    this.defect = defect;
  }

  /** Opens the log in {@code dir}, replaying its commits into {@code state}. */
  static ReferenceCommitLog open(Path dir, Map<String, NavigableMap<byte[], byte[]>> state,
      ReferenceBackendProvider.Defect defect) {
    Path file = dir.resolve(FILE);
    try {
      Files.createDirectories(dir);
      boolean exists = Files.exists(file);
      long valid = exists ? replay(file, state, defect) : 0;
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      if (!exists && defect != ReferenceBackendProvider.Defect.SKIPS_DIRECTORY_FSYNC) {
        // a new file's directory entry must be durable before any commit in it is
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
          d.force(true);
        }
      }
      if (ch.size() > valid) {
        ch.truncate(valid); // a torn last commit: never acknowledged
        ch.force(true);
      }
      ch.position(valid);
      return new ReferenceCommitLog(file, ch, defect);
    } catch (IOException e) {
      throw new BackendException("cannot open " + file + ": " + e, e);
    }
  }

  /** Applies every whole commit of the log; returns where the valid log ends. */
  private static long replay(Path file, Map<String, NavigableMap<byte[], byte[]>> state,
      ReferenceBackendProvider.Defect defect) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer in = ByteBuffer.wrap(all);
    List<List<Op>> commits = new ArrayList<>();
    long valid = 0;
    while (in.remaining() >= 8) {
      int length = in.getInt();
      int crc = in.getInt();
      if (length < 0 || length > in.remaining()) {
        break; // runs past the end: torn
      }
      byte[] payload = new byte[length];
      in.get(payload);
      CRC32C c = new CRC32C();
      c.update(payload);
      if ((int) c.getValue() != crc) {
        if (in.remaining() == 0) {
          break; // the last record: torn
        }
        if (defect == ReferenceBackendProvider.Defect.WIPES_DAMAGED_STORE) {
          state.values().forEach(Map::clear); // "recovers" by forgetting everything
          Files.delete(file);
          return 0;
        }
        throw new DataCorruptionException(
            FILE + " is damaged: the commit at offset " + valid + " fails its CRC32C");
      }
      commits.add(decode(payload));
      valid = in.position();
    }
    for (List<Op> ops : commits) {
      for (Op op : ops) {
        NavigableMap<byte[], byte[]> m = state.get(op.keyspace());
        if (m != null) {
          if (op.value() == null) {
            m.remove(op.key());
          } else {
            m.put(op.key(), op.value());
          }
        }
      }
    }
    return valid;
  }

  /** Appends a commit; forces it to disk unless {@code ASYNC} (or the defect says not to). */
  synchronized void append(List<Op> ops, Durability durability) {
    if (!channel.isOpen()) {
      throw new BackendException("the reference backend is closed");
    }
    try {
      if (defect == ReferenceBackendProvider.Defect.COMMITS_KEYSPACES_APART) {
        Map<String, List<Op>> byKeyspace = new LinkedHashMap<>();
        ops.forEach(op -> byKeyspace.computeIfAbsent(op.keyspace(), k -> new ArrayList<>()).add(op));
        for (List<Op> part : byKeyspace.values()) {
          write(part, durability);
          Thread.sleep(2);
        }
      } else {
        write(ops, durability);
      }
    } catch (IOException e) {
      throw new BackendException("cannot append to " + file + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted while committing", e);
    }
  }

  private void write(List<Op> ops, Durability durability) throws IOException {
    byte[] payload = encode(ops);
    CRC32C c = new CRC32C();
    c.update(payload);
    ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
    b.putInt(payload.length).putInt((int) c.getValue()).put(payload).flip();
    while (b.hasRemaining()) {
      channel.write(b);
    }
    if (durability != Durability.ASYNC && defect != ReferenceBackendProvider.Defect.SKIPS_FSYNC) {
      channel.force(false);
    }
  }

  long size() {
    try {
      return channel.size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new BackendException("cannot close " + file + ": " + e, e);
    }
  }

  private static byte[] encode(List<Op> ops) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(ops.size());
    for (Op op : ops) {
      out.writeUTF(op.keyspace());
      out.writeByte(op.value() == null ? DELETE : PUT);
      out.writeInt(op.key().length);
      out.write(op.key());
      if (op.value() != null) {
        out.writeInt(op.value().length);
        out.write(op.value());
      }
    }
    return bytes.toByteArray();
  }

  private static List<Op> decode(byte[] payload) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
    int n = in.readInt();
    List<Op> ops = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String ks = in.readUTF();
      byte kind = in.readByte();
      byte[] key = in.readNBytes(in.readInt());
      byte[] value = kind == PUT ? in.readNBytes(in.readInt()) : null;
      ops.add(new Op(ks, key, value));
    }
    return ops;
  }
}
