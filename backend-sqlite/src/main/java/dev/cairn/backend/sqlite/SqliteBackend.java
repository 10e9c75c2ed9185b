package dev.cairn.backend.sqlite;

import dev.cairn.backend.jdbc.JdbcStore;
import dev.cairn.backend.jdbc.KeyspaceSql;
import dev.cairn.backend.jdbc.SqlDialect;
import dev.cairn.storage.BackendException;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQLite {@link Backend}: one {@code store.sqlite} in WAL mode, one writer connection
 * guarded by a fair semaphore, and a bounded pool of read-only reader connections.
 */
final class SqliteBackend implements Backend, JdbcStore {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteBackend.class);

  static final String DB_FILE = "store.sqlite";
  static final String WAL_SUFFIX = "-wal";
  static final String SHM_SUFFIX = "-shm";

  private final Path directory;
  private final Path dbFile;
  private final Path walFile;
  private final String url;
  private final SqliteOptions options;
  /**
   * The keyspaces' SQL; each replaced once at open, when its table exists ({@link #initialize}),
   * by the SQL of a table with or without a body column, and not changed after.
   */
  private final Map<String, KeyspaceSql> keyspaces;
  private final Set<SqliteTransaction> openTransactions = ConcurrentHashMap.newKeySet();

  /** Held by the open write transaction (and by optimize); fair, so waiting writers queue. */
  private final Semaphore writerLock = new Semaphore(1, true);
  /** The writer connection; only touched by the holder of {@link #writerLock}. Null if broken. */
  private SqliteConnection writer;
  /**
   * An open handle on the WAL file for explicit fsyncs, opened at the first sync of each writer
   * connection ({@link #syncWal}); guarded by {@link #writerLock}.
   */
  private FileChannel walChannel;
  /** The file key of the WAL {@link #walChannel} was opened on (for tests); may be null. */
  private Object walFileKey;

  /** One permit per reader connection that may exist. */
  private final Semaphore readerPermits;
  /** Idle reader connections; guarded by itself, together with {@link #closed}. */
  private final Deque<SqliteConnection> idleReaders = new ArrayDeque<>();
  private int readerSerial;

  private volatile boolean closed;

  private SqliteBackend(Path directory, SqliteOptions options, Set<String> keyspaceNames) {
    this.directory = directory;
    this.dbFile = directory.resolve(DB_FILE);
    this.walFile = directory.resolve(DB_FILE + WAL_SUFFIX);
    this.url = "jdbc:sqlite:" + dbFile;
    this.options = options;
    Map<String, KeyspaceSql> ks = new TreeMap<>();
    for (String name : keyspaceNames) {
      ks.put(name, KeyspaceSql.of(SqliteDialect.INSTANCE, name));
    }
    this.keyspaces = ks;
    this.readerPermits = new Semaphore(options.readers(), true);
  }

  /** Opens (creating if needed) the store described by {@code config}. */
  static SqliteBackend open(BackendConfig config) {
    Objects.requireNonNull(config, "config");
    SqliteOptions options = SqliteOptions.from(config);
    for (String k : config.keyspaces()) {
      if (!BackendConfig.isValidKeyspace(k)) {
        throw new IllegalArgumentException(
            "keyspace name must match [a-z][a-z0-9_]{0,31}: '" + k + "'");
      }
    }
    Path dir = config.directory().toAbsolutePath().normalize();
    prepareDirectory(dir);
    SqliteBackend b = new SqliteBackend(dir, options, config.keyspaces());
    try {
      b.initialize();
    } catch (RuntimeException e) {
      b.closeConnections();
      throw e;
    }
    LOG.debug("opened SQLite store {} with keyspaces {} and {}", b.dbFile, b.keyspaces.keySet(),
        options);
    return b;
  }

  private static void prepareDirectory(Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new BackendException(
          "cannot open SQLite store: " + dir + " exists and is not a directory");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new BackendException(
          "cannot create the SQLite store directory " + dir + ": " + e, e);
    }
    if (!Files.isWritable(dir)) {
      throw new BackendException(
          "the SQLite store directory " + dir + " is not writable (SQLite needs to create "
              + DB_FILE + WAL_SUFFIX + " and " + DB_FILE + SHM_SUFFIX + " next to the database)");
    }
  }

  /** Opens the writer, switches to WAL, creates the keyspace tables, opens one reader. */
  private void initialize() {
    try {
      SqliteConnection w = SqliteConnection.open(url, "writer", false, options);
      writer = w;
      // A new database starts in rollback-journal mode until the switch to WAL below, and in
      // that mode synchronous=NORMAL (the writer's setting, right for WAL) may leave it
      // unopenable after a power loss: the power-loss harness found a torn first page beside a
      // journal that was not synced. FULL until the switch syncs the journal before the file.
      w.exec("PRAGMA synchronous = FULL");
      // page_size and auto_vacuum only take effect on a new, empty database.
      w.exec("PRAGMA page_size = " + options.pageSize());
      w.exec("PRAGMA auto_vacuum = INCREMENTAL");
      String mode = w.query("PRAGMA journal_mode = WAL");
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new BackendException(
            "cannot switch " + dbFile + " to WAL journal mode (SQLite kept '" + mode + "')");
      }
      w.exec("PRAGMA synchronous = NORMAL"); // WAL: SYNC/GROUP commits fsync the WAL themselves
      w.execute("BEGIN IMMEDIATE");
      try {
        for (KeyspaceSql ks : keyspaces.values()) {
          w.execute(ks.create());
        }
        // A table created before store format 4 has no body column: its values stay whole
        // (the engine reads both), and opening the store does not change its schema.
        for (String name : List.copyOf(keyspaces.keySet())) {
          boolean body = "1".equals(w.query("SELECT count(*) FROM pragma_table_info('"
              + SqliteDialect.tableName(name) + "') WHERE name = 'b'"));
          keyspaces.put(name, KeyspaceSql.of(SqliteDialect.INSTANCE, name, body));
        }
        w.execute("COMMIT");
      } catch (SQLException e) {
        try {
          w.execute("ROLLBACK");
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      syncWal();
      readerPermits.acquireUninterruptibly();
      releaseReader(openReader(), true);
    } catch (SQLException e) {
      throw map(e, "opening the SQLite store");
    } catch (IOException e) {
      throw SqliteErrors.map(e, "opening the SQLite store " + dbFile);
    }
  }

  private SqliteConnection openReader() throws SQLException {
    String label;
    synchronized (idleReaders) {
      label = "reader-" + (++readerSerial);
    }
    return SqliteConnection.open(url, label, true, options);
  }

  // ---------------------------------------------------------------- transactions

  @Override
  public BackendTransaction beginRead() {
    return beginRead(true);
  }

  /** Statements in autocommit mode: each read sees the latest commit; no BEGIN or ROLLBACK. */
  @Override
  public BackendTransaction beginReadLatest() {
    return beginRead(false);
  }

  /**
   * {@inheritDoc} In a transaction of {@link #beginReadLatest()}, which hands a value's body
   * column over as the driver returned it ({@link BackendTransaction#readParts}).
   */
  @Override
  public <T> T readLatestParts(String keyspace, byte[] key,
      BackendTransaction.PartsReader<T> reader) {
    try (BackendTransaction t = beginReadLatest()) {
      return t.readParts(keyspace, key, reader);
    }
  }

  private BackendTransaction beginRead(boolean snapshot) {
    ensureOpen();
    if (!acquire(readerPermits, options.poolTimeoutMs(), "a SQLite reader connection")) {
      throw new BackendException(
          "all " + options.readers() + " SQLite reader connections busy for "
              + options.poolTimeoutMs() + " ms; raise sqlite.readers or close"
              + " transactions/streams sooner");
    }
    SqliteConnection conn = null;
    SqliteTransaction tx;
    try {
      synchronized (idleReaders) {
        ensureOpen();
        conn = idleReaders.pollFirst();
      }
      if (conn == null) {
        conn = openReader();
      }
      if (snapshot) {
        conn.execute("BEGIN");
        // Pin the snapshot now: a deferred transaction takes its WAL read mark at the first read.
        conn.query("PRAGMA schema_version");
      }
      tx = new SqliteTransaction(this, conn, true, snapshot);
    } catch (SQLException e) {
      releaseReaderAfterFailedBegin(conn);
      throw map(e, "beginning a read transaction");
    } catch (RuntimeException | Error e) {
      releaseReaderAfterFailedBegin(conn);
      throw e;
    }
    register(tx);
    return tx;
  }

  /** Waits for a permit; false on timeout. Interruption is a BackendException (flag kept). */
  private static boolean acquire(Semaphore semaphore, long timeoutMs, String what) {
    try {
      return semaphore.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted while waiting for " + what, e);
    }
  }

  private void releaseReaderAfterFailedBegin(SqliteConnection conn) {
    if (conn == null) {
      readerPermits.release();
      return;
    }
    releaseReader(conn, conn.rollbackQuietly());
  }

  @Override
  public BackendTransaction beginWrite() {
    ensureOpen();
    if (!acquire(writerLock, options.writerTimeoutMs(), "the SQLite writer")) {
      throw new BackendException(
          "waited " + options.writerTimeoutMs() + " ms for the SQLite writer: another write"
              + " transaction stayed open (SQLite allows one writer at a time); commit or close"
              + " write transactions sooner or raise sqlite.writerTimeoutMs");
    }
    SqliteConnection conn = null;
    boolean begun = false;
    SqliteTransaction tx;
    try {
      ensureOpen();
      conn = writerConnection();
      conn.execute("BEGIN IMMEDIATE");
      begun = true;
      tx = new SqliteTransaction(this, conn, false, true);
    } catch (SQLException e) {
      releaseWriterAfterFailedBegin(conn, begun);
      throw map(e, "beginning a write transaction");
    } catch (RuntimeException | Error e) {
      releaseWriterAfterFailedBegin(conn, begun);
      throw e;
    }
    register(tx);
    return tx;
  }

  private void releaseWriterAfterFailedBegin(SqliteConnection conn, boolean begun) {
    if (conn != null && begun && !conn.rollbackQuietly()) {
      discardWriter();
    }
    writerLock.release();
  }

  /** The writer connection, reopened if a previous failure discarded it. Needs the lock. */
  private SqliteConnection writerConnection() throws SQLException {
    if (writer == null) {
      writer = SqliteConnection.open(url, "writer", false, options);
    }
    return writer;
  }

  /** Closes the writer connection and the WAL channel that belongs to it. Needs the lock. */
  private void discardWriter() {
    closeWalChannel(); // a new writer may find a new WAL (if this was the last connection)
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }

  /**
   * Tracks {@code tx} so close() can roll it back. If close() already ran, rolls it back (which
   * gives its connection back) and throws.
   */
  private void register(SqliteTransaction tx) {
    openTransactions.add(tx);
    if (closed) {
      tx.abortForClose();
      throw closedException();
    }
  }

  /** Called exactly once by every transaction when it ends: gives its connection back. */
  void release(SqliteTransaction tx, SqliteConnection conn, boolean healthy) {
    openTransactions.remove(tx);
    if (tx.readOnly()) {
      releaseReader(conn, healthy);
    } else {
      if (!healthy) {
        discardWriter();
      }
      writerLock.release();
    }
  }

  private void releaseReader(SqliteConnection conn, boolean healthy) {
    boolean keep;
    synchronized (idleReaders) {
      keep = healthy && !closed;
      if (keep) {
        idleReaders.addFirst(conn);
      }
    }
    if (!keep) {
      conn.close();
    }
    readerPermits.release();
  }

  /** Reader permits not held by a transaction (for tests and diagnostics). */
  int availableReaders() {
    return readerPermits.availablePermits();
  }

  /** Whether no write transaction holds the writer (for tests and diagnostics). */
  boolean writerAvailable() {
    return writerLock.availablePermits() == 1;
  }

  /**
   * Forces the WAL to stable storage. SQLite runs with {@code synchronous=NORMAL}, which does not
   * sync the WAL at commit; after a SYNC/GROUP commit this fdatasync makes it as durable as
   * {@code synchronous=FULL} would. Needs the writer lock.
   *
   * <p>The channel is opened (and the directory synced) once per writer connection, not looked
   * up per commit: SQLite only deletes and recreates the WAL when the last connection closes,
   * and the writer connection stays open until it is discarded ({@link #discardWriter}, which
   * closes the channel too). A stat of the WAL per commit cost a disk write per commit: since
   * Linux 6.13 a file whose times were read gets a fine-grained time at its next write, so each
   * commit dirtied the WAL's inode and every fdatasync wrote the inode block as well (ext4;
   * measured with {@code perf stat -e block:block_rq_issue}: 2.0 requests per sync with the
   * stat, 1.2 without; benchmarks/README.md, "2026-12-05 (third)").
   */
  void syncWal() throws IOException {
    // a channel closed by an interrupt of a thread in force() is opened again
    if ((walChannel == null || !walChannel.isOpen()) && !openWalChannel()) {
      return; // nothing in a WAL: every commit is in the database file, synced by checkpoint
    }
    walChannel.force(false);
  }

  /** Opens {@link #walChannel} on the current WAL and syncs the directory; false if none. */
  private boolean openWalChannel() throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(walFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      return false;
    }
    walChannel = ch;
    walFileKey = Files.readAttributes(walFile, BasicFileAttributes.class).fileKey();
    // the WAL may have been created by this connection: make its directory entry durable
    syncDirectory(directory);
    return true;
  }

  /** The file key of the WAL file SYNC commits sync, or null before the first (for tests). */
  Object walSyncFileKey() throws InterruptedException {
    writerLock.acquire();
    try {
      return walChannel == null ? null : walFileKey;
    } finally {
      writerLock.release();
    }
  }

  /**
   * Closes the writer and the idle readers, as a failure that discards the writer does when no
   * reader is open (SQLite then removes the WAL); the next write opens a new writer (for tests).
   */
  void discardConnections() throws InterruptedException {
    writerLock.acquire();
    try {
      synchronized (idleReaders) {
        for (SqliteConnection c : idleReaders) {
          c.close();
        }
        idleReaders.clear();
      }
      discardWriter();
    } finally {
      writerLock.release();
    }
  }

  private void closeWalChannel() {
    if (walChannel != null) {
      try {
        walChannel.close();
      } catch (IOException e) {
        LOG.debug("closing the WAL channel failed", e);
      }
      walChannel = null;
      walFileKey = null;
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Not supported on every platform (e.g. Windows); the file data itself is synced.
      LOG.debug("fsync of directory {} not possible: {}", dir, e.toString());
    }
  }

  @Override
  public SqlDialect dialect() {
    return SqliteDialect.INSTANCE;
  }

  /** The SQL of a keyspace opened with this backend. */
  @Override
  public KeyspaceSql keyspace(String name) {
    KeyspaceSql ks = name == null ? null : keyspaces.get(name);
    if (ks == null) {
      throw new IllegalArgumentException(
          "unknown keyspace '" + name + "'; this backend was opened with " + keyspaces.keySet());
    }
    return ks;
  }

  @Override
  public StorageException map(SQLException e, String what) {
    return SqliteErrors.map(e, what, dbFile, options.busyTimeoutMs());
  }

  // ---------------------------------------------------------------- maintenance

  @Override
  public void snapshotTo(Path target) {
    ensureOpen();
    if (target == null) {
      throw new IllegalArgumentException("target must not be null");
    }
    Path dir = target.toAbsolutePath().normalize();
    if (dir.equals(directory)) {
      throw new IllegalArgumentException("target must not be the store's own directory: " + dir);
    }
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException(
            "target must be a directory that does not exist or is empty: " + dir
                + " is a file");
      }
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        if (entries.iterator().hasNext()) {
          throw new IllegalArgumentException(
              "target must be a directory that does not exist or is empty: " + dir
                  + " is not empty");
        }
      } catch (IOException e) {
        throw SqliteErrors.map(e, "reading snapshot target " + dir);
      }
    }
    Path partial = dir.resolve(DB_FILE + ".partial");
    Path finalFile = dir.resolve(DB_FILE);
    try {
      Files.createDirectories(dir);
      // A dedicated read-only connection: VACUUM INTO reads one consistent snapshot (a read
      // transaction) while writers keep committing to the WAL; the pool is not starved.
      try (SqliteConnection c = SqliteConnection.open(url, "snapshot", true, options);
          PreparedStatement ps = c.prepareUncached("VACUUM INTO ?")) {
        ps.setString(1, partial.toString());
        ps.execute();
      }
      try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(partial, finalFile, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory(dir);
    } catch (SQLException e) {
      deleteQuietly(partial);
      throw map(e, "snapshot to " + dir);
    } catch (IOException e) {
      deleteQuietly(partial);
      throw SqliteErrors.map(e, "snapshot to " + dir);
    }
    LOG.debug("snapshot of {} written to {}", dbFile, finalFile);
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.debug("could not delete {}", p, e);
    }
  }

  @Override
  public void optimize() {
    ensureOpen();
    if (!acquire(writerLock, options.writerTimeoutMs(), "the SQLite writer")) {
      throw new BackendException(
          "optimize waited " + options.writerTimeoutMs() + " ms for the SQLite writer: a write"
              + " transaction stayed open");
    }
    try {
      ensureOpen();
      SqliteConnection w = writerConnection();
      w.exec("PRAGMA optimize");
      w.exec("PRAGMA incremental_vacuum");
      List<String> ckpt = w.queryRow("PRAGMA wal_checkpoint(TRUNCATE)");
      if (ckpt != null && "1".equals(ckpt.get(0))) {
        LOG.debug("WAL checkpoint of {} could not finish: readers still use older snapshots",
            dbFile);
      }
    } catch (SQLException e) {
      throw map(e, "optimize");
    } finally {
      writerLock.release();
    }
  }

  @Override
  public long sizeOnDisk() {
    long total = 0;
    for (String suffix : new String[] {"", WAL_SUFFIX, SHM_SUFFIX}) {
      try {
        total += Files.size(directory.resolve(DB_FILE + suffix));
      } catch (NoSuchFileException e) {
        // absent: 0 bytes
      } catch (IOException e) {
        throw SqliteErrors.map(e, "size of " + DB_FILE + suffix);
      }
    }
    return total;
  }

  // ---------------------------------------------------------------- close

  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private StorageClosedException closedException() {
    return new StorageClosedException("the SQLite backend for " + directory + " is closed");
  }

  @Override
  public void close() {
    synchronized (idleReaders) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (SqliteTransaction tx : openTransactions) {
      tx.abortForClose();
    }
    closeConnections();
    LOG.debug("closed SQLite store {}", dbFile);
  }

  /** Closes readers first, then the writer last (so SQLite checkpoints and removes the WAL). */
  private void closeConnections() {
    synchronized (idleReaders) {
      closed = true;
      for (SqliteConnection c : idleReaders) {
        c.close();
      }
      idleReaders.clear();
    }
    boolean gotWriter = false;
    try {
      // Open transactions were rolled back; wait briefly for a begin() racing with close().
      gotWriter = writerLock.tryAcquire(options.busyTimeoutMs(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!gotWriter) {
      LOG.warn("closing the SQLite writer of {} while another thread still uses it", dbFile);
    }
    try {
      discardWriter(); // and the WAL channel
    } finally {
      if (gotWriter) {
        writerLock.release();
      }
    }
  }
}
