/**
 * The JDBC code that Cairn's SQLite and PostgreSQL backends share.
 *
 * <p>Not API, and not a plugin: there is no provider here, and applications never use these
 * types. They are public only because two other packages, {@code dev.cairn.backend.sqlite} and
 * {@code dev.cairn.backend.postgres}, build on them; they may change at any time, together with
 * those two backends.
 */
package dev.cairn.backend.jdbc;
