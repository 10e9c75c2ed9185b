package dev.cairn.backend.postgres;

import dev.cairn.backend.jdbc.KeyspaceSql;
import dev.cairn.backend.jdbc.SqlDialect;
import java.util.Locale;

/**
 * PostgreSQL's keyspace tables in one schema: {@code <schema>.ks_<name> (k bytea PRIMARY KEY,
 * v bytea NOT NULL)}, scanned in pages through a server-side portal; and the SQL of the store's
 * write gate. {@code bytea} compares as unsigned bytes (memcmp, then length), which is the SPI's
 * key order; collations do not apply to {@code bytea}. The schema matched
 * {@code [a-z_][a-z0-9_]{0,62}} (see {@link PostgresOptions}), so it is safe to splice into SQL.
 */
final class PostgresDialect implements SqlDialect {

  /** Rows per round trip of a scan: a server-side portal delivers them in pages, lazily. */
  static final int FETCH_SIZE = 256;

  private final String schema;

  PostgresDialect(String schema) {
    this.schema = schema;
  }

  @Override
  public String databaseName() {
    return "PostgreSQL";
  }

  /** The table of {@code keyspace}, schema-qualified; both names are validated identifiers. */
  @Override
  public String table(String keyspace) {
    return schema + ".ks_" + keyspace.toLowerCase(Locale.ROOT);
  }

  @Override
  public String createTable(String table) {
    return "CREATE TABLE IF NOT EXISTS " + table + " (k bytea PRIMARY KEY, v bytea NOT NULL)";
  }

  @Override
  public int scanFetchSize() {
    return FETCH_SIZE;
  }

  /**
   * A call of the advisory-lock function {@code fn} on the store's write gate: every write
   * transaction holds it in shared mode from its first write, one that runs alone holds it
   * exclusively (see {@link PostgresBackend#beginWriteAlone()}).
   */
  String writeGate(String fn) {
    return fn + "(hashtext('cairn.write-gate." + schema + "'))";
  }

  /** The put and delete of a keyspace that first take the write gate in shared mode. */
  GatedWrites gatedWrites(KeyspaceSql ks) {
    // the subquery yields the row to insert or joins the row to delete, so the gate is taken
    // before the statement locks a row (a delete that finds no row may skip it: it writes nothing)
    String gate = "(SELECT " + writeGate("pg_advisory_xact_lock_shared") + ") gate";
    return new GatedWrites(
        "INSERT INTO " + ks.table() + " (k, v) SELECT ?, ? FROM " + gate
            + " ON CONFLICT (k) DO UPDATE SET v = excluded.v",
        "DELETE FROM " + ks.table() + " USING " + gate + " WHERE k = ?");
  }

  /** A keyspace's put and delete, taking the write gate first. */
  record GatedWrites(String put, String delete) {}
}
