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
 */
public final class KeyspaceSql {

  private static final String[] WHERE =
      {"", " WHERE k >= ?", " WHERE k < ?", " WHERE k >= ? AND k < ?"};

  private final String name;
  private final String table;
  private final String create;
  private final String get;
  private final String put;
  private final String insertIfAbsent;
  private final String delete;
  /** Indexed by {@link #variant}. */
  private final String[] scan = new String[4];
  private final String[] scanDescending = new String[4];
  private final String[] count = new String[4];

  private KeyspaceSql(SqlDialect dialect, String name) {
    this.name = name;
    this.table = dialect.table(name);
    create = dialect.createTable(table);
    get = "SELECT v FROM " + table + " WHERE k = ?";
    put = dialect.upsert(table);
    insertIfAbsent = dialect.insertIfAbsent(table);
    delete = "DELETE FROM " + table + " WHERE k = ?";
    for (int i = 0; i < 4; i++) {
      scan[i] = "SELECT k, v FROM " + table + WHERE[i] + " ORDER BY k";
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
    Objects.requireNonNull(dialect, "dialect");
    if (!BackendConfig.isValidKeyspace(name)) {
      throw new IllegalArgumentException(
          "keyspace name must match [a-z][a-z0-9_]{0,31}: '" + name + "'");
    }
    return new KeyspaceSql(dialect, name);
  }

  /** {@return the keyspace's name} */
  public String name() {
    return name;
  }

  /** {@return the keyspace's table as it stands in SQL ({@link SqlDialect#table})} */
  public String table() {
    return table;
  }

  /** {@return the statement that creates the table if it does not exist} */
  public String create() {
    return create;
  }

  /** {@code SELECT v} of one key. */
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
   * @return the statement, with the key as parameter 1 and the value as parameter 2
   */
  public String insertIfAbsent() {
    return insertIfAbsent;
  }

  /** {@code DELETE} of one key. */
  String delete() {
    return delete;
  }

  /** {@code SELECT k, v} of the range, in key order; {@code null} bounds are open. */
  String scan(byte[] fromInclusive, byte[] toExclusive) {
    return scan[variant(fromInclusive, toExclusive)];
  }

  /**
   * {@code SELECT k, v} of the range, in descending key order (the primary key's index read
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
