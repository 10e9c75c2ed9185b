package dev.cairn.backend.jdbc;

/**
 * What a database's SQL looks like where Cairn's JDBC backends need it to differ: how a
 * keyspace's table is named and created, and how a scan is fetched. Everything else
 * {@link KeyspaceSql} builds is the same for every database that has {@code ON CONFLICT}
 * upserts (SQLite 3.24+, PostgreSQL 9.5+).
 *
 * <p>A keyspace's table has two columns, {@code k} (the key, primary key) and {@code v} (the
 * value, not null), both binary, and the database must order {@code k} as unsigned bytes,
 * shorter prefix first: that is the order in which scans return keys. It may have a third,
 * {@code b} (binary, nullable), for the body of a value written in two parts; a backend whose
 * tables have it builds their SQL with {@link KeyspaceSql#of(SqlDialect, String, boolean)}, and
 * {@link #upsert} and {@link #insertIfAbsent} are then not used. Methods receive only
 * names that matched {@link dev.cairn.storage.spi.BackendConfig#isValidKeyspace}; what they
 * return is spliced into SQL, so it must contain no other caller-supplied text.
 */
public interface SqlDialect {

  /**
   * {@return the database's name in messages, e.g. {@code "SQLite"} ("the SQLite backend was
   * closed")}
   */
  String databaseName();

  /**
   * The table of {@code keyspace} as it stands in SQL: quoted, or qualified by a schema.
   *
   * @param keyspace a valid keyspace name
   * @return the table's name, ready to splice into SQL
   */
  String table(String keyspace);

  /**
   * The statement that creates {@code table} (as returned by {@link #table}) if it does not
   * exist, with the columns {@code k} and {@code v} described above.
   *
   * @param table a table as {@link #table} returned it
   * @return the {@code CREATE TABLE IF NOT EXISTS} statement, or its equivalent
   */
  String createTable(String table);

  /**
   * The statement that inserts or replaces one row of {@code table}, with the key as parameter
   * 1 and the value as parameter 2. The default is an {@code ON CONFLICT (k)} upsert.
   *
   * @param table a table as {@link #table} returned it
   * @return the upsert statement
   */
  default String upsert(String table) {
    return "INSERT INTO " + table + " (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v";
  }

  /**
   * The statement that inserts one row of {@code table} unless its key is present, with the key
   * as parameter 1 and the value as parameter 2, and changes nothing (no error) if the key is
   * present. The default is {@code ON CONFLICT (k) DO NOTHING}.
   *
   * @param table a table as {@link #table} returned it
   * @return the insert statement
   */
  default String insertIfAbsent(String table) {
    return "INSERT INTO " + table + " (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING";
  }

  /**
   * How many rows a scan asks the driver for at a time ({@link java.sql.Statement#setFetchSize});
   * 0, the default, leaves the driver's own setting.
   *
   * @return rows per fetch, or 0
   */
  default int scanFetchSize() {
    return 0;
  }
}
