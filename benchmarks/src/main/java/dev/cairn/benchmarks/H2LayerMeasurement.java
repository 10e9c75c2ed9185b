package dev.cairn.benchmarks;

import dev.cairn.backend.h2.H2BackendProvider;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.tx.Transaction;
import org.h2.mvstore.tx.TransactionMap;
import org.h2.mvstore.tx.TransactionStore;
import org.h2.mvstore.type.ByteArrayDataType;

/**
 * The measurement behind the H2 backend's choice of layer (backend-h2 README, "Why MVStore maps
 * (measurement)"): three ways to put a transactional key-value store on H2, with 1 KiB values,
 * each timed on 300 durable single-put commits, 10 batches of 1000 puts (one durable commit
 * each), 20,000 random point reads and 20 scans of 10,000 rows:
 *
 * <ul>
 *   <li>MVStore maps with Cairn's own single-writer layer and explicit sync: the chosen design,
 *       measured as the engine sees it, through the public {@link H2BackendProvider} and the SPI;
 *   <li>MVStore's {@code TransactionStore}: commit, then store commit and sync;
 *   <li>H2 SQL over JDBC: one table with a {@code VARBINARY} primary key, {@code MERGE}, commit,
 *       {@code CHECKPOINT SYNC}; also prints how {@code VARBINARY} sorts {@code 00,7F,80,FF}.
 * </ul>
 *
 * <p>Not JMH: it answers a design question once, in one JVM with small counts, and prints one
 * table row per layer; only ratios within one run mean anything. Run from the repository root:
 *
 * <pre>
 * ./mvnw -q -ntp -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.cairn.benchmarks.H2LayerMeasurement [directory]
 * </pre>
 *
 * The stores are created in {@code directory} (default: {@code $CAIRN_BENCH_DIR}, else
 * {@code ./cairn-bench-data}), which must be on the disk being measured, and deleted afterwards.
 */
public final class H2LayerMeasurement {

  private static final int SYNC_COMMITS = 300;
  private static final int BATCHES = 10;
  private static final int BATCH = 1_000;
  private static final int READS = 20_000;
  private static final int SCANS = 20;
  private static final byte[] VALUE = new byte[1024];
  private static final Set<String> KEYSPACES = Set.of("records", "blobs", "meta");

  private H2LayerMeasurement() {}

  private static byte[] key(int i) {
    return ("user\0" + String.format(Locale.ROOT, "%08d", i)).getBytes(StandardCharsets.UTF_8);
  }

  /** Prints one row per layer; {@code args[0]}, if given, is where the stores are created. */
  public static void main(String[] args) throws Exception {
    new Random(7).nextBytes(VALUE);
    Path root = Files.createDirectories(args.length > 0 ? Path.of(args[0]) : BenchDirs.base());
    PrintStream out = System.out;
    out.println("layer | durable commits/s | 1000-put batch ms | point reads/s | scanned rows/s");
    Path dir = Files.createTempDirectory(root, "h2layer-cairn");
    out.println(cairn(dir));
    BenchDirs.delete(dir);
    dir = Files.createTempDirectory(root, "h2layer-txstore");
    out.println(txStore(dir));
    BenchDirs.delete(dir);
    dir = Files.createTempDirectory(root, "h2layer-sql");
    out.println(sql(dir));
    BenchDirs.delete(dir);
  }

  private static String row(
      String name, double commits, double batchMs, double reads, double scan) {
    return String.format(Locale.ROOT, "%s | %,.0f | %.1f | %,.0f | %,.0f",
        name, commits, batchMs, reads, scan);
  }

  /** The chosen design, through the SPI: MVStore maps, own single-writer layer, explicit sync. */
  private static String cairn(Path dir) {
    try (Backend b = new H2BackendProvider().open(new BackendConfig(dir, KEYSPACES, Map.of()))) {
      long t0 = System.nanoTime();
      for (int i = 0; i < SYNC_COMMITS; i++) {
        try (BackendTransaction tx = b.beginWrite()) {
          tx.put("records", key(1_000_000 + i), VALUE);
          tx.commit(Durability.SYNC);
        }
      }
      double commits = SYNC_COMMITS / secs(t0);
      t0 = System.nanoTime();
      for (int n = 0; n < BATCHES; n++) {
        try (BackendTransaction tx = b.beginWrite()) {
          for (int i = 0; i < BATCH; i++) {
            tx.put("records", key(n * BATCH + i), VALUE);
          }
          tx.commit(Durability.SYNC);
        }
      }
      double batchMs = secs(t0) * 1000 / BATCHES;
      Random rnd = new Random(1);
      t0 = System.nanoTime();
      long sink = 0;
      try (BackendTransaction tx = b.beginRead()) {
        for (int i = 0; i < READS; i++) {
          sink += tx.get("records", key(rnd.nextInt(BATCHES * BATCH))).length;
        }
      }
      double reads = READS / secs(t0);
      t0 = System.nanoTime();
      long rows = 0;
      for (int s = 0; s < SCANS; s++) {
        try (BackendTransaction tx = b.beginRead();
            BackendCursor c = tx.scan("records", key(0), key(BATCHES * BATCH))) {
          while (c.next()) {
            sink += c.value().length;
            rows++;
          }
        }
      }
      double scan = rows / secs(t0);
      return row("MVStore maps + Cairn writer layer (chosen)" + (sink == 42 ? "" : ""), commits,
          batchMs, reads, scan);
    }
  }

