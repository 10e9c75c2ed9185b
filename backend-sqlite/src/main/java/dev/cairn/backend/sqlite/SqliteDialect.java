package dev.cairn.backend.sqlite;

import dev.cairn.backend.jdbc.SqlDialect;

/**
 * SQLite's keyspace tables: {@code "ks_<name>" (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL,
 * b BLOB) WITHOUT ROWID}. The keys are the primary key of a clustered B-tree, which SQLite
 * compares with {@code memcmp}, shorter first on a common prefix: the SPI's unsigned order.
 * {@code b} holds the body of a value written in two parts, {@code v} its head (the engine's
 * record: its fields in {@code v}, the stored value in {@code b}, which a read hands out as the
 * driver returned it); it is null for a value written whole. Tables created before store format
 * 4 have no {@code b} and keep every value whole ({@link dev.cairn.backend.jdbc.KeyspaceSql}).
 */
final class SqliteDialect implements SqlDialect {

  static final SqliteDialect INSTANCE = new SqliteDialect();

  private SqliteDialect() {}

  @Override
  public String databaseName() {
    return "SQLite";
  }

  @Override
  public String table(String keyspace) {
    return "\"" + tableName(keyspace) + "\"";
  }

  /** The table of a valid {@code keyspace}, unquoted. */
  static String tableName(String keyspace) {
    return "ks_" + keyspace;
  }

  @Override
  public String createTable(String table) {
    return "CREATE TABLE IF NOT EXISTS " + table
        + " (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL, b BLOB) WITHOUT ROWID";
  }
}
