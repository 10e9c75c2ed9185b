package dev.cairn.backend.jdbc;

import dev.cairn.storage.spi.BackendConfig;
import java.util.Objects;

/**
 * The SQL of one keyspace, built once at open from a name that matched
 * {@link BackendConfig#isValidKeyspace} (so it can only contain {@code [a-z0-9_]}) and the
 * {@link SqlDialect}'s table name and statements. No other text is ever spliced into SQL.
 *
 * <p>Backends use {@link #create()} and {@link #table()} for their own statements (creating the
 * tables at open, maintenance); {@link JdbcTransaction} runs the others. The statements of a
 * range take the bounds that are given as parameters, lower first.
 *
 * <p>A keyspace whose table has the column {@code b} ({@link #of(SqlDialect, String, boolean)})
 * keeps the body of a value written in two parts
 * ({@link dev.cairn.storage.spi.BackendTransaction#put(String, byte[], byte[], byte[])}) there,
 * the head in {@code v}: the value is {@code v} followed by {@code b} ({@code b} null for a value
 * written whole). Its statements read and write both columns, in the {@code ON CONFLICT} forms
 * of the interface's defaults.
 */
public final class KeyspaceSql {

  private static final String[] WHERE =
      {"", " WHERE k >= ?", " WHERE k < ?", " WHERE k >= ? AND k < ?"};

  private final String name;
  private final String table;
  private final boolean body;
  private final String create;
  private final String get;
  private final String put;
  private final String insertIfAbsent;
  private final String delete;
  /** Indexed by {@link #variant}. */
  private final String[] scan = new String[4];
  private final String[] scanDescending = new String[4];
  private final String[] count = new String[4];

  private KeyspaceSql(SqlDialect dialect, String name, boolean body) {
    this.name = name;
    this.table = dialect.table(name);
    this.body = body;
    create = dialect.createTable(table);
    String values = body ? "v, b" : "v";
    get = "SELECT " + values + " FROM " + table + " WHERE k = ?";
    if (body) {
      String insert = "INSERT INTO " + table + " (k, v, b) VALUES (?, ?, ?) ON CONFLICT (k) DO ";
      put = insert + "UPDATE SET v = excluded.v, b = excluded.b";
      insertIfAbsent = insert + "NOTHING";
    } else {
      put = dialect.upsert(table);
      insertIfAbsent = dialect.insertIfAbsent(table);
    }
    delete = "DELETE FROM " + table + " WHERE k = ?";
    for (int i = 0; i < 4; i++) {
      scan[i] = "SELECT k, " + values + " FROM " + table + WHERE[i] + " ORDER BY k";
      scanDescending[i] = scan[i] + " DESC";
      count[i] = "SELECT count(*) FROM " + table + WHERE[i];
    }
  }

  /**
   * The SQL of keyspace {@code name} in {@code dialect}.
   *
   * @param dialect the database's dialect
   * @param name the keyspace's name
   * @return the keyspace's SQL
   * @throws IllegalArgumentException if {@code name} does not match {@code [a-z][a-z0-9_]{0,31}}
   */
  public static KeyspaceSql of(SqlDialect dialect, String name) {
    return of(dialect, name, false);
  }

  /**
   * The SQL of keyspace {@code name} in {@code dialect}, for a table that has the column
   * {@code b} (the body of a value written in two parts) if {@code body}.
   *
   * @param dialect the database's dialect
   * @param name the keyspace's name
   * @param body whether the keyspace's table has the column {@code b}
   * @return the keyspace's SQL
   * @throws IllegalArgumentException if {@code name} does not match {@code [a-z][a-z0-9_]{0,31}}
   */
  public static KeyspaceSql of(SqlDialect dialect, String name, boolean body) {
    Objects.requireNonNull(dialect, "dialect");
    if (!BackendConfig.isValidKeyspace(name)) {
      throw new IllegalArgumentException(
          "keyspace name must match [a-z][a-z0-9_]{0,31}: '" + name + "'");
    }
    return new KeyspaceSql(dialect, name, body);
  }

  /** {@return the keyspace's name} */
  public String name() {
    return name;
  }

  /** {@return the keyspace's table as it stands in SQL ({@link SqlDialect#table})} */
  public String table() {
    return table;
  }

  /** {@return whether the table has the column {@code b}, a value's body} */
  public boolean body() {
    return body;
  }

  /** {@return the statement that creates the table if it does not exist} */
  public String create() {
    return create;
  }

  /** {@code SELECT v} (and {@code b}) of one key. */
  String get() {
    return get;
  }

  /** The upsert of one key ({@link SqlDialect#upsert}). */
  String put() {
    return put;
  }

  /**
   * The insert of one key that does nothing if the key is present
   * ({@link SqlDialect#insertIfAbsent}).
   *
   * @return the statement, with the key as parameter 1 and the value as parameter 2 (with
   *     {@link #body()}: the head as parameter 2 and the body, or null, as parameter 3)
   */
  public String insertIfAbsent() {
    return insertIfAbsent;
  }

  /** {@code DELETE} of one key. */
  String delete() {
    return delete;
  }

  /** {@code SELECT k, v} (and {@code b}) of the range, in key order; {@code null} bounds are open. */
  String scan(byte[] fromInclusive, byte[] toExclusive) {
    return scan[variant(fromInclusive, toExclusive)];
  }

  /**
   * {@code SELECT k, v} (and {@code b}) of the range, in descending key order (the primary key's index read
   * backwards); {@code null} bounds are open.
   */
  String scanDescending(byte[] fromInclusive, byte[] toExclusive) {
    return scanDescending[variant(fromInclusive, toExclusive)];
  }

  /** {@code SELECT count(*)} of the range; {@code null} bounds are open. */
  String count(byte[] fromInclusive, byte[] toExclusive) {
    return count[variant(fromInclusive, toExclusive)];
  }

  /** Which bounds are given: bit 0 the lower, bit 1 the upper; they are bound in that order. */
  private static int variant(byte[] from, byte[] to) {
    return (from != null ? 1 : 0) | (to != null ? 2 : 0);
  }

  @Override
  public String toString() {
    return "KeyspaceSql[" + table + "]";
  }
}
