package dev.cairn.backend.lmdb;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.lmdbjava.ByteBufferProxy;
import org.lmdbjava.CopyFlags;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LMDB {@link Backend}: one environment per directory, one named Dbi per keyspace.
 *
 * <p>Concurrency: every transaction (and a running snapshot) passes the {@link #mapGate}, which
 * grows the map while no transaction runs ({@link LmdbMapGrowthGate}). A read transaction
 * normally runs on a read slot ({@link LmdbReadSlots}) that its thread claims with one
 * compare-and-set on the slot's own state, touching no shared mutable state. Write transactions are
 * serialized by the fair {@link #writerPermit} before LMDB's own writer mutex is touched, so a
 * waiting writer times out in Java instead of blocking forever in native code. Native failures
 * become Cairn exceptions through {@link #errors} ({@link LmdbErrorMapper}).
 */
final class LmdbBackend implements Backend {

  private static final Logger LOG = LoggerFactory.getLogger(LmdbBackend.class);

  static final String DATA_FILE = "data.mdb";
  static final String LOCK_FILE = "lock.mdb";
  /** Held (exclusive OS file lock) while the store is open: one process at a time. */
  static final String OWNER_FILE = "cairn-lmdb.lock";

  /** Directories open in this JVM (LMDB must not be opened twice by one process). */
  private static final Set<Path> OPEN_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  final Path directory;
  final LmdbOptions options;
  final int maxKeySize;
  private final Path registryKey;
  private final FileChannel ownerChannel;
  private final FileLock ownerLock;
  private final Env<ByteBuffer> env;
  private final Map<String, Dbi<ByteBuffer>> dbis;
  /** Maps native failures of this store to Cairn exceptions. */
  final LmdbErrorMapper errors;
  /** Every transaction holds a shared stamp of it; growing the map takes the exclusive side. */
  final LmdbMapGrowthGate mapGate;
  private final Semaphore writerPermit = new Semaphore(1, true);
  /**
   * The read slots (native read transactions, idle between reads either reset or holding the
   * latest snapshot), one per reading thread.
   */
  private final LmdbReadSlots readSlots;
  /** The write transaction and reads without a slot; reads on a slot are found through it. */
  private final Set<LmdbTransaction> openTransactions = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Key buffer of the (single) write transaction. */
  private final ByteBuffer writerKeyBuffer;

  private LmdbBackend(
      Path directory,
      LmdbOptions options,
      Path registryKey,
      FileChannel ownerChannel,
      FileLock ownerLock,
      Env<ByteBuffer> env,
      Map<String, Dbi<ByteBuffer>> dbis) {
    this.directory = directory;
    this.options = options;
    this.registryKey = registryKey;
    this.ownerChannel = ownerChannel;
    this.ownerLock = ownerLock;
    this.env = env;
    this.dbis = dbis;
    this.maxKeySize = env.getMaxKeySize();
    this.writerKeyBuffer = ByteBuffer.allocateDirect(maxKeySize);
    this.errors = new LmdbErrorMapper(directory, options.maxReaders());
    this.readSlots = new LmdbReadSlots(directory, options.readTxnPoolSize());
    this.mapGate = new LmdbMapGrowthGate(env, directory, options, errors, closed, readSlots);
  }

  // ---------------------------------------------------------------------------------- opening

  static LmdbBackend open(BackendConfig config) {
    Objects.requireNonNull(config, "config");
    LmdbOptions options = LmdbOptions.from(config);
    Path dir = config.directory().toAbsolutePath().normalize();
    prepareDirectory(dir);
    Path real;
    try {
      real = dir.toRealPath();
    } catch (IOException e) {
      throw new BackendException("cannot resolve LMDB store directory " + dir + ": " + e, e);
    }
    if (!OPEN_IN_THIS_JVM.add(real)) {
      throw new BackendException(
          "LMDB store " + dir + " is already open in this JVM; share the open backend (LMDB"
              + " must not be opened twice by one process)");
    }
    FileChannel channel = null;
    Env<ByteBuffer> env = null;
    try {
      channel =
          FileChannel.open(
              real.resolve(OWNER_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new BackendException(
            "LMDB store " + dir + " is in use by another process (it holds " + OWNER_FILE + ")");
      }
      long dataSize = dataFileSize(dir.resolve(DATA_FILE));
      if (dataSize == 0) {
        createDataFile(dir);
        dataSize = dataFileSize(dir.resolve(DATA_FILE));
      }
      checkBeforeOpen(dir.resolve(DATA_FILE), dataSize, options);
      env = openEnv(dir, dataSize, config, options);
      int stale = env.readerCheck();
      if (stale > 0) {
        LOG.info("LMDB store {}: cleared {} stale reader slot(s) of dead processes", dir, stale);
      }
      Map<String, Dbi<ByteBuffer>> dbis = new LinkedHashMap<>();
      for (String keyspace : new TreeSet<>(config.keyspaces())) {
        dbis.put(keyspace, openDbi(env, dir, keyspace));
      }
      LmdbBackend backend =
          new LmdbBackend(dir, options, real, channel, lock, env, Map.copyOf(dbis));
      LOG.debug("opened LMDB store {} (map {} bytes, keyspaces {})", dir, backend.mapSize(), dbis.keySet());
      return backend;
    } catch (IOException e) {
      cleanupFailedOpen(real, channel, env);
      throw new BackendException("cannot lock LMDB store " + dir + ": " + e, e);
    } catch (RuntimeException e) {
      cleanupFailedOpen(real, channel, env);
      throw e;
    }
  }

  private static void cleanupFailedOpen(Path real, FileChannel channel, Env<ByteBuffer> env) {
    if (env != null) {
      env.close();
    }
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.debug("closing {} failed", OWNER_FILE, e);
      }
    }
    OPEN_IN_THIS_JVM.remove(real);
  }

  private static void prepareDirectory(Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new BackendException("LMDB store path " + dir + " exists and is not a directory");
    }
    if (!Files.exists(dir)) {
      try {
        Files.createDirectories(dir);
      } catch (AccessDeniedException | java.nio.file.ReadOnlyFileSystemException e) {
        throw new BackendException(
            "cannot create LMDB store directory " + dir + ": permission denied or read-only", e);
      } catch (IOException e) {
        throw new BackendException("cannot create LMDB store directory " + dir + ": " + e, e);
      }
    }
    if (!Files.isWritable(dir)) {
      throw new BackendException(
          "LMDB store directory "
              + dir
              + " is read-only; LMDB needs write access to create and update "
              + DATA_FILE
              + " and "
              + LOCK_FILE);
    }
    for (String f : new String[] {DATA_FILE, LOCK_FILE}) {
      Path p = dir.resolve(f);
      if (Files.exists(p) && !Files.isWritable(p)) {
        throw new BackendException("LMDB file " + p + " is read-only; LMDB needs write access");
      }
    }
  }

  /**
   * Checks the data file before LMDB maps it ({@link LmdbFileCheck}): every page when the file
   * is at most {@code lmdb.fullCheckMaxBytes}, else the meta pages and the free list, whose damage
   * would crash the first write.
   */
  private static void checkBeforeOpen(Path data, long size, LmdbOptions options) {
    LmdbFileCheck.Scope scope = size <= options.fullCheckMaxBytes()
        ? LmdbFileCheck.Scope.ALL
        : LmdbFileCheck.Scope.FREE_LIST;
    long start = System.nanoTime();
    LmdbFileCheck.check(data, scope);
    long ms = (System.nanoTime() - start) / 1_000_000;
    if (ms >= 1000) {
      LOG.info("LMDB store {}: checked {} ({} bytes, {}) in {} ms", data.getParent(), DATA_FILE,
          size, scope == LmdbFileCheck.Scope.ALL ? "every page" : "meta pages and free list", ms);
    }
  }

  /**
   * Creates {@code data.mdb} whole or not at all. LMDB writes a new file's two meta pages without
   * syncing them and never syncs the directory, so a power loss after the first commits could
   * drop the file's directory entry (and every commit with it), and one during the first open
   * could leave a torn file that LMDB refuses forever as not an LMDB file. So LMDB creates it
   * under a temporary name ({@code MDB_NOSUBDIR}), syncs it, and it is renamed into place and
   * the directory synced: {@code data.mdb} appears complete and durable, or not at all.
   */
  private static void createDataFile(Path dir) {
    Path data = dir.resolve(DATA_FILE);
    Path tmp = dir.resolve(DATA_FILE + ".creating");
    Path tmpLock = dir.resolve(DATA_FILE + ".creating-lock");
    try {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(tmpLock);
      Env<ByteBuffer> env = Env.create(ByteBufferProxy.PROXY_OPTIMAL)
          .setMapSize(LmdbOptions.alignUp(1L << 20))
          .setMaxDbs(1)
          .open(tmp.toFile(), EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_NOTLS);
      try {
        env.sync(true);
      } finally {
        env.close();
      }
      Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.deleteIfExists(tmpLock);
    } catch (IOException | LmdbException e) {
      throw new BackendException("cannot create " + data + ": " + e, e);
    } catch (LinkageError e) {
      throw LmdbErrorMapper.nativeLibraryMissing(e);
    }
    fsyncDirectory(dir);
  }

  /** The size of {@code data.mdb}, 0 when it does not exist yet. */
  private static long dataFileSize(Path data) {
    try {
      return Files.exists(data) ? Files.size(data) : 0;
    } catch (IOException e) {
      throw new BackendException("cannot read size of " + data + ": " + e, e);
    }
  }

  private static Env<ByteBuffer> openEnv(
      Path dir, long fileSize, BackendConfig config, LmdbOptions options) {
    long initial = initialMapSize(options, fileSize);
    if (fileSize > options.mapSizeMax()) {
      LOG.warn(
          "LMDB store {}: {} is {} bytes, above lmdb.mapSizeMax={}; it stays readable but cannot grow",
          dir, DATA_FILE, fileSize, options.mapSizeMax());
    }
    try {
      return Env.create(ByteBufferProxy.PROXY_OPTIMAL)
          .setMapSize(initial)
          .setMaxDbs(Math.max(1, config.keyspaces().size()))
          .setMaxReaders(options.maxReaders())
          .open(dir.toFile(), EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOMETASYNC);
    } catch (LmdbException e) {
      throw LmdbErrorMapper.openFailure(dir, e);
    } catch (LinkageError e) {
      throw LmdbErrorMapper.nativeLibraryMissing(e);
    }
  }

  /**
   * The map size to open with: at least {@code lmdb.mapSize}, twice the current data file (so
   * a reopened store does not have to grow at once) capped at the maximum, never below the file.
   */
  static long initialMapSize(LmdbOptions options, long fileSize) {
    long wanted = Math.max(options.mapSize(), fileSize > Long.MAX_VALUE / 2 ? fileSize : fileSize * 2);
    long size = Math.min(wanted, options.mapSizeMax());
    return LmdbOptions.alignUp(Math.max(size, fileSize));
  }

  private static Dbi<ByteBuffer> openDbi(Env<ByteBuffer> env, Path dir, String keyspace) {
    try {
      return env.openDbi(keyspace, DbiFlags.MDB_CREATE);
    } catch (LmdbException e) {
      throw new BackendException(
          "cannot open keyspace '" + keyspace + "' in LMDB store " + dir + ": " + e.getMessage(),
          e);
    }
  }

  // ---------------------------------------------------------------------------- transactions

  /**
   * Begins a read. The common case claims this thread's read slot (one compare-and-set on the
   * slot's own cache line), checks that no growth or close() is under way, and renews the slot's
   * native transaction unless its snapshot is still the latest
   * ({@link LmdbReadSlots#makeCurrent}): no write to memory other threads use. Everything else
   * goes through {@link #beginReadSlow()}.
   */
  @Override
  public BackendTransaction beginRead() {
    checkOpen();
    LmdbReadSlots.Slot slot = readSlots.claimCached();
    if (slot != null) {
      // Claiming first and checking second: a growth sets its flag first and then freezes the
      // slots, so either it sees this slot in use and waits, or this read sees the flag.
      if (!mapGate.exclusivePending() && !closed.get()) {
        return startOnSlot(slot);
      }
      readSlots.release(slot);
    }
    return beginReadSlow();
  }

  /**
   * A read whose thread has no idle slot (none yet, another thread took it, a nested read), or
   * that met a pending growth or close(). Under a shared stamp (waiting out a pending growth
   * unless this thread already holds a transaction) it claims any idle or empty slot; the slot
   * then protects the read and the stamp is released at once. With every slot busy, the read gets
   * a native transaction of its own, which holds the stamp until it ends.
   */
  private BackendTransaction beginReadSlow() {
    AtomicInteger cell = mapGate.stampCell();
    long stamp = mapGate.acquireShared(cell);
    try {
      checkOpen();
      LmdbReadSlots.Slot slot = readSlots.claimAny();
      if (slot != null) {
        return startOnSlot(slot);
      }
      Txn<ByteBuffer> own;
      try {
        own = env.txnRead();
      } catch (LmdbException e) {
        throw errors.translate("begin read transaction", e);
      }
      LmdbReadSlots.Slot alone =
          LmdbReadSlots.Slot.standalone(own, ByteBuffer.allocateDirect(maxKeySize));
      LmdbReadTransaction txn = new LmdbReadTransaction(this, alone, stamp, cell);
      stamp = 0; // the transaction releases it
      register(txn);
      return txn;
    } finally {
      if (stamp != 0) {
        mapGate.releaseShared(stamp, cell);
      }
    }
  }

  /**
   * Starts a read transaction on a slot this thread has claimed (ACTIVE): makes its native
   * transaction's snapshot the latest, or creates it if the slot is empty. Holds the new
   * transaction's monitor meanwhile, so close() (which may see the transaction as soon as it is
   * published) waits for the native call to finish before it ends it.
   */
  private LmdbReadTransaction startOnSlot(LmdbReadSlots.Slot slot) {
    LmdbReadTransaction txn = new LmdbReadTransaction(this, slot, 0, null);
    synchronized (txn) {
      slot.publish(txn);
      try {
        if (slot.txn == null) {
          if (slot.keyBuffer == null) {
            slot.keyBuffer = ByteBuffer.allocateDirect(maxKeySize);
          }
          readSlots.begin(slot, env);
        } else {
          readSlots.makeCurrent(slot);
        }
      } catch (LmdbException e) {
        txn.state = LmdbTransaction.State.FAILED;
        readSlots.discard(slot);
        throw errors.translate("begin read transaction", e);
      } catch (RuntimeException | Error e) {
        txn.state = LmdbTransaction.State.FAILED;
        readSlots.discard(slot);
        throw e;
      }
    }
    return txn;
  }

  /**
   * One read without a transaction object: claims this thread's read slot, makes its native
   * transaction's snapshot the latest (no native call when nothing was committed since the
   * slot's last read), looks the key up, hands the value in the memory map to {@code reader},
   * and gives the slot back (its snapshot reset if a commit began meanwhile). While it runs the
   * slot is ACTIVE, so a map growth or {@link #close()} waits for it (it publishes no
   * transaction: there is nothing to abandon, and it ends by itself); {@code reader} runs no code
   * of the backend's callers but the engine's parse. Without an idle slot of its own, or when a
   * growth or close() is pending, it reads in a transaction as {@link #beginRead()} begins it.
   */
  @Override
  public <T> T readLatest(String keyspace, byte[] key, Function<ByteBuffer, T> reader) {
    Dbi<ByteBuffer> dbi = dbi(keyspace);
    checkKey(key);
    checkOpen();
    LmdbReadSlots.Slot slot = readSlots.claimCached();
    if (slot != null) {
      // claimed first, checked second, as in beginRead()
      if (!mapGate.exclusivePending() && !closed.get()) {
        return readOnSlot(slot, dbi, key, reader);
      }
      readSlots.release(slot);
    }
    return Backend.super.readLatest(keyspace, key, reader);
  }

  private <T> T readOnSlot(LmdbReadSlots.Slot slot, Dbi<ByteBuffer> dbi, byte[] key,
      Function<ByteBuffer, T> reader) {
    Txn<ByteBuffer> txn = slot.txn; // an idle slot has one
    try {
      readSlots.makeCurrent(slot);
    } catch (LmdbException e) {
      readSlots.discard(slot);
      throw errors.translate("begin read transaction", e);
    } catch (RuntimeException | Error e) {
      readSlots.discard(slot);
      throw e;
    }
    try {
      ByteBuffer value;
      try {
        value = dbi.get(txn, LmdbTransaction.fill(slot.keyBuffer, key));
      } catch (LmdbException e) {
        throw errors.translate("read", e);
      }
      if (value == null) {
        return null;
      }
      checkEntrySize(value);
      return reader.apply(value);
    } finally {
      readSlots.endUse(slot); // kept if still the latest, else reset
    }
  }

  /**
   * {@code buffer}'s size, if it can be the size of an entry in the map. LMDB has no checksums:
   * a damaged page can describe an entry of impossible size (negative once lmdbjava narrows it
   * to an int, or larger than the map), which must become a {@link DataCorruptionException},
   * not an allocation of that size or a read outside the map.
   */
  int checkEntrySize(ByteBuffer buffer) {
    int n = buffer.remaining();
    if (n < 0 || buffer.capacity() < 0 || n > mapSize()) {
      throw new DataCorruptionException("data.mdb is corrupted: an entry claims " + n
          + " bytes in a map of " + mapSize());
    }
    return n;
  }

  @Override
  public BackendTransaction beginWrite() {
    checkOpen();
    acquireWriterPermit("begin a write transaction");
    long stamp = 0;
    AtomicInteger cell = mapGate.stampCell();
    LmdbWriteTransaction w;
    try {
      checkOpen();
      stamp = mapGate.acquireShared(cell);
      Txn<ByteBuffer> txn = env.txnWrite();
      w = new LmdbWriteTransaction(this, txn, stamp, cell);
    } catch (RuntimeException e) {
      if (stamp != 0) {
        mapGate.releaseShared(stamp, cell);
      }
      writerPermit.release();
      throw e instanceof LmdbException
          ? errors.translate("begin write transaction", (LmdbException) e)
          : e;
    }
    // Outside the try: if close() came first, register ends the transaction, which releases
    // its stamp and the writer permit; releasing them again here (as this code once did)
    // unbalanced the map lock, and a reader's release later failed.
    register(w);
    return w;
  }

  private void acquireWriterPermit(String what) {
    try {
      if (!writerPermit.tryAcquire(options.writerTimeoutMs(), TimeUnit.MILLISECONDS)) {
        throw new BackendException(
            "timed out after "
                + options.writerTimeoutMs()
                + " ms waiting for the write transaction of another thread to end, to " + what
                + " (LMDB allows one writer; see lmdb.writerTimeoutMs)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted while waiting for the LMDB writer, to " + what, e);
    }
  }

  private void register(LmdbTransaction txn) {
    openTransactions.add(txn);
    if (closed.get()) {
      // close() may have missed it; end it ourselves.
      txn.close();
      throw closedError();
    }
  }

  /**
   * Called by a read transaction when it ends (under its monitor, native txn still READY): a
   * slot is given back ({@link LmdbReadSlots#endUse}); a native transaction of its own is aborted
   * and its stamp released.
   */
  void endRead(LmdbReadTransaction txn, LmdbReadSlots.Slot slot, long stamp, AtomicInteger cell) {
    if (slot.pooled()) {
      readSlots.endUse(slot); // kept if still the latest, else reset
      return;
    }
    unregister(txn);
    try {
      slot.txn.close();
    } catch (LmdbException e) {
      LOG.warn("LMDB store {}: ending a read transaction failed", directory, e);
    } finally {
      mapGate.releaseShared(stamp, cell);
    }
  }

  /** The read slots: told of each commit by the write transaction; inspected by tests. */
  LmdbReadSlots readSlots() {
    return readSlots;
  }

  void unregister(LmdbTransaction txn) {
    openTransactions.remove(txn);
  }

  void releaseWriter(long stamp, AtomicInteger cell, boolean committed) {
    try {
      if (stamp != 0) {
        mapGate.releaseShared(stamp, cell);
      }
      if (committed) {
        mapGate.growAhead();
      }
    } finally {
      writerPermit.release();
    }
  }

  Txn<ByteBuffer> newWriteTxn() {
    return env.txnWrite();
  }

  boolean isClosed() {
    return closed.get();
  }

  Dbi<ByteBuffer> dbi(String keyspace) {
    Dbi<ByteBuffer> dbi = keyspace == null ? null : dbis.get(keyspace); // null: unknown too
    if (dbi == null) {
      throw new IllegalArgumentException(
          "unknown keyspace '" + keyspace + "' (this store has " + new TreeSet<>(dbis.keySet()) + ")");
    }
    return dbi;
  }

  ByteBuffer writerKeyBuffer() {
    return writerKeyBuffer;
  }

  /** Rejects keys LMDB cannot store, before they reach native code. */
  void checkKey(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length == 0) {
      throw new IllegalArgumentException("key must not be empty");
    }
    if (key.length > maxKeySize) {
      throw new IllegalArgumentException(
          "key is " + key.length + " bytes; LMDB keys are at most " + maxKeySize + " bytes");
    }
  }

  long mapSize() {
    return mapGate.mapSize();
  }

  /** Forces committed data (and LMDB's meta page) to stable storage. */
  void sync() {
    try {
      env.sync(true);
    } catch (LmdbException e) {
      throw errors.translate("sync to disk", e);
    }
  }

  // ---------------------------------------------------------------------------- maintenance

  @Override
  public void snapshotTo(Path target) {
    Objects.requireNonNull(target, "target");
    checkOpen();
    Path t = target.toAbsolutePath().normalize();
    if (t.equals(directory)) {
      throw new IllegalArgumentException("target must not be the store's own directory: " + t);
    }
    try {
      if (Files.exists(t)) {
        if (!Files.isDirectory(t)) {
          throw new IllegalArgumentException("target exists and is not a directory: " + t);
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(t)) {
          if (entries.iterator().hasNext()) {
            throw new IllegalArgumentException("target directory is not empty: " + t);
          }
        }
      } else {
        Files.createDirectories(t);
      }
    } catch (IOException e) {
      throw new BackendException("cannot prepare snapshot directory " + t + ": " + e, e);
    }
    AtomicInteger cell = mapGate.stampCell();
    long stamp = mapGate.acquireShared(cell);
    try {
      checkOpen();
      // A compacting copy runs in its own read transaction: a consistent snapshot that does not
      // block the writer.
      env.copy(t.toFile(), CopyFlags.MDB_CP_COMPACT);
    } catch (LmdbException e) {
      throw errors.translate("copy the store to " + t, e);
    } finally {
      mapGate.releaseShared(stamp, cell);
    }
    try {
      try (FileChannel ch = FileChannel.open(t.resolve(DATA_FILE), StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      fsyncDirectory(t);
    } catch (IOException e) {
      throw new BackendException("cannot sync snapshot " + t + ": " + e, e);
    }
  }

  private static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Not every platform can open a directory for fsync (Windows); the file itself is synced.
      LOG.debug("directory fsync of {} not supported", dir, e);
    }
  }

  @Override
  public void optimize() {
    checkOpen();
    AtomicInteger cell = mapGate.stampCell();
    long stamp = mapGate.acquireShared(cell);
    try {
      checkOpen();
      int stale = env.readerCheck();
      if (stale > 0) {
        LOG.info("LMDB store {}: cleared {} stale reader slot(s)", directory, stale);
      }
      env.sync(true);
    } catch (LmdbException e) {
      throw errors.translate("optimize", e);
    } finally {
      mapGate.releaseShared(stamp, cell);
    }
  }

  /**
   * Walks every page of the snapshot a read transaction pins ({@link LmdbFileCheck}), reading
   * {@code data.mdb} in Java: a damaged page becomes a reported problem here, where LMDB's own
   * walk could crash the JVM. The meta page read from the file is the pinned snapshot's only when
   * no commit slipped in between; the check retries until it is, then holds the writer permit.
   */
  @Override
  public List<String> verifyStructure() {
    checkOpen();
    Path data = directory.resolve(DATA_FILE);
    try {
      for (int attempt = 0; attempt < 10; attempt++) {
        if (checkPinned(data)) {
          return List.of();
        }
      }
      acquireWriterPermit("check the store's structure");
      try {
        if (checkPinned(data)) {
          return List.of();
        }
      } finally {
        writerPermit.release();
      }
      throw new BackendException("cannot check " + data + ": its meta page does not match the"
          + " newest snapshot even with writers held off");
    } catch (DataCorruptionException e) {
      return List.of(e.getMessage());
    }
  }

  /** Checks the newest snapshot if it is still the newest once pinned; false if a commit raced. */
  private boolean checkPinned(Path data) {
    LmdbFileCheck.Meta before = LmdbFileCheck.readMeta(data);
    try (LmdbReadTransaction rtx = (LmdbReadTransaction) beginRead()) {
      LmdbFileCheck.Meta after = LmdbFileCheck.readMeta(data);
      if (before == null || !before.equals(after) || rtx.nativeTxn().getId() != before.txnId()) {
        return false;
      }
      LmdbFileCheck.check(data, before);
      return true;
    }
  }

  @Override
  public long sizeOnDisk() {
    checkOpen();
    long total = 0;
    for (String f : new String[] {DATA_FILE, LOCK_FILE}) {
      try {
        Path p = directory.resolve(f);
        if (Files.exists(p)) {
          total += Files.size(p);
        }
      } catch (IOException e) {
        throw new BackendException("cannot read size of " + directory.resolve(f) + ": " + e, e);
      }
    }
    return total;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Readers first: a writer that is growing the map waits for them.
    for (LmdbTransaction txn : openTransactions) {
      if (txn.readOnly()) {
        txn.abandon();
      }
    }
    readSlots.abandonActive();
    for (LmdbTransaction txn : openTransactions) {
      txn.abandon();
    }
    // Waits for a running snapshot and abandoned transactions, and freezes every read slot;
    // ends reads on slots that began while close() ran (they see the closed flag or are ended
    // here).
    long ws = 0;
    boolean interrupted = false;
    while (ws == 0) {
      try {
        ws = mapGate.acquireExclusive(-1, readSlots::abandonActive);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    try {
      readSlots.freeFrozen();
      env.close();
    } catch (LmdbException e) {
      LOG.warn("LMDB store {}: closing the environment failed", directory, e);
    } finally {
      mapGate.releaseExclusive(ws);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      try {
        ownerLock.release();
        ownerChannel.close();
      } catch (IOException e) {
        LOG.debug("releasing {} failed", OWNER_FILE, e);
      }
      OPEN_IN_THIS_JVM.remove(registryKey);
      LOG.debug("closed LMDB store {}", directory);
    }
  }

  /** Waits for the writer permit during close; true if acquired (and released again). */
  boolean awaitWriterForClose() {
    try {
      if (writerPermit.tryAcquire(options.writerTimeoutMs(), TimeUnit.MILLISECONDS)) {
        writerPermit.release();
        return true;
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  void checkOpen() {
    if (closed.get()) {
      throw closedError();
    }
  }

  IllegalStateException closedError() {
    return closedError(directory);
  }

  static IllegalStateException closedError(Path directory) {
    return new IllegalStateException("LMDB backend " + directory + " is closed");
  }
}
