package dev.cairn.storage.internal;

import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Capability;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A test backend in memory: committed state is an immutable map replaced on each commit, so a
 * read transaction holds a snapshot for free. Stores survive close/reopen within one JVM (keyed
 * by directory) but not a crash, so it does not declare DURABLE. Can inject faults.
 */
public final class MemoryBackendProvider implements BackendProvider {

  static final Map<Path, Map<String, NavigableMap<byte[], byte[]>>> STORES = new ConcurrentHashMap<>();

  /** When set, runs after every read transaction has taken its snapshot (to inject races). */
  static volatile Runnable afterBeginRead;

  /** When set, runs after every get of a {@code beginReadLatest} transaction, with its keyspace. */
  static volatile java.util.function.Consumer<String> afterLatestGet;

  /**
   * When set, gets every {@code get}, {@code put} and {@code putIfAbsent} of a write
   * transaction in the {@code records} keyspace, by name.
   */
  static volatile java.util.function.Consumer<String> recordWrites;

  /** What {@code verifyStructure()} reports (default nothing). */
  static volatile List<String> structureProblems = List.of();

  /** When set, the next commit throws this and applies nothing. */
  static volatile RuntimeException failNextCommit;

  /** How many of the next write commits conflict: throw and apply nothing. */
  static final java.util.concurrent.atomic.AtomicInteger conflictingCommits =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Every write transaction begun, in order: "write" or "alone". */
  static final List<String> writesBegun = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Write transactions committed, by every store (tests compare before and after). */
  static final java.util.concurrent.atomic.AtomicLong COMMITS = new java.util.concurrent.atomic.AtomicLong();

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.ORDERED_SCAN, Capability.CONCURRENT_READERS, Capability.HOT_BACKUP);
  }

  @Override
  public Backend open(BackendConfig config) {
    return new MemoryBackend(config);
  }

  static NavigableMap<byte[], byte[]> newMap() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  private static final class MemoryBackend implements Backend {
    private final Path dir;
    private final ReentrantLock writer = new ReentrantLock();
    private volatile Map<String, NavigableMap<byte[], byte[]>> committed;
    private volatile boolean closed;

    MemoryBackend(BackendConfig config) {
      this.dir = config.directory().toAbsolutePath();
      Map<String, NavigableMap<byte[], byte[]>> state = STORES.computeIfAbsent(dir, d -> new HashMap<>());
      Map<String, NavigableMap<byte[], byte[]>> copy = new HashMap<>();
      for (String ks : config.keyspaces()) {
        NavigableMap<byte[], byte[]> m = newMap();
        if (state.containsKey(ks)) {
          m.putAll(state.get(ks));
        }
        copy.put(ks, m);
      }
      committed = copy;
    }

    private void open() {
      if (closed) {
        throw new StorageClosedException("memory backend closed");
      }
    }

    @Override
    public BackendTransaction beginRead() {
      open();
      Tx tx = new Tx(committed, true);
      Runnable hook = afterBeginRead;
      if (hook != null) {
        hook.run();
      }
      return tx;
    }

    /** Each get reads the latest committed maps (no snapshot), like SQLite's autocommit reads. */
    @Override
    public BackendTransaction beginReadLatest() {
      open();
      return new Tx(null, true);
    }

    @Override
    public BackendTransaction beginWrite() {
      writesBegun.add("write");
      return begin();
    }

    @Override
    public BackendTransaction beginWriteAlone() {
      writesBegun.add("alone");
      return begin();
    }

    private BackendTransaction begin() {
      open();
      writer.lock();
      Map<String, NavigableMap<byte[], byte[]>> work = new HashMap<>();
      committed.forEach((k, v) -> {
        NavigableMap<byte[], byte[]> m = newMap();
        m.putAll(v);
        work.put(k, m);
      });
      return new Tx(work, false);
    }

    @Override
    public void snapshotTo(Path target) {
      Map<String, NavigableMap<byte[], byte[]>> copy = new HashMap<>();
      committed.forEach((k, v) -> {
        NavigableMap<byte[], byte[]> m = newMap();
        m.putAll(v);
        copy.put(k, m);
      });
      STORES.put(target.toAbsolutePath(), copy);
    }

    @Override
    public void optimize() {}

    @Override
    public List<String> verifyStructure() {
      return structureProblems;
    }

    @Override
    public long sizeOnDisk() {
      long n = 0;
      for (NavigableMap<byte[], byte[]> m : committed.values()) {
        for (Map.Entry<byte[], byte[]> e : m.entrySet()) {
          n += e.getKey().length + e.getValue().length;
        }
      }
      return n;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        STORES.put(dir, committed);
      }
    }

    private final class Tx implements BackendTransaction {
      private final Map<String, NavigableMap<byte[], byte[]>> state;
      private final boolean readOnly;
      private boolean done;

      Tx(Map<String, NavigableMap<byte[], byte[]>> state, boolean readOnly) {
        this.state = state;
        this.readOnly = readOnly;
      }

      private NavigableMap<byte[], byte[]> ks(String name) {
        if (done) {
          throw new IllegalStateException("transaction ended");
        }
        NavigableMap<byte[], byte[]> m = (state == null ? committed : state).get(name);
        if (m == null) {
          throw new IllegalArgumentException("unknown keyspace " + name);
        }
        return m;
      }

      @Override
      public boolean readOnly() {
        return readOnly;
      }

      @Override
      public byte[] get(String keyspace, byte[] key) {
        byte[] v = ks(keyspace).get(key);
        noteRecordWrite("get", keyspace);
        java.util.function.Consumer<String> hook = afterLatestGet;
        if (state == null && hook != null) {
          hook.accept(keyspace);
        }
        return v == null ? null : v.clone();
      }

      @Override
      public void put(String keyspace, byte[] key, byte[] value) {
        if (readOnly) {
          throw new IllegalStateException("read-only");
        }
        ks(keyspace).put(key.clone(), value.clone());
        noteRecordWrite("put", keyspace);
      }

      /** In one operation, as a backend that can does it. */
      @Override
      public byte[] putIfAbsent(String keyspace, byte[] key, byte[] value) {
        if (readOnly) {
          throw new IllegalStateException("read-only");
        }
        byte[] old = ks(keyspace).putIfAbsent(key.clone(), value.clone());
        noteRecordWrite("putIfAbsent", keyspace);
        return old == null ? null : old.clone();
      }

      private void noteRecordWrite(String op, String keyspace) {
        java.util.function.Consumer<String> hook = recordWrites;
        if (hook != null && !readOnly && keyspace.equals(RecordStore.RECORDS)) {
          hook.accept(op);
        }
      }

      @Override
      public boolean delete(String keyspace, byte[] key) {
        if (readOnly) {
          throw new IllegalStateException("read-only");
        }
        return ks(keyspace).remove(key) != null;
      }

      @Override
      public BackendCursor scan(String keyspace, byte[] from, byte[] to) {
        NavigableMap<byte[], byte[]> m = ks(keyspace);
        NavigableMap<byte[], byte[]> range;
        if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) {
          range = newMap();
        } else if (from != null && to != null) {
          range = m.subMap(from, true, to, false);
        } else if (from != null) {
          range = m.tailMap(from, true);
        } else if (to != null) {
          range = m.headMap(to, false);
        } else {
          range = m;
        }
        Iterator<Map.Entry<byte[], byte[]>> it = newMapCopy(range).entrySet().iterator();
        return new BackendCursor() {
          Map.Entry<byte[], byte[]> cur;

          @Override
          public boolean next() {
            cur = it.hasNext() ? it.next() : null;
            return cur != null;
          }

          @Override
          public byte[] key() {
            return cur.getKey().clone();
          }

          @Override
          public byte[] value() {
            return cur.getValue().clone();
          }

          @Override
          public void close() {}
        };
      }

      private NavigableMap<byte[], byte[]> newMapCopy(NavigableMap<byte[], byte[]> m) {
        NavigableMap<byte[], byte[]> c = newMap();
        c.putAll(m);
        return c;
      }

      @Override
      public void commit(Durability durability) {
        if (done) {
          throw new IllegalStateException("transaction ended");
        }
        if (!readOnly) {
          RuntimeException f = failNextCommit;
          if (f != null) {
            failNextCommit = null;
            close();
            throw f;
          }
          if (conflictingCommits.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            close();
            throw new dev.cairn.storage.TransactionConflictException("injected conflict");
          }
          committed = state;
          COMMITS.incrementAndGet();
        }
        end();
      }

      @Override
      public void rollback() {
        end();
      }

      @Override
      public void close() {
        if (!done) {
          end();
        }
      }

      private void end() {
        done = true;
        if (!readOnly) {
          writer.unlock();
        }
      }
    }
  }
}
