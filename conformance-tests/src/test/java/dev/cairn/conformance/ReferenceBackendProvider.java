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
 * state), one writer at a time. Not durable; {@link #snapshotTo} writes the committed state to
 * a file that {@link #open} loads, so it offers {@link Capability#HOT_BACKUP}.
 *
 * <p>A {@link Defect} turns it into one of the broken fixtures the kit must reject.
 */
final class ReferenceBackendProvider implements BackendProvider {

  /** Deliberate defects. */
  enum Defect {
    NONE,
    /** rollback and close-without-commit publish the writes anyway. */
    ROLLBACK_KEEPS_WRITES,
    /** scan ignores its upper bound. */
    SCAN_IGNORES_UPPER_BOUND,
    /**
     * deletes in the engine's {@code blobs} keyspace report success but keep the entry: to the
     * engine it looks like a skipped blob removal (a refcount bug), which the storage kit must
     * catch.
     */
    DROPS_BLOB_DELETES
  }

  private static final String SNAPSHOT_FILE = "reference-backend.snapshot";

  private final Defect defect;

  ReferenceBackendProvider() {
    this(Defect.NONE);
  }

  ReferenceBackendProvider(Defect defect) {
    this.defect = defect;
  }

  @Override
  public String name() {
    return defect == Defect.NONE ? "reference" : "broken-" + defect.name().toLowerCase();
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.ORDERED_SCAN, Capability.CONCURRENT_READERS, Capability.HOT_BACKUP);
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
    return new MemoryBackend(freeze(state), defect);
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
    private volatile Map<String, NavigableMap<byte[], byte[]>> committed;
    private volatile boolean closed;

    MemoryBackend(Map<String, NavigableMap<byte[], byte[]>> initial, Defect defect) {
      this.committed = initial;
      this.defect = defect;
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
      return 0;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static final class Tx implements BackendTransaction {
    private final MemoryBackend backend;
    private final boolean readOnly;
    private final Map<String, NavigableMap<byte[], byte[]>> base;
    private final Map<String, NavigableMap<byte[], byte[]>> working = new HashMap<>();
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
    }

    @Override
    public boolean delete(String keyspace, byte[] key) {
      if (backend.defect == Defect.DROPS_BLOB_DELETES && keyspace.equals("blobs")) {
        return writable(keyspace).containsKey(key);
      }
      return writable(keyspace).remove(key) != null;
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
      publish();
    }

    private void publish() {
      ended = true;
      if (!readOnly) {
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
        publish();
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
