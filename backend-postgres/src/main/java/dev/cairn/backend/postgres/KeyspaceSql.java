package dev.cairn.backend.postgres;

import dev.cairn.storage.spi.BackendConfig;

/**
 * The SQL of one keyspace, built once at open from names that matched their patterns (schema
 * {@code [a-z_][a-z0-9_]{0,62}}, keyspace {@code [a-z][a-z0-9_]{0,31}}). No other text is ever
 * spliced into SQL. {@code bytea} compares as unsigned bytes (memcmp, then length), which is the
 * SPI's key order; collations do not apply to {@code bytea}.
 */
final class KeyspaceSql {

  /** Scan and count variants are indexed by {@code (from != null ? 1 : 0) | (to != null ? 2 : 0)}. */
  static int variant(byte[] from, byte[] to) {
    return (from != null ? 1 : 0) | (to != null ? 2 : 0);
  }

  final String name;
  final String table;
  final String create;
  final String get;
  final String put;
  final String delete;
  /** {@link #put} and {@link #delete} that first take the write gate in shared mode. */
  final String putGated;
  final String deleteGated;
  private final String[] scan = new String[4];
  private final String[] count = new String[4];

  KeyspaceSql(PostgresOptions options, String name) {
    if (!BackendConfig.isValidKeyspace(name)) {
      throw new IllegalArgumentException(
          "keyspace name must match [a-z][a-z0-9_]{0,31}: '" + name + "'");
    }
    this.name = name;
    this.table = options.table(name);
    create = "CREATE TABLE IF NOT EXISTS " + table
        + " (k bytea PRIMARY KEY, v bytea NOT NULL)";
    get = "SELECT v FROM " + table + " WHERE k = ?";
    put = "INSERT INTO " + table + " (k, v) VALUES (?, ?)"
        + " ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v";
    delete = "DELETE FROM " + table + " WHERE k = ?";
    // the subquery yields the row to insert or joins the row to delete, so the gate is taken
    // before the statement locks a row (a delete that finds no row may skip it: it writes nothing)
    String gate = "(SELECT " + writeGate(options.schema(), "pg_advisory_xact_lock_shared") + ") gate";
    putGated = "INSERT INTO " + table + " (k, v) SELECT ?, ? FROM " + gate
        + " ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v";
    deleteGated = "DELETE FROM " + table + " USING " + gate + " WHERE k = ?";
    String[] where = {"", " WHERE k >= ?", " WHERE k < ?", " WHERE k >= ? AND k < ?"};
    for (int i = 0; i < 4; i++) {
      scan[i] = "SELECT k, v FROM " + table + where[i] + " ORDER BY k";
      count[i] = "SELECT count(*) FROM " + table + where[i];
    }
  }

  /**
   * A call of the advisory-lock function {@code fn} on the store's write gate: every write
   * transaction holds it in shared mode from its first write, one that runs alone holds it
   * exclusively (see {@link PostgresBackend#beginWriteAlone()}).
   */
  static String writeGate(String schema, String fn) {
    return fn + "(hashtext('cairn.write-gate." + schema + "'))";
  }

  String scan(int variant) {
    return scan[variant];
  }

  String count(int variant) {
    return count[variant];
  }
}
