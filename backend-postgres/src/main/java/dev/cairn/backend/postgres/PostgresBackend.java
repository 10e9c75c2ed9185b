package dev.cairn.backend.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.cairn.backend.jdbc.JdbcStore;
import dev.cairn.backend.jdbc.KeyspaceSql;
import dev.cairn.storage.BackendException;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store in one PostgreSQL schema: one table per keyspace ({@code ks_<name>}, {@code k bytea}
 * primary key, {@code v bytea}), two HikariCP pools on the same server: readers
 * ({@code REPEATABLE READ READ ONLY}, the snapshot pinned at begin) and writers
 * ({@code SERIALIZABLE}). See the module README for why these levels.
 */
final class PostgresBackend implements Backend, JdbcStore {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresBackend.class);
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final PostgresOptions options;
  private final PostgresDialect dialect;
  private final Map<String, KeyspaceSql> keyspaces;
  /** The put and delete of each keyspace that take the write gate, by keyspace name. */
  private final Map<String, PostgresDialect.GatedWrites> gatedWrites = new HashMap<>();
  private final HikariDataSource readers;
  private final HikariDataSource writers;
  private final Set<PostgresTransaction> open = ConcurrentHashMap.newKeySet();
  /** Open write transactions per thread: one begun while its thread has another is nested. */
  private final Map<Thread, Integer> writesByThread = new ConcurrentHashMap<>();
  private final String where;
  private volatile boolean closed;
  private volatile ExternalWatch watch;

  private PostgresBackend(PostgresOptions options, PostgresDialect dialect,
      Map<String, KeyspaceSql> keyspaces, HikariDataSource readers, HikariDataSource writers) {
    this.options = options;
    this.dialect = dialect;
    this.keyspaces = keyspaces;
    for (KeyspaceSql ks : keyspaces.values()) {
      gatedWrites.put(ks.name(), dialect.gatedWrites(ks));
    }
    this.readers = readers;
    this.writers = writers;
    this.where = PostgresOptions.redact(options.url()) + " schema " + options.schema();
  }

  static PostgresBackend open(BackendConfig config) {
    PostgresOptions options = PostgresOptions.from(config);
    PostgresDialect dialect = new PostgresDialect(options.schema());
    Map<String, KeyspaceSql> keyspaces = new HashMap<>();
    for (String k : config.keyspaces()) {
      keyspaces.put(k, KeyspaceSql.of(dialect, k));
    }
    String where = PostgresOptions.redact(options.url()) + " schema " + options.schema();
    HikariDataSource writers = null;
    HikariDataSource readers = null;
    try {
      writers = pool(options, false);
      boolean forceSync = createSchema(writers, options, keyspaces.values(), where);
      if (forceSync) {
        writers.close();
        writers = pool(options, false, "SET synchronous_commit TO on");
      }
      readers = pool(options, true);
      if (!options.descriptorFound()) {
        options.writeDescriptor(config.directory(),
            "Cairn PostgreSQL store: the data lives in this database and schema");
      }
      LOG.debug("opened PostgreSQL store {} (keyspaces {})", where, new TreeSet<>(keyspaces.keySet()));
      return new PostgresBackend(options, dialect, Map.copyOf(keyspaces), readers, writers);
    } catch (RuntimeException | Error e) {
      if (readers != null) {
        readers.close();
      }
      if (writers != null) {
        writers.close();
      }
      throw e;
    }
  }

  private static HikariDataSource pool(PostgresOptions o, boolean read, String... initSql) {
    HikariConfig c = new HikariConfig();
    c.setPoolName("cairn-pg-" + (read ? "read-" : "write-") + POOLS.incrementAndGet());
    c.setJdbcUrl(o.url());
    if (o.user() != null) {
      c.setUsername(o.user());
    }
    String password = o.password();
    if (password != null) {
      c.setPassword(password);
    }
    c.setMaximumPoolSize(read ? o.poolSize() : o.writePoolSize());
    c.setMinimumIdle(1);
    c.setConnectionTimeout(o.connectTimeoutMs());
    c.setAutoCommit(false);
    c.setReadOnly(read);
    c.setTransactionIsolation(read ? "TRANSACTION_REPEATABLE_READ" : "TRANSACTION_SERIALIZABLE");
    c.addDataSourceProperty("ApplicationName", "cairn");
    if (initSql.length > 0) {
      c.setConnectionInitSql(initSql[0]);
    }
    try {
      return new HikariDataSource(c);
    } catch (HikariPool.PoolInitializationException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException se) {
        throw PostgresErrors.map(se, "opening the PostgreSQL store",
            PostgresOptions.redact(o.url()) + " schema " + o.schema());
      }
      throw new BackendException("cannot connect to PostgreSQL at "
          + PostgresOptions.redact(o.url()) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Creates the schema and the keyspace tables if missing, serialised across processes by an
   * advisory lock. Returns whether the server runs with {@code synchronous_commit=off}, in which
   * case the writer connections turn it back on (a SYNC commit must wait for the WAL flush).
   */
  private static boolean createSchema(HikariDataSource ds, PostgresOptions o,
      java.util.Collection<KeyspaceSql> keyspaces, String where) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("SELECT pg_advisory_lock(hashtext('cairn.schema." + o.schema() + "'))");
        try {
          st.execute("CREATE SCHEMA IF NOT EXISTS " + o.schema());
          for (KeyspaceSql ks : keyspaces) {
            boolean exists;
            try (ResultSet rs = st.executeQuery(
                "SELECT to_regclass('" + ks.table() + "') IS NOT NULL")) {
              rs.next();
              exists = rs.getBoolean(1);
            }
            if (!exists) {
              st.execute(ks.create());
              // values arrive compressed by Cairn's codec: TOAST compression would waste CPU
              st.execute("ALTER TABLE " + ks.table() + " ALTER COLUMN v SET STORAGE EXTERNAL");
            }
          }
        } finally {
          st.execute("SELECT pg_advisory_unlock(hashtext('cairn.schema." + o.schema() + "'))");
        }
        String fsync = setting(st, "fsync");
        if ("off".equals(fsync)) {
          LOG.warn("the PostgreSQL server {} runs with fsync=off: SYNC commits do not survive a"
              + " power loss or OS crash", where);
        }
        return "off".equals(setting(st, "synchronous_commit"));
      } finally {
        c.setAutoCommit(false);
      }
    } catch (SQLException e) {
      throw PostgresErrors.map(e, "creating the keyspace tables", where);
    }
  }

  private static String setting(Statement st, String name) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT current_setting('" + name + "')")) {
      rs.next();
      return rs.getString(1);
    }
  }

  // --------------------------------------------------------------------------- transactions

  @Override
  public BackendTransaction beginRead() {
    return begin(true, true, false);
  }

  /**
   * A read transaction whose snapshot is taken by its first query instead of at begin: one
   * round trip ({@code SELECT 1}) fewer. Its reads still share that one snapshot, which is
   * more than {@link Backend#beginReadLatest()} asks.
   */
  @Override
  public BackendTransaction beginReadLatest() {
    return begin(true, false, false);
  }

  /**
   * A {@code SERIALIZABLE} write transaction. Its first write takes the store's write gate (an
   * advisory lock of the schema) in shared mode, in the same statement; writers hold it
   * together, so this costs no round trip. A write transaction begun while its thread has
   * another open (the engine's version-block reservation) takes no gate: it would queue behind
   * a {@link #beginWriteAlone()} that waits for the outer one, a wait the server cannot see.
   */
  @Override
  public BackendTransaction beginWrite() {
    return begin(false, false, false);
  }

  /**
   * A write transaction that takes the write gate exclusively before its snapshot (a
   * session-level advisory lock taken outside any transaction, released when it ends): it waits
   * for every write transaction that has written to end, and those that have not written yet
   * wait at their first write until it ends. All it reads is therefore committed and nothing it
   * reads or writes changes under it, so another instance's writer cannot make it fail with a
   * serialization failure or a deadlock. Exceptions: nested write transactions take no gate
   * (see {@link #beginWrite()}; the engine's only one updates the version-block counter, which
   * the engine's transactions never touch themselves), and PostgreSQL's serializable bookkeeping
   * may still count a writer that has just released the gate as running for a moment, a rare
   * false positive. Two round trips more than {@link #beginWrite()}, and the wait.
   */
  @Override
  public BackendTransaction beginWriteAlone() {
    return begin(false, false, true);
  }

  private BackendTransaction begin(boolean read, boolean pin, boolean alone) {
    checkOpen();
    Connection c;
    try {
      c = (read ? readers : writers).getConnection();
    } catch (SQLException e) {
      throw map(e, read ? "beginRead" : alone ? "beginWriteAlone" : "beginWrite");
    }
    PostgresTransaction.Gate gate = PostgresTransaction.Gate.NONE;
    if (!read) {
      boolean nested = writesByThread.merge(Thread.currentThread(), 1, Integer::sum) > 1;
      gate = nested ? PostgresTransaction.Gate.NONE
          : alone ? PostgresTransaction.Gate.EXCLUSIVE : PostgresTransaction.Gate.AT_FIRST_WRITE;
    }
    PostgresTransaction tx = new PostgresTransaction(this, c, read, gate);
    open.add(tx);
    if (closed) {
      tx.abortForClose();
      throw closedException();
    }
    if (pin) {
      // pin the snapshot now: a REPEATABLE READ snapshot is otherwise taken by the first query
      tx.pinSnapshot();
    }
    if (gate == PostgresTransaction.Gate.EXCLUSIVE) {
      tx.takeGateAlone(); // before the first query, which takes the snapshot
    }
    return tx;
  }

  /** The SQL of this store's schema. */
  @Override
  public PostgresDialect dialect() {
    return dialect;
  }

  /** The advisory-lock call {@code fn} on this store's write gate. */
  String writeGate(String fn) {
    return dialect.writeGate(fn);
  }

  /** The put and delete of {@code ks} that take the write gate in shared mode. */
  PostgresDialect.GatedWrites gatedWrites(KeyspaceSql ks) {
    return gatedWrites.get(ks.name());
  }

  /** LISTEN/NOTIFY invalidation, see {@link ExternalWatch}. */
  @Override
  public synchronized boolean watchExternalCommits(
      Set<String> keyspaces, dev.cairn.storage.spi.ExternalCommitListener listener) {
    checkOpen();
    if (watch != null) {
      throw new IllegalStateException("a listener is already registered");
    }
    for (String k : keyspaces) {
      keyspace(k);
    }
    watch = new ExternalWatch(options, keyspaces, listener);
    return true;
  }

  /** One fence on the listening connection, see {@link ExternalWatch#catchUp()}. */
  @Override
  public boolean catchUpExternalCommits() {
    checkOpen();
    ExternalWatch w = watch;
    return w != null && w.catchUp();
  }

  /** The change watch, or null when nobody listens. */
  ExternalWatch watch() {
    return watch;
  }

  @Override
  public KeyspaceSql keyspace(String name) {
    KeyspaceSql ks = name == null ? null : keyspaces.get(name); // as the other backends
    if (ks == null) {
      throw new IllegalArgumentException(
          "unknown keyspace '" + name + "'; this store has " + new TreeSet<>(keyspaces.keySet()));
    }
    return ks;
  }

  /** Gives a connection back; evicts it if it may still be inside a transaction. */
  void release(PostgresTransaction tx, Connection c, boolean healthy) {
    open.remove(tx);
    if (!tx.readOnly()) {
      writesByThread.computeIfPresent(tx.owner(), (t, n) -> n == 1 ? null : n - 1);
    }
    HikariDataSource pool = tx.readOnly() ? readers : writers;
    if (healthy && tx.gate() == PostgresTransaction.Gate.EXCLUSIVE) {
      healthy = releaseGate(c); // else the evicted connection's session ends, and the lock with it
    }
    if (!healthy) {
      pool.evictConnection(c);
      return;
    }
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("returning a connection to {} failed", pool.getPoolName(), e);
    }
  }

  /** Releases the exclusive write gate of an ended transaction; false if the connection failed. */
  private boolean releaseGate(Connection c) {
    try {
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("SELECT " + writeGate("pg_advisory_unlock"));
      }
      c.setAutoCommit(false);
      return true;
    } catch (SQLException e) {
      LOG.debug("releasing the write gate failed; the connection is discarded", e);
      return false;
    }
  }

  @Override
  public StorageException map(SQLException e, String what) {
    return PostgresErrors.map(e, what, where);
  }

  // ----------------------------------------------------------------------------- snapshots

  /**
   * Copies every keyspace table into a new schema {@code <schema>_snap_<time>_<random>} inside
   * one {@code REPEATABLE READ} transaction (one snapshot for all tables, taken when this method
   * begins; writers keep running), then writes a descriptor naming that schema into
   * {@code target}, so the same provider opens the copy. The copy lives on the same server: drop
   * the schema when the snapshot is no longer needed.
   */
  @Override
  public void snapshotTo(Path target) {
    checkOpen();
    if (target == null) {
      throw new IllegalArgumentException("target must not be null");
    }
    requireEmpty(target);
    String base = options.schema().length() > 36 ? options.schema().substring(0, 36) : options.schema();
    String snap = base + "_snap_" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
        .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now())
        + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
    PostgresOptions copy = options.withSchema(snap);
    PostgresDialect copyDialect = new PostgresDialect(snap);
    Connection c;
    try {
      c = writers.getConnection();
    } catch (SQLException e) {
      throw map(e, "snapshotTo");
    }
    boolean committed = false;
    try (Statement st = c.createStatement()) {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      st.execute("SELECT 1"); // takes the transaction's snapshot now
      st.execute("CREATE SCHEMA " + snap);
      for (String name : new TreeSet<>(keyspaces.keySet())) {
        KeyspaceSql src = keyspaces.get(name);
        KeyspaceSql dst = KeyspaceSql.of(copyDialect, name);
        st.execute(dst.create());
        st.execute("INSERT INTO " + dst.table() + " (k, v) SELECT k, v FROM " + src.table());
      }
      c.commit();
      committed = true;
    } catch (SQLException e) {
      try {
        c.rollback();
      } catch (SQLException re) {
        e.addSuppressed(re);
      }
      throw map(e, "snapshotTo " + target);
    } finally {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.debug("returning the snapshot connection failed", e);
      }
    }
    try {
      copy.writeDescriptor(target, "Cairn PostgreSQL snapshot of schema " + options.schema());
    } catch (RuntimeException e) {
      if (committed) {
        dropSchemaQuietly(snap);
      }
      throw e;
    }
    LOG.info("snapshot of {} written to schema {} (descriptor in {})", where, snap, target);
  }

  private void dropSchemaQuietly(String schema) {
    try (Connection c = writers.getConnection(); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      c.commit();
    } catch (SQLException e) {
      LOG.warn("could not drop the unfinished snapshot schema {}", schema, e);
    }
  }

  private static void requireEmpty(Path target) {
    if (Files.exists(target)) {
      if (!Files.isDirectory(target)) {
        throw new IllegalArgumentException("snapshot target " + target + " is not a directory");
      }
      try (Stream<Path> s = Files.list(target)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("snapshot target " + target + " is not empty");
        }
      } catch (IOException e) {
        throw new BackendException("cannot list snapshot target " + target + ": " + e, e);
      }
    }
  }

  // -------------------------------------------------------------------------- maintenance

  /** {@code VACUUM (ANALYZE)} of every keyspace table, outside a transaction. */
  @Override
  public void optimize() {
    checkOpen();
    try (Connection c = writers.getConnection()) {
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        for (KeyspaceSql ks : keyspaces.values()) {
          st.execute("VACUUM (ANALYZE) " + ks.table());
        }
      } finally {
        c.setAutoCommit(false);
      }
    } catch (SQLException e) {
      throw map(e, "optimize (VACUUM ANALYZE)");
    }
  }

  /** The on-disk size of the keyspace tables with their indexes and TOAST data. */
  @Override
  public long sizeOnDisk() {
    checkOpen();
    StringBuilder sql = new StringBuilder("SELECT 0");
    for (KeyspaceSql ks : keyspaces.values()) {
      sql.append(" + pg_total_relation_size('").append(ks.table()).append("')");
    }
    try (Connection c = readers.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql.toString())) {
      rs.next();
      long size = rs.getLong(1);
      c.rollback();
      return size;
    } catch (SQLException e) {
      throw map(e, "sizeOnDisk");
    }
  }

  // ------------------------------------------------------------------------------ closing

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (PostgresTransaction tx : List.copyOf(open)) {
      tx.abortForClose();
    }
    ExternalWatch w = watch;
    if (w != null) {
      w.close();
    }
    readers.close();
    writers.close();
    LOG.debug("closed PostgreSQL store {}", where);
  }

  private void checkOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private StorageClosedException closedException() {
    return new StorageClosedException("the PostgreSQL backend for " + where + " is closed");
  }

  @Override
  public String toString() {
    return "PostgresBackend[" + where + "]";
  }
}
