package dev.cairn.backend.sqlite;

import dev.cairn.backend.jdbc.SqlDialect;

/**
 * SQLite's keyspace tables: {@code "ks_<name>" (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL)
 * WITHOUT ROWID}. The keys are the primary key of a clustered B-tree, which SQLite compares
 * with {@code memcmp}, shorter first on a common prefix: the SPI's unsigned order.
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
    return "\"ks_" + keyspace + "\"";
  }

  @Override
  public String createTable(String table) {
    return "CREATE TABLE IF NOT EXISTS " + table
        + " (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID";
  }
}
