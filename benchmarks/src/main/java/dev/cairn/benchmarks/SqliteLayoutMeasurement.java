package dev.cairn.benchmarks;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The measurement behind SQLite values in a column of their own (benchmarks/README.md,
 * "twentieth" and "twenty-second"): what a scan costs with each value inside a sealed record,
 * as Cairn stored it before store format 4, against the same record with its value in a column
 * of its own, as Cairn stores it since (its head in {@code v}, the value in {@code b}). Four
 * scans of the same records (~1 KiB values, keys as {@link CompareBenchmark}'s), interleaved in
 * one JVM so that a change in the machine's state between them moves all four:
 *
 * <ul>
 *   <li>{@code raw}: {@link RawSqlite#scanAll}, the baseline of the report;
 *   <li>{@code cairn}: {@code Storage.entries} through {@link CairnKv}, as in the report;
 *   <li>{@code oneColumn}: the least a scan of the layout before store format 4 does: per row
 *       the key and the sealed record from the driver, the CRC32C over both checked, the value
 *       copied out of the record ({@value #HEAD} bytes of header before it, the CRC after);
 *   <li>{@code twoColumns}: the least a scan of store format 4's layout does, the record's
 *       header and CRC in one column and the value in another: one more column read from the
 *       driver, the CRC32C over key, header and value checked, and the driver's array handed
 *       out as the value (no copy of it).
 * </ul>
 *
 * <p>Not JMH: it answers a design question in one JVM, printing the rate of each scan per round
 * and the ratios to raw; only ratios within one run mean anything. Run from the repository root:
 *
 * <pre>
 * ./mvnw -q -ntp -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.cairn.benchmarks.SqliteLayoutMeasurement [records [rounds]]
 * </pre>
 *
 * Records default to {@link CompareBenchmark#RECORDS} (1,000 keeps the table in the CPU's cache),
 * rounds to 8 (after 3 to warm up), each scan running half a second per round. The stores are
 * created under {@code $CAIRN_BENCH_DIR} (else {@code ./cairn-bench-data}) and deleted afterwards.
 */
public final class SqliteLayoutMeasurement {

  /** Bytes of a record before its value: Cairn's header (39) and the value's SHA-256 (32). */
  static final int HEAD = 39 + 32;
  private static final int CRC = 4;

  private SqliteLayoutMeasurement() {}

  public static void main(String[] args) throws Exception {
    int records = InterleavedScans.positive(args, 0, "records", CompareBenchmark.RECORDS);
    int rounds = InterleavedScans.positive(args, 1, "rounds", InterleavedScans.ROUNDS);
    Path dir = BenchDirs.fresh("sqlite-layout");
    Kv raw = null;
    Kv cairn = null;
    try (Connection one = open(dir.resolve("one-column.sqlite"), "v BLOB NOT NULL");
        Connection two = open(dir.resolve("two-columns.sqlite"),
            "h BLOB NOT NULL, v BLOB NOT NULL")) {
      raw = Kv.open("raw", "sqlite", Files.createDirectory(dir.resolve("raw")));
      cairn = Kv.open("cairn", "sqlite", Files.createDirectory(dir.resolve("cairn")));
      CompareBenchmark.load(raw, new Values(), 0, records, CompareBenchmark.BATCH);
      CompareBenchmark.load(cairn, new Values(), 0, records, CompareBenchmark.BATCH);
      loadModels(one, two, records);
      Blackhole bh = InterleavedScans.blackhole();
      Kv rawKv = raw;
      Kv cairnKv = cairn;
      PreparedStatement scanOne = one.prepareStatement("SELECT k, v FROM kv ORDER BY k");
      PreparedStatement scanTwo = two.prepareStatement("SELECT k, h, v FROM kv ORDER BY k");
      InterleavedScans.interleave(List.of("raw", "cairn", "oneColumn", "twoColumns"), List.of(
          () -> rawKv.scanAll(bh), () -> cairnKv.scanAll(bh),
          () -> scanOneColumn(scanOne, bh), () -> scanTwoColumns(scanTwo, bh)), records, rounds);
    } finally {
      if (raw != null) {
        raw.close();
      }
      if (cairn != null) {
        cairn.close();
      }
      BenchDirs.delete(dir);
    }
  }

  /** A connection set up as {@link RawSqlite}'s, with table {@code kv (k, <columns>)}. */
  private static Connection open(Path file, String columns) throws SQLException {
    org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
    config.setGetGeneratedKeys(false);
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA page_size = 8192");
      st.execute("PRAGMA journal_mode = WAL");
      st.execute("PRAGMA cache_size = -8192");
      st.execute("CREATE TABLE kv (k BLOB PRIMARY KEY NOT NULL, " + columns + ") WITHOUT ROWID");
    }
    c.setAutoCommit(false);
    return c;
  }

  /**
   * The same records in both model layouts, sealed with a CRC32C over key, header and value,
   * committed in {@link CompareBenchmark#BATCH}es as {@link CompareBenchmark#load} does.
   */
  private static void loadModels(Connection one, Connection two, int records)
      throws SQLException {
    Values values = new Values();
    Random random = new Random(1);
    try (PreparedStatement putOne = one.prepareStatement("INSERT INTO kv VALUES (?, ?)");
        PreparedStatement putTwo = two.prepareStatement("INSERT INTO kv VALUES (?, ?, ?)")) {
      for (int i = 0; i < records; i++) {
        byte[] key = Sealing.prefixed(Values.key(i)); // as Cairn's record keys
        byte[] value = values.value(i);
        byte[] head = new byte[HEAD];
        random.nextBytes(head);
        CRC32C crc = new CRC32C();
        crc.update(key);
        crc.update(head);
        crc.update(value);
        int seal = (int) crc.getValue();
        putOne.setBytes(1, key);
        putOne.setBytes(2, ByteBuffer.allocate(HEAD + value.length + CRC).put(head).put(value)
            .putInt(seal).array());
        putOne.executeUpdate();
        putTwo.setBytes(1, key);
        putTwo.setBytes(2, ByteBuffer.allocate(HEAD + CRC).put(head).putInt(seal).array());
        putTwo.setBytes(3, value);
        putTwo.executeUpdate();
        if ((i + 1) % CompareBenchmark.BATCH == 0 || i + 1 == records) {
          // committed in the batches raw and Cairn are loaded in, so that as many pages are
          // left in the WAL as theirs (a read of one looks it up in the WAL index first)
          one.commit();
          two.commit();
        }
      }
    }
  }

  private static long scanOneColumn(PreparedStatement scan, Blackhole bh) throws SQLException {
    long n = 0;
    try (ResultSet rs = scan.executeQuery()) {
      while (rs.next()) {
        byte[] key = rs.getBytes(1);
        byte[] record = rs.getBytes(2);
        int end = record.length - CRC;
        CRC32C crc = new CRC32C();
        crc.update(key);
        crc.update(record, 0, end);
        check(crc, ByteBuffer.wrap(record).getInt(end));
        bh.consume(Sealing.unprefixed(key));
        bh.consume(Arrays.copyOfRange(record, HEAD, end));
        n++;
      }
    }
    return n;
  }

  private static long scanTwoColumns(PreparedStatement scan, Blackhole bh) throws SQLException {
    long n = 0;
    try (ResultSet rs = scan.executeQuery()) {
      while (rs.next()) {
        byte[] key = rs.getBytes(1);
        byte[] head = rs.getBytes(2);
        byte[] value = rs.getBytes(3);
        CRC32C crc = new CRC32C();
        crc.update(key);
        crc.update(head, 0, HEAD);
        crc.update(value);
        check(crc, ByteBuffer.wrap(head).getInt(HEAD));
        bh.consume(Sealing.unprefixed(key));
        bh.consume(value);
        n++;
      }
    }
    return n;
  }

  private static void check(CRC32C crc, int sealed) {
    if ((int) crc.getValue() != sealed) {
      throw new IllegalStateException("damaged record");
    }
  }
}
