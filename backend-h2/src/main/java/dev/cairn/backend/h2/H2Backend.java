package dev.cairn.backend.h2;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.h2.mvstore.RootReference;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An H2 MVStore file with one map per keyspace.
 *
 * <p>Concurrency: one write transaction at a time (a fair semaphore; {@code h2.writerTimeoutMs}),
 * which edits the live maps and keeps an undo log. The MVStore runs with auto-commit disabled,
 * so the file is only written when this class commits the store, always at a transaction
 * boundary: a crash can never persist half a transaction. After each commit the roots of all
 * maps are published as a {@link Snapshot}; read transactions take the current snapshot without
 * locking and read it for their whole life.
 */
final class H2Backend implements Backend {

  private static final Logger LOG = LoggerFactory.getLogger(H2Backend.class);

  static final String FILE_NAME = "store.mv.db";
  static final String META_MAP = "cairn.meta";
  static final String KEYSPACE_PREFIX = "ks.";
  static final String FORMAT = "1";

  /** How long {@link #close} waits for readers to give back their snapshots. */
  private static final long CLOSE_WAIT_MS = 2_000;

  /** {@link #optimize} rewrites chunks until this percentage of their bytes is live. */
  static final int COMPACT_FILL_RATE = 80;

  /** How many bytes of live pages one round of {@link #optimize} rewrites at most. */
  private static final int COMPACT_ROUND_BYTES = 16 << 20;

  /** A bound on {@link #optimize}'s rounds, whatever the time budget. */
  private static final int MAX_COMPACT_ROUNDS = 1_000;

  /** How many bytes {@link #snapshotTo} copies between commits of the target store. */
  private static final long SNAPSHOT_COMMIT_BYTES = 8L << 20;

  private final Path directory;
  private final Path file;
  private final H2Options options;
  private final MVStore store;
  private final HeaderSyncingFileStore fileStore;
  /** Configured keyspace name -> map. */
  private final Map<String, MVMap<byte[], byte[]>> keyspaces;
  /** Every keyspace map of the file (configured or left by an earlier open), by map name. */
  private final Map<String, MVMap<byte[], byte[]>> allMaps;
  private final Semaphore writer = new Semaphore(1, true);
  private final Set<H2Transaction> open = ConcurrentHashMap.newKeySet();
  /** Snapshots whose MVStore version is still pinned (see {@link Snapshot}). */
  private final Set<Snapshot> pinnedSnapshots = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService flusher;
  private volatile Thread writerThread;
  private volatile Snapshot published;
  private volatile boolean closed;
  private volatile RuntimeException failure;
  /** Commits made visible but not yet synced to the file; guarded by {@link #writer}. */
  private boolean unsynced;

