package dev.cairn.backend.postgres;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.StorageFullException;
import dev.cairn.storage.TransactionConflictException;
import dev.cairn.storage.ValueTooLargeException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Turns PostgreSQL failures into Cairn exceptions by SQLSTATE
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html), keeping the native cause.
 */
final class PostgresErrors {

  static final String SERIALIZATION_FAILURE = "40001";
  static final String DEADLOCK_DETECTED = "40P01";

  private PostgresErrors() {}

  /** Whether {@code e} is a conflict the engine may retry. */
  static boolean isConflict(SQLException e) {
    String s = e.getSQLState();
    return SERIALIZATION_FAILURE.equals(s) || DEADLOCK_DETECTED.equals(s);
  }

  /**
   * Maps a failure.
   *
   * @param what what was being done (starts the message)
   * @param where the server (URL without parameters) and schema, for the message
   */
  static StorageException map(SQLException e, String what, String where) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String msg = String.valueOf(e.getMessage());
    if (isConflict(e)) {
      return new TransactionConflictException(
          what + " conflicted with a concurrent transaction and was rolled back; retry it"
              + " (PostgreSQL " + state + ": " + msg + ")", e);
    }
    if (e instanceof SQLTransientConnectionException) {
      return new BackendException(what + " failed: no PostgreSQL connection became available"
          + " in time (" + where + "; raise postgres.poolSize or postgres.connectTimeoutMs): "
          + msg, e);
    }
    if (state.equals("53100")) {
      return new StorageFullException(
          what + " failed: the PostgreSQL server's disk is full (" + where + "): " + msg, e);
    }
    if (state.equals("54000") || state.equals("22001")) {
      return new ValueTooLargeException(
          what + " failed: the key or value exceeds a PostgreSQL limit (" + msg + ")", e);
    }
    if (state.equals("XX001") || state.equals("XX002")) {
      return new DataCorruptionException(
          what + " failed: PostgreSQL reports corrupted data (" + where + "): " + msg, e);
    }
    if (state.startsWith("08")) {
      return new BackendException(
          what + " failed: cannot reach the PostgreSQL server " + where + ": " + msg, e);
    }
    if (state.startsWith("28")) {
      return new BackendException(what + " failed: PostgreSQL rejected the credentials (" + where
          + "; the password is read from the environment variable named by"
          + " postgres.passwordEnv): " + msg, e);
    }
    if (state.equals("42501")) {
      return new BackendException(what + " failed: the PostgreSQL user lacks a privilege ("
          + where + "): " + msg, e);
    }
    return new BackendException(
        what + " failed on " + where + " (PostgreSQL " + state + ": " + msg + ")", e);
  }
}
