package dev.cairn.backend.sqlite;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.StorageFullException;
import dev.cairn.storage.ValueTooLargeException;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Locale;
import org.sqlite.SQLiteException;

/** Turns native SQLite failures into Cairn exceptions, keeping the native cause. */
final class SqliteErrors {

  // Primary result codes (https://www.sqlite.org/rescode.html).
  static final int SQLITE_PERM = 3;
  static final int SQLITE_BUSY = 5;
  static final int SQLITE_LOCKED = 6;
  static final int SQLITE_READONLY = 8;
  static final int SQLITE_IOERR = 10;
  static final int SQLITE_CORRUPT = 11;
  static final int SQLITE_FULL = 13;
  static final int SQLITE_CANTOPEN = 14;
  static final int SQLITE_TOOBIG = 18;
  static final int SQLITE_NOTADB = 26;

  private SqliteErrors() {}

  /** The primary result code of {@code e} (extended codes reduced to their low byte). */
  static int primaryCode(SQLException e) {
    if (e instanceof SQLiteException se) {
      return se.getResultCode().code & 0xff;
    }
    return e.getErrorCode() & 0xff;
  }

  /**
   * Maps a native failure.
   *
   * @param what what was being done, e.g. "commit" (starts the message)
   * @param dbFile the database file, named by corruption and permission messages
   * @param busyTimeoutMs the configured busy timeout, quoted by lock messages
   */
  static StorageException map(SQLException e, String what, Path dbFile, long busyTimeoutMs) {
    int code = primaryCode(e);
    String msg = String.valueOf(e.getMessage());
    String lower = msg.toLowerCase(Locale.ROOT);
    if (code == SQLITE_FULL || lower.contains("database or disk is full")) {
      return new StorageFullException(
          what + " failed: the disk holding " + dbFile + " is full (SQLite: " + msg + ")", e);
    }
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
      return new DataCorruptionException(
          dbFile.getFileName() + " is not a SQLite database or is corrupted (" + dbFile
              + "; SQLite: " + msg + ")", e);
    }
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
      return new BackendException(
          what + " failed: " + dbFile + " stayed locked by another connection or process for"
              + " longer than sqlite.busyTimeoutMs=" + busyTimeoutMs + " ms (SQLite: " + msg
              + ")", e);
    }
    if (code == SQLITE_READONLY || code == SQLITE_PERM) {
      return new BackendException(
          what + " failed: the SQLite store in " + dbFile.getParent() + " is read-only;"
              + " check permissions of the directory and its files (SQLite: " + msg + ")", e);
    }
    if (code == SQLITE_CANTOPEN) {
      return new BackendException(
          what + " failed: cannot open " + dbFile + "; check that the directory "
              + dbFile.getParent() + " exists and is writable (SQLite: " + msg + ")", e);
    }
    if (code == SQLITE_TOOBIG) {
      return new ValueTooLargeException(
          what + " failed: the key or value exceeds SQLite's maximum length (SQLite: " + msg
              + ")", e);
    }
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      if (c.getClass().getName().equals("org.sqlite.NativeLibraryNotFoundException")) {
        return new BackendException(
            what + " failed: sqlite-jdbc could not load its native library. It extracts it into"
                + " the directory of the system property org.sqlite.tmpdir (default"
                + " java.io.tmpdir=" + System.getProperty("java.io.tmpdir") + "), which must"
                + " exist and be writable (" + c.getMessage() + ")", e);
      }
    }
    return new BackendException(what + " failed on " + dbFile + " (SQLite: " + msg + ")", e);
  }

  /** Maps a file-system failure around the database (snapshots, WAL sync). */
  static StorageException map(IOException e, String what) {
    String msg = String.valueOf(e.getMessage());
    if (msg.toLowerCase(Locale.ROOT).contains("no space left on device")) {
      return new StorageFullException(what + " failed: disk full (" + msg + ")", e);
    }
    return new BackendException(what + " failed: " + e, e);
  }
}