  private H2Backend(
      Path directory,
      Path file,
      H2Options options,
      MVStore store,
      HeaderSyncingFileStore fileStore,
      Map<String, MVMap<byte[], byte[]>> keyspaces,
      Map<String, MVMap<byte[], byte[]>> allMaps) {
    this.directory = directory;
    this.file = file;
    this.options = options;
    this.store = store;
    this.fileStore = fileStore;
    this.keyspaces = keyspaces;
    this.allMaps = allMaps;
    if (options.asyncFlushMs() > 0) {
      flusher =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "cairn-h2-flush " + directory.getFileName());
                t.setDaemon(true);
                return t;
              });
      flusher.scheduleWithFixedDelay(
          this::flushAsyncCommits,
          options.asyncFlushMs(),
          options.asyncFlushMs(),
          TimeUnit.MILLISECONDS);
    } else {
      flusher = null;
    }
  }

  static H2Backend open(BackendConfig config, H2Options options) {
    Path dir = config.directory().toAbsolutePath();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new BackendException("H2 store directory " + dir + " is a file, not a directory");
    }
    try {
      Files.createDirectories(dir);
    } catch (AccessDeniedException e) {
      throw new BackendException(
          "cannot create H2 store directory " + dir + ": permission denied (read-only location?)", e);
    } catch (IOException e) {
      if (H2Errors.isOutOfSpace(e)) {
        throw new dev.cairn.storage.StorageFullException("no space to create " + dir, e);
      }
      throw new BackendException("cannot create H2 store directory " + dir + ": " + e, e);
    }
    Path file = dir.resolve(FILE_NAME);
    checkWritable(dir, file);
    if (!Files.exists(file)) {
      createFile(dir, file);
    }

    // Our file store keeps the store header naming the newest chunk, which crash recovery
    // needs and MVStore does not always do (HeaderSyncingFileStore says why).
    HeaderSyncingFileStore fileStore = new HeaderSyncingFileStore(options.cacheSizeMb());
    MVStore store;
    boolean fileOpened = false;
    try {
      // "retry:" makes H2 reopen the channel when a thread is interrupted mid-I/O
      // instead of failing the whole store (FileChannel closes on interrupt).
      fileStore.open("retry:" + file, false, null);
      fileOpened = true;
      MVStore.Builder builder =
          new MVStore.Builder().adoptFileStore(fileStore).autoCommitDisabled();
      if (options.compress()) {
        builder.compress();
      }
      store = builder.open();
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      if (fileOpened) {
        try {
          fileStore.close(); // a no-op if MVStore closed it already
        } catch (RuntimeException | AssertionError suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw H2Errors.onOpen(e, file);
    }
    try {
      checkNoDurableCommitLost(fileStore, file);
      // Old versions are only needed by our own read snapshots, which pin them with
      // registerVersionUsage; MVStore's default of 5 extra versions would keep dead chunks
      // (deleted data) from ever being freed by optimize().
      store.setVersionsToKeep(0);
      Set<String> names = store.getMapNames();
      if (!names.isEmpty() && !names.contains(META_MAP)) {
        throw new BackendException(
            FILE_NAME + " in " + dir + " is an H2 file that Cairn did not create (it holds maps "
                + new TreeSet<>(names) + "); refusing to use it");
      }
      boolean changed = false;
      MVMap<String, String> meta = openMetaMap(store);
      String format = meta.get("format");
      if (format == null) {
        markFormat(store, "cairn-backend-h2");
        changed = true;
      } else if (!FORMAT.equals(format)) {
        throw new BackendException(
            FILE_NAME + " in " + dir + " has Cairn H2 format " + format
                + ", this version reads format " + FORMAT);
      }
      Map<String, MVMap<byte[], byte[]>> all = new LinkedHashMap<>();
      for (String name : new TreeSet<>(names)) {
        if (name.startsWith(KEYSPACE_PREFIX)) {
          all.put(name, openKeyspaceMap(store, name));
        }
      }
      Map<String, MVMap<byte[], byte[]>> configured = new HashMap<>();
      for (String ks : new TreeSet<>(config.keyspaces())) {
        String name = KEYSPACE_PREFIX + ks;
        MVMap<byte[], byte[]> map = all.get(name);
        if (map == null) {
          map = openKeyspaceMap(store, name);
          all.put(name, map);
          changed = true;
        }
        configured.put(ks, map);
      }
      if (changed) {
        store.commit();
        fileStore.syncNamingNewestChunk();
      }
      H2Backend backend =
          new H2Backend(
              dir,
              file,
              options,
              store,
              fileStore,
              Collections.unmodifiableMap(configured),
              Collections.unmodifiableMap(all));
      backend.publish();
      LOG.debug("opened H2 store {} with keyspaces {} and options {}", file, configured.keySet(),
          options.describe());
      return backend;
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      try {
        store.closeImmediately();
      } catch (RuntimeException | AssertionError | StackOverflowError suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof StorageException se) {
        throw se;
      }
      throw H2Errors.onOpen(e, file);
    }
  }

  /**
   * Refuses a file whose crash recovery opened an older version than the header says was made
   * durable, less one (a commit torn by a power loss before its fsync returned, never
   * acknowledged). Only damage to the newest chunks makes MVStore fall back further, and it does
   * so silently, dropping acknowledged commits ({@link HeaderSyncingFileStore}).
   */
  private static void checkNoDurableCommitLost(HeaderSyncingFileStore fileStore, Path file) {
    long durable = fileStore.durableVersion();
    long recovered = fileStore.lastChunkVersion();
    if (durable >= 0 && recovered < durable - 1) {
      throw new DataCorruptionException(
          FILE_NAME + " is damaged: H2's recovery found version " + recovered
              + " intact, but commits up to version " + durable + " had been made durable; opening"
              + " it would silently drop them. Restore the store from a backup (or salvage what"
              + " H2's recovery tool can read): " + file);
    }
  }

  private static MVMap<String, String> openMetaMap(MVStore store) {
    return store.openMap(
        META_MAP,
        new MVMap.Builder<String, String>()
            .keyType(StringDataType.INSTANCE)
            .valueType(StringDataType.INSTANCE));
  }

  /** Writes the format marker that makes a file a Cairn H2 store (not yet committed). */
  private static void markFormat(MVStore store, String createdBy) {
    MVMap<String, String> meta = openMetaMap(store);
    meta.put("format", FORMAT);
    meta.put("createdBy", createdBy);
  }

  private static MVMap<byte[], byte[]> openKeyspaceMap(MVStore store, String name) {
    return store.openMap(
        name,
        new MVMap.Builder<byte[], byte[]>()
            .keyType(UnsignedBytesType.INSTANCE)
            .valueType(ByteArrayDataType.INSTANCE));
  }

  /**
   * Creates {@code store.mv.db} whole or not at all. MVStore syncs its file but never the
   * directory, so a power loss after the first commits could drop a new file's directory entry
   * and every commit with it, and one while MVStore writes its first header blocks could leave a
   * file it refuses as corrupt. So the file is written under a temporary name with the format
   * marker committed and synced, renamed into place, and the directory synced (as
   * {@link #snapshotTo} does).
   */
  private static void createFile(Path dir, Path file) {
    Path tmp = dir.resolve(FILE_NAME + ".creating");
    try {
      Files.deleteIfExists(tmp);
      MVStore store = new MVStore.Builder().fileName(tmp.toString()).autoCommitDisabled().open();
      try {
        markFormat(store, "cairn-backend-h2");
        store.commit();
        store.sync();
      } finally {
        store.close();
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (H2Errors.isOutOfSpace(e)) {
        throw new dev.cairn.storage.StorageFullException("no space to create " + file, e);
      }
      throw new BackendException("cannot create H2 store file " + file + ": " + e, e);
    }
    syncDirectory(dir);
  }

  private static void checkWritable(Path dir, Path file) {
    if (!Files.isWritable(dir)) {
      throw new BackendException(
          "H2 store directory " + dir + " is read-only; the H2 backend needs write access");
    }
    if (Files.exists(file) && !Files.isWritable(file)) {
      throw new BackendException(
          FILE_NAME + " in " + dir + " is read-only; the H2 backend needs write access");
    }
  }

  // ---- transactions ---------------------------------------------------------------------

  @Override
  public BackendTransaction beginRead() {
    checkUsable();
    int stripe = Snapshot.stripe();
    H2Transaction tx = H2Transaction.reader(this, acquireSnapshot(stripe), stripe);
    open.add(tx);
    if (closed) {
      tx.abortByClose();
      throw closedError();
    }
    return tx;
  }

  /**
   * A read transaction for the engine's reads of one record: pinned like any other, but not
   * registered with the backend (one map update less per read in each direction); its pin
   * holds {@code close()} back until it ends.
   */
  @Override
  public BackendTransaction beginReadLatest() {
    checkUsable();
    int stripe = Snapshot.stripe();
    return H2Transaction.pointReader(this, acquireSnapshot(stripe), stripe);
  }

  /**
   * One read without a transaction object: pins the published snapshot on this thread's stripe
   * (the pin holds {@code close()} back, as a point reader's does), looks the key up at the
   * snapshot's root and hands {@code reader} the array in MVStore's pages, then unpins.
   */
  @Override
  public <T> T readLatest(String keyspace, byte[] key,
      java.util.function.Function<java.nio.ByteBuffer, T> reader) {
    MVMap<byte[], byte[]> map = map(keyspace);
    Objects.requireNonNull(key, "key");
    checkUsable();
    int stripe = Snapshot.stripe();
    Snapshot s = acquireSnapshot(stripe);
    try {
      if (closed) {
        throw closedError();
      }
      byte[] v;
      try {
        v = map.get(s.root(map).root, key);
      } catch (RuntimeException | AssertionError | StackOverflowError e) {
        throw H2Errors.onOperation("get", e);
      }
      return v == null ? null : reader.apply(java.nio.ByteBuffer.wrap(v));
    } finally {
      s.release(stripe);
    }
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public BackendTransaction beginWrite() {
    checkUsable();
    if (writerThread == Thread.currentThread()) {
      throw new IllegalStateException(
          "this thread already has an open write transaction on this backend");
    }
    acquireWriter("begin a write transaction");
    H2Transaction tx;
    try {
      checkUsable();
      writerThread = Thread.currentThread();
      tx = H2Transaction.writer(this);
      open.add(tx);
    } catch (RuntimeException e) {
      writerThread = null;
      writer.release();
      throw e;
    }
    if (closed) {
      tx.abortByClose();
      throw closedError();
    }
    return tx;
  }

  private void acquireWriter(String what) {
    boolean acquired;
    try {
      acquired = writer.tryAcquire(options.writerTimeoutMs(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted while waiting to " + what, e);
    }
    if (!acquired) {
      throw new BackendException(
          "timed out after " + options.writerTimeoutMs() + " ms waiting to " + what
              + ": another write transaction is open (option " + H2Options.WRITER_TIMEOUT_MS.key() + ")");
    }
  }

  MVMap<byte[], byte[]> map(String keyspace) {
    MVMap<byte[], byte[]> map = keyspace == null ? null : keyspaces.get(keyspace);
    if (map == null) {
      throw new IllegalArgumentException(
          "unknown keyspace '" + keyspace + "' (this backend has " + new TreeSet<>(keyspaces.keySet())
              + ")");
    }
    return map;
  }

  /**
   * Makes the write transaction's changes (already in the live maps) visible and, unless
   * {@code ASYNC}, durable. Called with the writer permit held.
   */
  void commitWrite(Durability durability) {
    try {
      if (durability == Durability.ASYNC) {
        if (options.asyncFlushMs() == 0) {
          store.commit();
          fileStore.nameNewestChunk();
        }
        unsynced = true;
      } else {
        store.commit();
        fileStore.syncNamingNewestChunk();
        unsynced = false;
      }
      publish();
    } catch (RuntimeException e) {
      // The file may hold this commit or not, and MVStore may have panicked: stop here so a
      // reopen recovers whatever the file holds, rather than guessing.
      fail("commit", e);
      throw e;
    }
  }

  /** Publishes the live maps as the snapshot new readers see. Writer permit held (or opening). */
  private void publish() {
    MVStore.TxCounter pin = store.registerVersionUsage();
    Map<String, RootReference<byte[], byte[]>> roots = new HashMap<>();
    for (Map.Entry<String, MVMap<byte[], byte[]>> e : allMaps.entrySet()) {
      roots.put(e.getKey(), e.getValue().flushAndGetRoot());
    }
    Snapshot next = new Snapshot(roots, store, pin, pinnedSnapshots);
    Snapshot previous = published;
    published = next;
    if (previous != null) {
      previous.retire();
    }
  }

  /** Snapshots whose MVStore version is still pinned: the published one and any still read (for tests). */
  int pinnedSnapshotCount() {
    return pinnedSnapshots.size();
  }

  /** The published snapshot, with a reference taken on {@code stripe} ({@link Snapshot#stripe}). */
  private Snapshot acquireSnapshot(int stripe) {
    while (true) {
      Snapshot s = published;
      if (s == null) {
        throw closedError();
      }
      if (s.tryRetain(stripe)) {
        return s;
      }
    }
  }

  /** Called by a transaction when it ends, whatever the way. */
  void ended(H2Transaction tx) {
    open.remove(tx);
    if (!tx.readOnly()) {
      writerThread = null;
      writer.release();
    }
  }

  private void flushAsyncCommits() {
    try {
      if (closed || failure != null) {
        return;
      }
      if (!writer.tryAcquire(options.asyncFlushMs(), TimeUnit.MILLISECONDS)) {
        return;
      }
      try {
        if (unsynced && !closed && failure == null) {
          store.commit();
          fileStore.syncNamingNewestChunk();
          unsynced = false;
        }
      } finally {
        writer.release();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      fail("background flush of ASYNC commits", e);
      LOG.error("H2 store {}: background flush of ASYNC commits failed", file, e);
    }
  }

  // ---- maintenance ------------------------------------------------------------------------

  @Override
  public void snapshotTo(Path target) {
    checkUsable();
    Path dir = prepareTarget(target);
    Path tmp = dir.resolve(FILE_NAME + ".part");
    Path finalFile = dir.resolve(FILE_NAME);
    int stripe = Snapshot.stripe();
    Snapshot s = acquireSnapshot(stripe);
    try {
      MVStore copy =
          new MVStore.Builder().fileName(tmp.toString()).autoCommitDisabled().open();
      try {
        markFormat(copy, "cairn-backend-h2 snapshot");
        long pending = 0;
        for (Map.Entry<String, RootReference<byte[], byte[]>> e : s.roots().entrySet()) {
          MVMap<byte[], byte[]> out = openKeyspaceMap(copy, e.getKey());
          Cursor<byte[], byte[]> c = new Cursor<>(e.getValue(), null, null);
          while (c.hasNext()) {
            byte[] k = c.next();
            byte[] v = c.getValue();
            out.put(k, v);
            pending += k.length + v.length + 32;
            if (pending >= SNAPSHOT_COMMIT_BYTES) {
              copy.commit();
              pending = 0;
            }
          }
        }
        copy.commit();
        copy.sync();
      } finally {
        copy.close();
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, finalFile, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory(dir);
      LOG.debug("snapshot of {} written to {}", file, finalFile);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (H2Errors.isOutOfSpace(e)) {
        throw new dev.cairn.storage.StorageFullException("no space left writing snapshot to " + dir, e);
      }
      if (e instanceof StorageException se) {
        throw se;
      }
      throw new BackendException("snapshot of " + file + " to " + dir + " failed: " + e, e);
    } finally {
      s.release(stripe);
    }
  }

  private static Path prepareTarget(Path target) {
    if (target == null) {
      throw new IllegalArgumentException("target must not be null");
    }
    Path dir = target.toAbsolutePath();
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("target " + dir + " exists and is not a directory");
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        if (ds.iterator().hasNext()) {
          throw new IllegalArgumentException("target directory " + dir + " is not empty");
        }
      } catch (IOException e) {
        throw new BackendException("cannot list snapshot target " + dir, e);
      }
    } else {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new BackendException("cannot create snapshot target " + dir + ": " + e, e);
      }
    }
    return dir;
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Not every platform lets a directory be opened for sync; the rename is still done.
      LOG.debug("could not sync directory {}", dir, e);
    }
  }

  /**
   * Compacts the file down to its live data: rewrites the live pages of sparse chunks into new,
   * full ones, then packs the chunks to the front of the file and truncates it.
   *
   * <p>Every small commit writes a new chunk (the changed pages of each map, from leaf to root),
   * so after many of them most chunks hold a page or two that is still live and space for
   * nothing else: the bank workload left 2 % of a 854 MiB file live. MVStore's
   * {@code compactFile} only looks at chunks past the retention time and stops at its time
   * budget, and a chunk whose pages were rewritten can only be freed once no snapshot pins the
   * version before the rewrite, so it left 282 MiB. Here each round rewrites up to
   * {@value #COMPACT_ROUND_BYTES} bytes of live pages (sparsest, oldest chunks first), commits
   * and syncs, and publishes a new snapshot so that the old one no longer pins the chunks just
   * emptied; rounds continue while the chunks are less than {@value #COMPACT_FILL_RATE} % live
   * and {@code h2.compactTimeMs} lasts. Crash safety: every round's chunk is synced before the
   * header names it and before a later write may reuse the space it freed
   * ({@link HeaderSyncingFileStore#syncChunkThenHeader}), and {@code compactMoveChunks} syncs
   * before it overwrites or truncates anything.
   */
  @Override
  public void optimize() {
    checkUsable();
    acquireWriter("optimize");
    try {
      checkUsable();
      // Whatever ASYNC commits are in the file or in memory become durable first: the space
      // the rewrite frees must only be reused once nothing older than a synced version needs it.
      store.commit();
      fileStore.syncNamingNewestChunk();
      unsynced = false;
      int retention = store.getRetentionTime();
      try {
        store.setRetentionTime(0);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.compactTimeMs());
        FileStore<?> fs = store.getFileStore();
        for (int round = 0; round < MAX_COMPACT_ROUNDS; round++) {
          boolean rewrote = fs.getChunksFillRate() < COMPACT_FILL_RATE
              && store.compact(COMPACT_FILL_RATE, COMPACT_ROUND_BYTES);
          // A change of our own, so that the commit runs even when nothing was rewritten: the
          // store operation is where MVStore counts the pages the last round emptied and frees
          // the chunks no version needs any more.
          openMetaMap(store).put("compactedAt", Long.toString(System.currentTimeMillis()));
          store.commit();
          fileStore.syncChunkThenHeader();
          publish(); // the previous snapshot pinned the version before this round's rewrite
          if (!rewrote || System.nanoTime() - deadline > 0) {
            break;
          }
        }
        // The round above freed the chunks emptied by the rounds before it; this commit frees
        // those of the last round (the new snapshot pins only the version just written).
        openMetaMap(store).put("compactedAt", Long.toString(System.currentTimeMillis()));
        store.commit();
        fileStore.syncChunkThenHeader();
        if (fs instanceof RandomAccessStore ras) {
          // packs the live chunks to the front and truncates the file (what H2's own
          // housekeeping runs while sessions read)
          ras.compactMoveChunks(100, Long.MAX_VALUE, store);
        }
        store.commit();
        fileStore.syncChunkThenHeader();
      } finally {
        if (!store.isClosed()) {
          store.setRetentionTime(retention);
        }
      }
      publish();
    } catch (RuntimeException e) {
      if (e instanceof StorageException se) {
        throw se;
      }
      fail("optimize", e);
      throw H2Errors.onOperation("optimize", e);
    } finally {
      writer.release();
    }
  }

  @Override
  public long sizeOnDisk() {
    checkUsable();
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new BackendException("cannot read the size of " + file, e);
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    RuntimeException error = null;
    for (H2Transaction tx : List.copyOf(open)) {
      try {
        tx.abortByClose();
      } catch (RuntimeException e) {
        error = e;
      }
    }
    if (flusher != null) {
      flusher.shutdown();
      try {
        flusher.awaitTermination(options.writerTimeoutMs(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    boolean permit = false;
    try {
      permit = writer.tryAcquire(options.writerTimeoutMs(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Snapshot s = published;
      published = null;
      if (s != null) {
        s.retire();
      }
      awaitSnapshotsReleased();
      if (!store.isClosed()) {
        if (failure == null && permit) {
          store.commit();
          fileStore.syncNamingNewestChunk();
          dropReleasedVersions();
          store.close();
        } else {
          // A transaction may be half-applied to the live maps: do not write them.
          store.closeImmediately();
        }
      }
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      // AssertionError: MVStore's internal asserts (active under -ea) fire on damaged chunks
      // while the final commit compacts or writes them
      try {
        store.closeImmediately();
      } catch (RuntimeException | AssertionError | StackOverflowError suppressed) {
        e.addSuppressed(suppressed);
      }
      throw H2Errors.onOperation("close", e);
    } finally {
      if (permit) {
        writer.release();
      }
    }
    LOG.debug("closed H2 store {}", file);
    if (error != null) {
      throw H2Errors.onOperation("close", error);
    }
  }

  /**
   * Lets MVStore drop the versions whose pins are all back before it checks, at close, that none
   * is in use. A pin given back while another thread held MVStore's store lock (a concurrent
   * reader giving back its own) leaves its version listed until the next version change drops
   * it, and a close with nothing left to commit makes none. A use of the current version
   * registered and given back by the closing thread, the only one left, runs that drop.
   */
  private void dropReleasedVersions() {
    MVStore.TxCounter probe = store.registerVersionUsage();
    store.deregisterVersionUsage(probe);
  }

  /**
   * Waits, briefly, for the readers still holding a snapshot: one that took it in
   * {@link #beginRead} just before {@link #close} aborted the open transactions ends it as soon
   * as it sees the backend closed. A hot backup ({@link #snapshotTo}) may hold one for longer;
   * after {@value #CLOSE_WAIT_MS} ms its pin is given back anyway and its further reads fail. (A
   * version still pinned at {@code MVStore.close()} trips MVStore's own consistency check.)
   */
  private void awaitSnapshotsReleased() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS);
    while (!pinnedSnapshots.isEmpty() && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    for (Snapshot s : List.copyOf(pinnedSnapshots)) {
      LOG.warn("H2 store {}: a snapshot (a hot backup?) was still being read at close; its reads"
          + " will fail", file);
      s.unpin();
    }
  }

  /**
   * Marks the backend failed after an error that may have left the live maps or the file in
   * an unknown state, and closes the store without writing: reopening recovers the last
   * commit that reached the file.
   */
  void fail(String what, RuntimeException e) {
    if (failure == null) {
      failure = e;
      LOG.error("H2 store {} failed during {}; it must be reopened", file, what, e);
    }
    try {
      if (!store.isClosed()) {
        store.closeImmediately();
      }
    } catch (RuntimeException suppressed) {
      e.addSuppressed(suppressed);
    }
  }

  /** The MVStore, for tests that need to reach below the backend (e.g. its retention time). */
  MVStore mvStore() {
    return store;
  }

  boolean storeUsable() {
    return failure == null && !store.isClosed();
  }

  private void checkUsable() {
    if (closed) {
      throw closedError();
    }
    RuntimeException f = failure;
    if (f != null) {
      throw new BackendException("H2 store " + file + " failed earlier (" + describe(f)
          + ") and must be reopened: H2 closes its store after a failed write", f);
    }
  }

  /** The failure's message, followed by its root cause's when that says more (an errno text). */
  private static String describe(Throwable f) {
    Throwable root = f;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = String.valueOf(f.getMessage());
    return root == f || root.getMessage() == null || m.contains(root.getMessage())
        ? m
        : m + ": " + root.getMessage();
  }

  private IllegalStateException closedError() {
    return new IllegalStateException("H2 backend " + directory + " is closed");
  }

  @Override
  public String toString() {
    return "H2Backend[" + file + "]";
  }
}
