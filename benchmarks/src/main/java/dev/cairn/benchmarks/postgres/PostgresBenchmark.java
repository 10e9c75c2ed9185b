package dev.cairn.benchmarks.postgres;

import dev.cairn.backend.postgres.TestPostgres;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cairn on the postgres backend against raw pgjdbc on the same server, same table shape
 * ({@code bytea} key and value), 1 KiB values, 2048 keys, one thread:
 *
 * <ul>
 *   <li>{@code rawPutSync} — {@code INSERT ... ON CONFLICT DO UPDATE} + {@code COMMIT} on one
 *       connection ({@code synchronous_commit=on}) — vs {@code cairnPutSync}, {@code putBytes}
 *       with {@code Durability.SYNC} (no cache, identity codec);
 *   <li>{@code rawGet} — {@code SELECT v WHERE k = ?} in autocommit — vs {@code cairnGet}
 *       ({@code getBytes}, no cache: a pinned REPEATABLE READ snapshot plus the read) and
 *       {@code cairnTransfer} vs {@code rawTransfer}: read two rows, write two rows, commit,
 *       SERIALIZABLE.
 * </ul>
 *
 * The server: {@code -Dcairn.bench.pg.url=jdbc:postgresql://...} (user {@code
 * -Dcairn.bench.pg.user}, password in {@code PGPASSWORD}), else a local server started from
 * Maven-delivered binaries for the run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class PostgresBenchmark {

  private static final int KEYS = 2048;

  private Path root;
  private Storage cairn;
  private Connection raw;
  private PreparedStatement rawPut;
  private PreparedStatement rawGetStmt;
  private byte[][] values;
  private String[] keys;
  private byte[][] rawKeys;
  private int next;
  private final Random random = new Random(7);

  @Setup(Level.Trial)
  public void setUp() throws IOException, SQLException {
    String url = System.getProperty("cairn.bench.pg.url");
    String user = System.getProperty("cairn.bench.pg.user", "postgres");
    if (url == null) {
      TestPostgres server = TestPostgres.get();
      url = server.url();
      user = server.user();
    }
    String password = System.getenv("PGPASSWORD");
    String schema = TestPostgres.freshSchema("bench");
    root = Files.createTempDirectory("cairn-pg-bench");
    cairn = Storage.builder().directory(root.resolve("cairn")).backend("postgres")
        .backendOption("postgres.url", url).backendOption("postgres.user", user)
        .backendOption("postgres.schema", schema).noCache().noScheduledMaintenance().open();
    raw = DriverManager.getConnection(url, user, password == null ? "" : password);
    try (Statement st = raw.createStatement()) {
      st.execute("CREATE TABLE " + schema + ".raw (k bytea PRIMARY KEY, v bytea NOT NULL)");
      st.execute("ALTER TABLE " + schema + ".raw ALTER COLUMN v SET STORAGE EXTERNAL");
    }
    raw.setAutoCommit(false);
    raw.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
    rawPut = raw.prepareStatement("INSERT INTO " + schema + ".raw (k, v) VALUES (?, ?)"
        + " ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v");
    rawGetStmt = raw.prepareStatement("SELECT v FROM " + schema + ".raw WHERE k = ?");
    keys = new String[KEYS];
    rawKeys = new byte[KEYS][];
    values = new byte[KEYS][];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "player-" + i;
      rawKeys[i] = keys[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
      values[i] = new byte[1024];
      random.nextBytes(values[i]);
      rawPut.setBytes(1, rawKeys[i]);
      rawPut.setBytes(2, values[i]);
      rawPut.executeUpdate();
    }
    raw.commit();
    java.util.Map<String, byte[]> all = new java.util.HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      all.put(keys[i], values[i]);
    }
    cairn.putAllBytes("bench", all);
    java.util.Map<String, Long> balances = new java.util.HashMap<>();
    for (int i = 0; i < 64; i++) {
      balances.put("acct" + i, 1_000_000L);
    }
    cairn.putAll("bank", balances);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException, SQLException {
    cairn.close();
    raw.close();
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private int nextIndex() {
    next = (next + 1) & (KEYS - 1);
    return next;
  }

  @Benchmark
  public void rawPutSync() throws SQLException {
    int i = nextIndex();
    rawPut.setBytes(1, rawKeys[i]);
    rawPut.setBytes(2, values[(i + 1) & (KEYS - 1)]);
    rawPut.executeUpdate();
    raw.commit();
  }

  @Benchmark
  public void cairnPutSync() {
    int i = nextIndex();
    cairn.putBytes("bench", keys[i], values[(i + 1) & (KEYS - 1)]);
  }

  @Benchmark
  public byte[] rawGet() throws SQLException {
    rawGetStmt.setBytes(1, rawKeys[nextIndex()]);
    try (ResultSet rs = rawGetStmt.executeQuery()) {
      rs.next();
      byte[] v = rs.getBytes(1);
      raw.commit();
      return v;
    }
  }

  @Benchmark
  public byte[] cairnGet() {
    return cairn.getBytes("bench", keys[nextIndex()]).orElseThrow();
  }

  @Benchmark
  public void rawTransfer() throws SQLException {
    int a = nextIndex();
    int b = (a + 17) & (KEYS - 1);
    rawGetStmt.setBytes(1, rawKeys[a]);
    try (ResultSet rs = rawGetStmt.executeQuery()) {
      rs.next();
      rs.getBytes(1);
    }
    rawGetStmt.setBytes(1, rawKeys[b]);
    try (ResultSet rs = rawGetStmt.executeQuery()) {
      rs.next();
      rs.getBytes(1);
    }
    rawPut.setBytes(1, rawKeys[a]);
    rawPut.setBytes(2, values[b]);
    rawPut.executeUpdate();
    rawPut.setBytes(1, rawKeys[b]);
    rawPut.setBytes(2, values[a]);
    rawPut.executeUpdate();
    raw.commit();
  }

  @Benchmark
  public void cairnTransfer() {
    int a = nextIndex() & 63;
    int b = (a + 17) & 63;
    cairn.useTransaction(tx -> {
      long x = tx.get("bank", "acct" + a, Long.class).orElseThrow();
      long y = tx.get("bank", "acct" + b, Long.class).orElseThrow();
      tx.put("bank", "acct" + a, x - 1);
      tx.put("bank", "acct" + b, y + 1);
    });
  }
}
