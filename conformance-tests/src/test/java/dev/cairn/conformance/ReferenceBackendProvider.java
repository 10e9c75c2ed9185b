package dev.cairn.conformance;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Capability;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;

/**
 * A correct in-memory backend used to prove the kit: a TreeMap per keyspace with the unsigned
 * byte comparator, copy-on-write committed states (a read transaction holds one immutable
 * state), one writer at a time. {@link #snapshotTo} writes the committed state to a file that
 * {@link #open} loads, so it offers {@link Capability#HOT_BACKUP}. Not durable, unless made so
 * ({@link Durable}): then every commit is appended to a {@link ReferenceCommitLog} replayed at
 * open, and it declares {@link Capability#DURABLE}.
 *
 * <p>A {@link Defect} turns it into one of the broken fixtures the kit must reject. The nested
 * subclasses have no-argument constructors, so that a child JVM of the crash or power-loss
 * harness can create the same provider from its class name.
 */
class ReferenceBackendProvider implements BackendProvider {

  /** Deliberate defects. */
  enum Defect {
    NONE,
    /** rollback and close-without-commit publish the writes anyway. */
    ROLLBACK_KEEPS_WRITES,
    /** scan ignores its upper bound. */
    SCAN_IGNORES_UPPER_BOUND,
    /** a descending scan includes a key equal to its (exclusive) upper bound. */
    DESCENDING_SCAN_INCLUDES_UPPER_BOUND,
    /** a value written in two parts keeps its head and loses its body. */
    DROPS_BODIES,
    /**
     * deletes in the engine's {@code blobs} keyspace report success but keep the entry: to the
     * engine it looks like a skipped blob removal (a refcount bug), which the storage kit must
     * catch.
     */
    DROPS_BLOB_DELETES,
    /** (durable) {@code commit(SYNC)} appends to the log but never forces it to disk. */
    SKIPS_FSYNC,
    /** (durable) a new log's directory entry is never synced: a power loss can drop the file. */
    SKIPS_DIRECTORY_FSYNC,
    /**
     * (durable) a commit is written one keyspace at a time, 2 ms apart: a crash in between
     * leaves part of a transaction, which only the crash harness can see.
     */
    COMMITS_KEYSPACES_APART,
    /**
     * (durable) an open that finds the log damaged silently starts an empty store instead of
     * failing: the corruption checker must see the wholesale loss.
     */
    WIPES_DAMAGED_STORE
  }

  /** The durable reference backend: every commit appended to a log and forced. */
  static final class Durable extends ReferenceBackendProvider {
    Durable() {
      super(Defect.NONE, true);
    }
  }

  /** Durable, but {@code commit(SYNC)} never forces the log. */
  static final class SkipsFsync extends ReferenceBackendProvider {
    SkipsFsync() {
      super(Defect.SKIPS_FSYNC, true);
    }
  }

  /** Durable, but the new log's directory entry is never synced. */
  static final class SkipsDirectoryFsync extends ReferenceBackendProvider {
    SkipsDirectoryFsync() {
      super(Defect.SKIPS_DIRECTORY_FSYNC, true);
    }
  }

  /** Durable, but a commit reaches the log one keyspace at a time. */
  static final class CommitsKeyspacesApart extends ReferenceBackendProvider {
    CommitsKeyspacesApart() {
      super(Defect.COMMITS_KEYSPACES_APART, true);
    }
  }

  /** Durable, but a damaged log is silently replaced by an empty store. */
  static final class WipesDamagedStore extends ReferenceBackendProvider {
    WipesDamagedStore() {
      super(Defect.WIPES_DAMAGED_STORE, true);
    }
  }

  private static final String SNAPSHOT_FILE = "reference-backend.snapshot";

  private final Defect defect;
  private final boolean durable;

  ReferenceBackendProvider() {
    this(Defect.NONE);
  }

  ReferenceBackendProvider(Defect defect) {
    this(defect, false);
  }

  ReferenceBackendProvider(Defect defect, boolean durable) {
    this.defect = defect;
    this.durable = durable;
  }

  @Override
  public String name() {
    String base = durable ? "reference-durable" : "reference";
    return defect == Defect.NONE ? base : "broken-" + defect.name().toLowerCase();
  }

  @Override
  public Set<Capability> capabilities() {
    return durable
        ? Set.of(Capability.ORDERED_SCAN, Capability.CONCURRENT_READERS, Capability.HOT_BACKUP,
            Capability.DURABLE)
        : Set.of(Capability.ORDERED_SCAN, Capability.CONCURRENT_READERS, Capability.HOT_BACKUP);
  }

  @Override
  public Set<String> storeFiles() {
    return Set.of(SNAPSHOT_FILE, ReferenceCommitLog.FILE);
  }