  /** MVStore's TransactionStore, commit followed by store commit + sync. */
  private static String txStore(Path dir) {
    MVStore store = new MVStore.Builder().fileName(dir.resolve("store.mv.db").toString()).open();
    try {
      TransactionStore ts = new TransactionStore(store);
      ts.init();
      long t0 = System.nanoTime();
      for (int i = 0; i < SYNC_COMMITS; i++) {
        Transaction tx = ts.begin();
        TransactionMap<byte[], byte[]> m =
            tx.openMap("records", H2UnsignedBytes.INSTANCE, ByteArrayDataType.INSTANCE);
        m.put(key(1_000_000 + i), VALUE);
        tx.commit();
        store.commit();
        store.sync();
      }
      double commits = SYNC_COMMITS / secs(t0);
      t0 = System.nanoTime();
      for (int n = 0; n < BATCHES; n++) {
        Transaction tx = ts.begin();
        TransactionMap<byte[], byte[]> m =
            tx.openMap("records", H2UnsignedBytes.INSTANCE, ByteArrayDataType.INSTANCE);
        for (int i = 0; i < BATCH; i++) {
          m.put(key(n * BATCH + i), VALUE);
        }
        tx.commit();
        store.commit();
        store.sync();
      }
      double batchMs = secs(t0) * 1000 / BATCHES;
      Random rnd = new Random(1);
      long sink = 0;
      Transaction tx = ts.begin();
      TransactionMap<byte[], byte[]> m =
          tx.openMap("records", H2UnsignedBytes.INSTANCE, ByteArrayDataType.INSTANCE);
      t0 = System.nanoTime();
      for (int i = 0; i < READS; i++) {
        sink += m.get(key(rnd.nextInt(BATCHES * BATCH))).length;
      }
      double reads = READS / secs(t0);
      t0 = System.nanoTime();
      long rows = 0;
      for (int s = 0; s < SCANS; s++) {
        var it = m.entryIterator(key(0), key(BATCHES * BATCH - 1));
        while (it.hasNext()) {
          sink += it.next().getValue().length;
          rows++;
        }
      }
      double scan = rows / secs(t0);
      tx.commit();
      return row("MVStore TransactionStore" + (sink == 42 ? "" : ""), commits, batchMs, reads,
          scan);
    } finally {
      store.close();
    }
  }

  /** H2 SQL over JDBC: one table, VARBINARY primary key, CHECKPOINT SYNC after each commit. */
  private static String sql(Path dir) throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("store");
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE TABLE records(k VARBINARY(256) PRIMARY KEY, v VARBINARY)");
      }
      c.setAutoCommit(false);
      try (PreparedStatement put = c.prepareStatement("MERGE INTO records KEY(k) VALUES(?, ?)");
          Statement sync = c.createStatement()) {
        long t0 = System.nanoTime();
        for (int i = 0; i < SYNC_COMMITS; i++) {
          put.setBytes(1, key(1_000_000 + i));
          put.setBytes(2, VALUE);
          put.executeUpdate();
          c.commit();
          sync.execute("CHECKPOINT SYNC");
        }
        double commits = SYNC_COMMITS / secs(t0);
        t0 = System.nanoTime();
        for (int n = 0; n < BATCHES; n++) {
          for (int i = 0; i < BATCH; i++) {
            put.setBytes(1, key(n * BATCH + i));
            put.setBytes(2, VALUE);
            put.addBatch();
          }
          put.executeBatch();
          c.commit();
          sync.execute("CHECKPOINT SYNC");
        }
        double batchMs = secs(t0) * 1000 / BATCHES;
        Random rnd = new Random(1);
        long sink = 0;
        t0 = System.nanoTime();
        try (PreparedStatement get = c.prepareStatement("SELECT v FROM records WHERE k = ?")) {
          for (int i = 0; i < READS; i++) {
            get.setBytes(1, key(rnd.nextInt(BATCHES * BATCH)));
            try (ResultSet rs = get.executeQuery()) {
              rs.next();
              sink += rs.getBytes(1).length;
            }
          }
        }
        double reads = READS / secs(t0);
        t0 = System.nanoTime();
        long rows = 0;
        try (PreparedStatement scan =
            c.prepareStatement("SELECT k, v FROM records WHERE k >= ? AND k < ? ORDER BY k")) {
          for (int s = 0; s < SCANS; s++) {
            scan.setBytes(1, key(0));
            scan.setBytes(2, key(BATCHES * BATCH));
            try (ResultSet rs = scan.executeQuery()) {
              while (rs.next()) {
                sink += rs.getBytes(2).length;
                rows++;
              }
            }
          }
        }
        double scanRate = rows / secs(t0);
        c.commit();
        String order = varbinaryOrder(c);
        return row("H2 SQL over JDBC" + (sink == 42 ? "" : ""), commits, batchMs, reads, scanRate)
            + "\nVARBINARY ORDER BY of 00,7F,80,FF: " + order;
      }
    }
  }

  private static String varbinaryOrder(Connection c) throws Exception {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE ord(k VARBINARY PRIMARY KEY)");
      st.execute("INSERT INTO ord VALUES (X'FF'), (X'00'), (X'80'), (X'7F')");
      StringBuilder sb = new StringBuilder();
      try (ResultSet rs = st.executeQuery("SELECT k FROM ord ORDER BY k")) {
        while (rs.next()) {
          sb.append(String.format("%02X ", ByteBuffer.wrap(rs.getBytes(1)).get() & 0xFF));
        }
      }
      c.commit();
      return sb.toString().trim();
    }
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
