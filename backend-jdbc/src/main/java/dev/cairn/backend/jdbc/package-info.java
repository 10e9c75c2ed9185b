/**
 * The JDBC code that Cairn's SQLite and PostgreSQL backends share: the SQL of a keyspace
 * ({@link dev.cairn.backend.jdbc.KeyspaceSql}), built from a small
 * {@link dev.cairn.backend.jdbc.SqlDialect}; and the skeleton of a backend transaction with its
 * cursors ({@link dev.cairn.backend.jdbc.JdbcTransaction}), which asks the backend that began
 * it ({@link dev.cairn.backend.jdbc.JdbcStore}) for the keyspaces' SQL and the meaning of its
 * database's failures.
 *
 * <p>Not API, and not a plugin: there is no provider here, and applications never use these
 * types. They are public only because two other packages, {@code dev.cairn.backend.sqlite} and
 * {@code dev.cairn.backend.postgres}, build on them; they may change at any time, together with
 * those two backends.
 */
package dev.cairn.backend.jdbc;