  @Override
  public Backend open(BackendConfig config) {
    Map<String, NavigableMap<byte[], byte[]>> state = new HashMap<>();
    for (String ks : config.keyspaces()) {
      state.put(ks, new TreeMap<>(Arrays::compareUnsigned));
    }
    Path file = config.directory().resolve(SNAPSHOT_FILE);
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        load(new DataInputStream(in), state);
      } catch (IOException e) {
        throw new BackendException("cannot read " + file, e);
      }
    }
    ReferenceCommitLog log =
        durable ? ReferenceCommitLog.open(config.directory(), state, defect) : null;
    return new MemoryBackend(freeze(state), defect, log);
  }

  private static Map<String, NavigableMap<byte[], byte[]>> freeze(
      Map<String, NavigableMap<byte[], byte[]>> state) {
    Map<String, NavigableMap<byte[], byte[]>> out = new HashMap<>();
    state.forEach((k, v) -> out.put(k, Collections.unmodifiableNavigableMap(v)));
    return Collections.unmodifiableMap(out);
  }

  private static void load(DataInputStream in, Map<String, NavigableMap<byte[], byte[]>> state)
      throws IOException {
    int keyspaces = in.readInt();
    for (int i = 0; i < keyspaces; i++) {
      String ks = in.readUTF();
      int n = in.readInt();
      NavigableMap<byte[], byte[]> map = state.get(ks);
      for (int j = 0; j < n; j++) {
        byte[] k = in.readNBytes(in.readInt());
        byte[] v = in.readNBytes(in.readInt());
        if (map != null) {
          map.put(k, v);
        }
      }
    }
  }

  private static final class MemoryBackend implements Backend {
    private final Semaphore writer = new Semaphore(1);
    private final Defect defect;
    private final ReferenceCommitLog log;
    private volatile Map<String, NavigableMap<byte[], byte[]>> committed;
    private volatile boolean closed;

    MemoryBackend(Map<String, NavigableMap<byte[], byte[]>> initial, Defect defect,
        ReferenceCommitLog log) {
      this.committed = initial;
      this.defect = defect;
      this.log = log;
    }

    @Override
    public BackendTransaction beginRead() {
      checkOpen();
      return new Tx(this, true);
    }

    @Override
    public BackendTransaction beginWrite() {
      checkOpen();
      writer.acquireUninterruptibly();
      if (closed) {
        writer.release();
        checkOpen();
      }
      return new Tx(this, false);
    }

    private void checkOpen() {
      if (closed) {
        throw new StorageClosedException("reference backend is closed");
      }
    }

    @Override
    public void snapshotTo(Path target) {
      Map<String, NavigableMap<byte[], byte[]>> state = committed;
      try {
        Files.createDirectories(target);
        Path tmp = target.resolve(SNAPSHOT_FILE + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp);
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os))) {
          out.writeInt(state.size());
          for (Map.Entry<String, NavigableMap<byte[], byte[]>> e : state.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().size());
            for (Map.Entry<byte[], byte[]> kv : e.getValue().entrySet()) {
              out.writeInt(kv.getKey().length);
              out.write(kv.getKey());
              out.writeInt(kv.getValue().length);
              out.write(kv.getValue());
            }
          }
        }
        Files.move(tmp, target.resolve(SNAPSHOT_FILE));
      } catch (IOException e) {
        throw new BackendException("snapshot to " + target + " failed", e);
      }
    }

    @Override
    public void optimize() {
      checkOpen();
    }

    @Override
    public long sizeOnDisk() {
      return log == null ? 0 : log.size();
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (log != null) {
        log.close(); // waits for an append in progress; later appends fail
      }
    }
  }

  private static final class Tx implements BackendTransaction {
    private final MemoryBackend backend;
    private final boolean readOnly;
    private final Map<String, NavigableMap<byte[], byte[]>> base;
    private final Map<String, NavigableMap<byte[], byte[]>> working = new HashMap<>();
    private final java.util.List<ReferenceCommitLog.Op> ops = new java.util.ArrayList<>();
    private boolean ended;

    Tx(MemoryBackend backend, boolean readOnly) {
      this.backend = backend;
      this.readOnly = readOnly;
      this.base = backend.committed;
    }

    private NavigableMap<byte[], byte[]> view(String keyspace) {
      if (ended) {
        throw new IllegalStateException("transaction has ended");
      }
      NavigableMap<byte[], byte[]> w = working.get(keyspace);
      if (w != null) {
        return w;
      }
      NavigableMap<byte[], byte[]> m = base.get(keyspace);
      if (m == null) {
        throw new IllegalArgumentException("unknown keyspace: " + keyspace);
      }
      return m;
    }

    private NavigableMap<byte[], byte[]> writable(String keyspace) {
      view(keyspace);
      if (readOnly) {
        throw new IllegalStateException("read-only transaction");
      }
      return working.computeIfAbsent(keyspace, ks -> {
        NavigableMap<byte[], byte[]> copy = new TreeMap<>(Arrays::compareUnsigned);
        copy.putAll(base.get(ks));
        return copy;
      });
    }

    @Override
    public boolean readOnly() {
      return readOnly;
    }

    @Override
    public byte[] get(String keyspace, byte[] key) {
      byte[] v = view(keyspace).get(key);
      return v == null ? null : v.clone();
    }

    @Override
    public void put(String keyspace, byte[] key, byte[] value) {
      writable(keyspace).put(key.clone(), value.clone());
      ops.add(new ReferenceCommitLog.Op(keyspace, key.clone(), value.clone()));
    }

    /** The SPI's default; with {@link Defect#DROPS_BODIES} the head alone. */
    @Override
    public void put(String keyspace, byte[] key, byte[] head, byte[] body) {
      if (backend.defect == Defect.DROPS_BODIES) {
        put(keyspace, key, head);
      } else {
        BackendTransaction.super.put(keyspace, key, head, body);
      }
    }

    /** The SPI's default; with {@link Defect#DROPS_BODIES} the head alone. */
    @Override
    public byte[] putIfAbsent(String keyspace, byte[] key, byte[] head, byte[] body) {
      return backend.defect == Defect.DROPS_BODIES
          ? putIfAbsent(keyspace, key, head)
          : BackendTransaction.super.putIfAbsent(keyspace, key, head, body);
    }

    @Override
    public boolean delete(String keyspace, byte[] key) {
      if (backend.defect == Defect.DROPS_BLOB_DELETES && keyspace.equals("blobs")) {
        return writable(keyspace).containsKey(key);
      }
      ops.add(new ReferenceCommitLog.Op(keyspace, key.clone(), null));
      return writable(keyspace).remove(key) != null;
    }

    /**
     * The SPI's default (reverse order built from forward scans), which the kit thereby checks;
     * with {@link Defect#DESCENDING_SCAN_INCLUDES_UPPER_BOUND} it wrongly includes the bound.
     */
    @Override
    public BackendCursor scanDescending(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
      if (backend.defect == Defect.DESCENDING_SCAN_INCLUDES_UPPER_BOUND && toExclusive != null) {
        toExclusive = Arrays.copyOf(toExclusive, toExclusive.length + 1); // its successor
      }
      return BackendTransaction.super.scanDescending(keyspace, fromInclusive, toExclusive);
    }

    @Override
    public BackendCursor scan(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
      NavigableMap<byte[], byte[]> m = view(keyspace);
      if (backend.defect == Defect.SCAN_IGNORES_UPPER_BOUND) {
        toExclusive = null;
      }
      NavigableMap<byte[], byte[]> range;
      if (fromInclusive != null && toExclusive != null
          && Arrays.compareUnsigned(fromInclusive, toExclusive) >= 0) {
        range = Collections.emptyNavigableMap();
      } else if (fromInclusive != null && toExclusive != null) {
        range = m.subMap(fromInclusive, true, toExclusive, false);
      } else if (fromInclusive != null) {
        range = m.tailMap(fromInclusive, true);
      } else if (toExclusive != null) {
        range = m.headMap(toExclusive, false);
      } else {
        range = m;
      }
      // a write transaction's map may change while the cursor is open: iterate a copy
      Iterator<Map.Entry<byte[], byte[]>> it =
          (readOnly ? range : new TreeMap<>(range)).entrySet().iterator();
      return new BackendCursor() {
        private Map.Entry<byte[], byte[]> current;

        @Override
        public boolean next() {
          if (ended) {
            throw new IllegalStateException("transaction has ended");
          }
          current = it.hasNext() ? it.next() : null;
          return current != null;
        }

        @Override
        public byte[] key() {
          return current.getKey().clone();
        }

        @Override
        public byte[] value() {
          return current.getValue().clone();
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public void commit(Durability durability) {
      if (ended) {
        throw new IllegalStateException("transaction has ended");
      }
      publish(durability);
    }

    private void publish(Durability durability) {
      ended = true;
      if (!readOnly) {
        if (backend.log != null && !ops.isEmpty()) {
          try {
            backend.log.append(ops, durability);
          } catch (RuntimeException e) {
            backend.writer.release();
            throw e;
          }
        }
        if (!working.isEmpty()) {
          Map<String, NavigableMap<byte[], byte[]>> next = new HashMap<>(base);
          working.forEach((ks, m) -> next.put(ks, Collections.unmodifiableNavigableMap(m)));
          backend.committed = Collections.unmodifiableMap(next);
        }
        backend.writer.release();
      }
    }

    @Override
    public void rollback() {
      if (ended) {
        throw new IllegalStateException("transaction has ended");
      }
      discard();
    }

    private void discard() {
      if (backend.defect == Defect.ROLLBACK_KEEPS_WRITES) {
        publish(Durability.ASYNC);
        return;
      }
      ended = true;
      if (!readOnly) {
        backend.writer.release();
      }
    }

    @Override
    public void close() {
      if (!ended) {
        discard();
      }
    }
  }
}
