package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.openjdk.jmh.infra.Blackhole;

/**
 * sqlite-jdbc used the way a careful user would: WAL, {@code synchronous=FULL} (durable commits),
 * one {@code WITHOUT ROWID} table of BLOB key/value, one writer connection (SQLite allows one
 * writer) without generated keys, one reader connection per thread with prepared statements,
 * autocommit reads.
 */
final class RawSqlite implements Kv {

  private final String url;
  private final Connection writer;
  private final PreparedStatement put;
  private final List<Connection> readers = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Reader> reader = ThreadLocal.withInitial(this::openReader);

  private final class Reader {
    final PreparedStatement get;
    final PreparedStatement keys;
    final PreparedStatement all;

    Reader(Connection c) throws SQLException {
      get = c.prepareStatement("SELECT v FROM kv WHERE k = ?");
      keys = c.prepareStatement("SELECT k FROM kv ORDER BY k");
      all = c.prepareStatement("SELECT k, v FROM kv ORDER BY k");
    }
  }

  RawSqlite(Path dir) {
    url = "jdbc:sqlite:" + dir.resolve("raw.sqlite");
    try {
      // the driver's default runs a freshly prepared SELECT last_insert_rowid() after every
      // INSERT (getGeneratedKeys); nothing here reads generated keys, and Cairn turns it off too
      org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
      config.setGetGeneratedKeys(false);
      writer = DriverManager.getConnection(url, config.toProperties());
      try (Statement st = writer.createStatement()) {
        // the page size Cairn's SQLite backend uses (sqlite.pageSize): with SQLite's default of
        // 4096, ~1 KiB values spill into overflow pages and every read touches two pages
        st.execute("PRAGMA page_size = " + Integer.getInteger("cairn.bench.rawSqlitePageSize", 8192));
        st.execute("PRAGMA journal_mode = WAL");
        st.execute("PRAGMA synchronous = FULL");
        st.execute("PRAGMA cache_size = -8192");
        st.execute("CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL)"
            + " WITHOUT ROWID");
      }
      writer.setAutoCommit(false);
      put = writer.prepareStatement("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private Reader openReader() {
    try {
      Connection c = DriverManager.getConnection(url);
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA cache_size = -8192");
      }
      readers.add(c);
      return new Reader(c);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void putBatch(String[] keys, byte[][] values) {
    try {
      for (int i = 0; i < keys.length; i++) {
        put.setBytes(1, Values.keyBytes(keys[i]));
        put.setBytes(2, values[i]);
        put.executeUpdate();
      }
      writer.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void putOne(String key, byte[] value) {
    try {
      put.setBytes(1, Values.keyBytes(key));
      put.setBytes(2, value);
      put.executeUpdate();
      writer.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void putOneGroup(String key, byte[] value) {
    putOne(key, value);
  }

  @Override
  public byte[] get(String key) {
    try {
      PreparedStatement ps = reader.get().get;
      ps.setBytes(1, Values.keyBytes(key));
      try (ResultSet rs = ps.executeQuery()) {
        return Kv.require(rs.next() ? rs.getBytes(1) : null, key);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public long scanKeys(Blackhole bh) {
    long n = 0;
    try (ResultSet rs = reader.get().keys.executeQuery()) {
      while (rs.next()) {
        bh.consume(new String(rs.getBytes(1), java.nio.charset.StandardCharsets.UTF_8));
        n++;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return n;
  }

  @Override
  public long scanAll(Blackhole bh) {
    long n = 0;
    try (ResultSet rs = reader.get().all.executeQuery()) {
      while (rs.next()) {
        bh.consume(new String(rs.getBytes(1), java.nio.charset.StandardCharsets.UTF_8));
        bh.consume(rs.getBytes(2));
        n++;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return n;
  }

  @Override
  public void close() {
    try {
      for (Connection c : readers) {
        c.close();
      }
      writer.close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
