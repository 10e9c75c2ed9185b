package dev.cairn.conformance;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Capability;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * A small durable backend for the power-loss self-test: the in-memory
 * {@link ReferenceBackendProvider reference backend} plus an append-only journal
 * ({@value #JOURNAL}) holding one CRC-checked record per commit, replayed on open; a torn last
 * record is cut off. {@code SYNC} and {@code GROUP} commits fsync the journal before they return,
 * and a new journal's directory entry is synced before the first commit.
 *
 * <p>The backend option {@value #DEFECT_OPTION} breaks it on purpose, for
 * {@link KitRejectsBrokenFixturesTest}: {@code skip-fsync} acknowledges commits that were only
 * written, {@code skip-directory-fsync} never syncs the directory after creating the journal.
 *
 * <p>Public, with a public constructor, only because the power-loss harness's child JVM finds
 * backends by name through {@link java.util.ServiceLoader}, which requires it.
 */
public final class JournalBackendProvider implements BackendProvider {

  static final String JOURNAL = "journal.log";
  static final String DEFECT_OPTION = "journal.defect";
  private static final int MAGIC = 0x434A4E4C; // "CJNL"
  private static final int HEADER = 12; // magic, payload length, CRC32C of the payload
  private static final byte PUT = 1;
  private static final byte DELETE = 2;

  /** Deliberate defects, chosen with {@value #DEFECT_OPTION}. */
  enum Defect {
    NONE,
    /** SYNC and GROUP commits return without fsync of the journal. */
    SKIP_FSYNC,
    /** The directory is not synced after the journal is created. */
    SKIP_DIRECTORY_FSYNC
  }

  /** Required by ServiceLoader. */
  public JournalBackendProvider() {}

  @Override
  public String name() {
    return "journal";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.ORDERED_SCAN, Capability.CONCURRENT_READERS, Capability.DURABLE);
  }

  @Override
  public Backend open(BackendConfig config) {
    String d = config.option(DEFECT_OPTION, "none");
    Defect defect;
    try {
      defect = Defect.valueOf(d.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(DEFECT_OPTION + " must be none, skip-fsync or"
          + " skip-directory-fsync, got '" + d + "'", e);
    }
    Path dir = config.directory();
    Path file = dir.resolve(JOURNAL);
    Backend inner = null;
    FileChannel ch = null;
    try {
      Files.createDirectories(dir);
      inner = new ReferenceBackendProvider().open(
          new BackendConfig(dir, config.keyspaces(), Map.of()));
      boolean created = !Files.exists(file);
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      if (created && defect != Defect.SKIP_DIRECTORY_FSYNC) {
        try (FileChannel dirChannel = FileChannel.open(dir, StandardOpenOption.READ)) {
          dirChannel.force(true);
        }
      }
      long end = replay(ch, inner);
      if (end < ch.size()) {
        ch.truncate(end); // a torn last record: later appends must not land behind it
        ch.force(true);
      }
      return new JournalBackend(inner, ch, end, defect);
    } catch (IOException | RuntimeException e) {
      if (inner != null) {
        inner.close();
      }
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new BackendException("cannot open the journal " + file + ": " + e, e);
    }
  }

  /** Applies every whole record; returns where the first torn or damaged one starts. */
  private static long replay(FileChannel ch, Backend inner) throws IOException {
    ByteBuffer all = ByteBuffer.allocate((int) ch.size());
    while (all.hasRemaining() && ch.read(all, all.position()) > 0) {
      // read fully
    }
    all.flip();
    int pos = 0;
    while (all.limit() - pos >= HEADER && all.getInt(pos) == MAGIC) {
      int len = all.getInt(pos + 4);
      if (len < 0 || len > all.limit() - pos - HEADER) {
        break;
      }
      CRC32C crc = new CRC32C();
      crc.update(all.array(), pos + HEADER, len);
      if ((int) crc.getValue() != all.getInt(pos + 8)) {
        break;
      }
      try (BackendTransaction tx = inner.beginWrite();
          DataInputStream in = new DataInputStream(
              new ByteArrayInputStream(all.array(), pos + HEADER, len))) {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          byte op = in.readByte();
          String keyspace = in.readUTF();
          byte[] key = in.readNBytes(in.readInt());
          if (op == PUT) {
            tx.put(keyspace, key, in.readNBytes(in.readInt()));
          } else {
            tx.delete(keyspace, key);
          }
        }
        tx.commit(Durability.ASYNC);
      }
      pos += HEADER + len;
    }
    return pos;
  }

  private static final class JournalBackend implements Backend {
    private final Backend inner;
    private final FileChannel journal;
    private final Defect defect;
    /** Where the next record goes; only the (single) writer touches it. */
    private long end;

    JournalBackend(Backend inner, FileChannel journal, long end, Defect defect) {
      this.inner = inner;
      this.journal = journal;
      this.end = end;
      this.defect = defect;
    }

    @Override
    public BackendTransaction beginRead() {
      return inner.beginRead();
    }

    @Override
    public BackendTransaction beginWrite() {
      return new JournalTransaction(this, inner.beginWrite());
    }

    /** Appends one commit's record and, unless ASYNC (or broken), forces it to disk. */
    void append(byte[] payload, Durability durability) throws IOException {
      CRC32C crc = new CRC32C();
      crc.update(payload);
      ByteBuffer record = ByteBuffer.allocate(HEADER + payload.length)
          .putInt(MAGIC).putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
      long at = end;
      while (record.hasRemaining()) {
        at += journal.write(record, at);
      }
      if (durability != Durability.ASYNC && defect != Defect.SKIP_FSYNC) {
        journal.force(false);
      }
      end = at;
    }

    @Override
    public void snapshotTo(Path target) {
      throw new BackendException("the journal test backend has no snapshots");
    }

    @Override
    public void optimize() {
      inner.optimize();
    }

    @Override
    public long sizeOnDisk() {
      try {
        return journal.size();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      inner.close();
      try {
        journal.close();
      } catch (IOException e) {
        throw new BackendException("cannot close the journal: " + e, e);
      }
    }
  }

  /** A write transaction of the reference backend that also records its changes. */
  private static final class JournalTransaction implements BackendTransaction {
    private final JournalBackend backend;
    private final BackendTransaction inner;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream changes = new DataOutputStream(bytes);
    private int count;
    private boolean ended;

    JournalTransaction(JournalBackend backend, BackendTransaction inner) {
      this.backend = backend;
      this.inner = inner;
    }

    @Override
    public boolean readOnly() {
      return false;
    }

    @Override
    public byte[] get(String keyspace, byte[] key) {
      return inner.get(keyspace, key);
    }

    @Override
    public void put(String keyspace, byte[] key, byte[] value) {
      inner.put(keyspace, key, value);
      record(PUT, keyspace, key, value);
    }

    @Override
    public boolean delete(String keyspace, byte[] key) {
      boolean existed = inner.delete(keyspace, key);
      record(DELETE, keyspace, key, null);
      return existed;
    }

    private void record(byte op, String keyspace, byte[] key, byte[] value) {
      try {
        changes.writeByte(op);
        changes.writeUTF(keyspace);
        changes.writeInt(key.length);
        changes.write(key);
        if (value != null) {
          changes.writeInt(value.length);
          changes.write(value);
        }
        count++;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public BackendCursor scan(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
      return inner.scan(keyspace, fromInclusive, toExclusive);
    }

    @Override
    public void commit(Durability durability) {
      if (ended) {
        throw new IllegalStateException("transaction has ended");
      }
      ended = true;
      if (count > 0) {
        ByteBuffer n = ByteBuffer.allocate(4).putInt(count);
        byte[] body = bytes.toByteArray();
        byte[] payload = new byte[4 + body.length];
        System.arraycopy(n.array(), 0, payload, 0, 4);
        System.arraycopy(body, 0, payload, 4, body.length);
        try {
          backend.append(payload, durability);
        } catch (IOException | RuntimeException e) {
          inner.rollback();
          throw new BackendException("cannot append to the journal: " + e, e);
        }
      }
      inner.commit(durability);
    }

    @Override
    public void rollback() {
      ended = true;
      inner.rollback();
    }

    @Override
    public void close() {
      ended = true;
      inner.close();
    }
  }
}
