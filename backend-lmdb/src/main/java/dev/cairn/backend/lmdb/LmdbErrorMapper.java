package dev.cairn.backend.lmdb;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.StorageFullException;
import java.nio.file.Path;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;

/**
 * Maps what LMDB reports — lmdbjava's exceptions and the result codes they carry, LMDB's own
 * ({@code MDB_*}) and errno values — to Cairn's exceptions, always keeping the native exception
 * as the cause:
 *
 * <ul>
 *   <li>{@code MDB_MAP_FULL} that growing the map did not absorb, {@code ENOSPC}, {@code EDQUOT},
 *       {@code EFBIG}: {@link StorageFullException};
 *   <li>{@code MDB_CORRUPTED}, {@code MDB_PAGE_NOTFOUND}, {@code MDB_INVALID} on a running store:
 *       {@link DataCorruptionException} naming {@code data.mdb};
 *   <li>everything else, and every failure to open: {@link BackendException} with the reason
 *       spelled out (panic, reader table full, permission denied, foreign or incompatible file).
 * </ul>
 */
final class LmdbErrorMapper {

  // errno values LMDB passes through
  private static final int EPERM = 1;
  private static final int EIO = 5;
  private static final int EACCES = 13;
  private static final int EFBIG = 27;
  private static final int ENOSPC = 28;
  private static final int EROFS = 30;
  private static final int EDQUOT = 122;
  // LMDB's own result codes (lmdb.h)
  private static final int MDB_READERS_FULL = -30790;
  private static final int MDB_INVALID = -30793;
  private static final int MDB_VERSION_MISMATCH = -30794;
  private static final int MDB_PANIC = -30795;
  private static final int MDB_CORRUPTED = -30796;
  private static final int MDB_PAGE_NOTFOUND = -30797;

  private final Path directory;
  private final int maxReaders;

  /** For the store in {@code directory}, opened with {@code lmdb.maxReaders = maxReaders}. */
  LmdbErrorMapper(Path directory, int maxReaders) {
    this.directory = directory;
    this.maxReaders = maxReaders;
  }

  /**
   * The Cairn exception for a failure of the open store while it tried to {@code action}
   * ("read", "commit", "grow the map", ...); the message names the store and the action.
   */
  StorageException translate(String action, LmdbException e) {
    String where = "LMDB store " + directory + ": cannot " + action;
    if (e instanceof Env.MapFullException) {
      return new StorageFullException(where + ": map full (lmdb.mapSizeMax)", e);
    }
    if (e instanceof LmdbNativeException) {
      int rc = ((LmdbNativeException) e).getResultCode();
      switch (rc) {
        case ENOSPC:
        case EDQUOT:
          return new StorageFullException(where + ": no space left on device", e);
        case EFBIG:
          return new StorageFullException(where + ": " + LmdbBackend.DATA_FILE
              + " cannot grow: file too large"
              + " (a file-size limit of the process or the file system)", e);
        case MDB_CORRUPTED:
        case MDB_PAGE_NOTFOUND:
        case MDB_INVALID:
          return new DataCorruptionException(
              where + ": " + directory.resolve(LmdbBackend.DATA_FILE) + " is corrupt ("
                  + e.getMessage() + ")", e);
        case MDB_PANIC:
          return new BackendException(
              where + ": LMDB environment panicked; close and reopen it", e);
        case MDB_READERS_FULL:
          return new BackendException(
              where + ": too many concurrent read transactions (lmdb.maxReaders=" + maxReaders
                  + ")",
              e);
        case EIO:
          // LMDB also answers a short write ("filesystem full?") with EIO: find out whether
          // the data file can grow, so a full disk is reported as one
          String full = "commit".equals(action) ? cannotGrow() : null;
          if (full != null) {
            return new StorageFullException(where + ": " + LmdbBackend.DATA_FILE
                + " cannot grow: " + full + " (LMDB reported a short write as EIO)", e);
          }
          break;
        case EACCES:
        case EPERM:
        case EROFS:
          return new BackendException(where + ": permission denied or read-only file system", e);
        default:
          break;
      }
    }
    return new BackendException(where + ": " + e.getMessage(), e);
  }

  /**
   * Why the data file cannot grow by a page, or null if it can: writes one page past its end
   * into a scratch file beside it (sparse below that), which fails as the data file's next write
   * would — {@code ENOSPC} on a full disk, {@code EFBIG} past a file-size limit.
   */
  private String cannotGrow() {
    Path scratch = directory.resolve("cairn-lmdb-grow-probe");
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(scratch,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
      long end = java.nio.file.Files.size(directory.resolve(LmdbBackend.DATA_FILE));
      ch.write(java.nio.ByteBuffer.allocate(4096), end);
      return null;
    } catch (java.io.IOException probe) {
      String m = String.valueOf(probe.getMessage());
      return m.contains("File too large") ? "file too large"
          : m.contains("No space left") || m.contains("quota") ? "no space left on device"
          : null;
    } finally {
      try {
        java.nio.file.Files.deleteIfExists(scratch);
      } catch (java.io.IOException ignored) {
        // a leftover probe file is harmless
      }
    }
  }

  /**
   * The exception for a failure of {@code mdb_env_open} on {@code dir}. A file LMDB does not
   * recognize is a {@link BackendException} here, not a {@link DataCorruptionException}: at open
   * it may as well be another program's file as a damaged store.
   */
  static BackendException openFailure(Path dir, LmdbException e) {
    if (e instanceof LmdbNativeException) {
      int rc = ((LmdbNativeException) e).getResultCode();
      Path data = dir.resolve(LmdbBackend.DATA_FILE);
      if (rc == MDB_INVALID) {
        return new BackendException(
            data + " is not an LMDB data file (MDB_INVALID: bad header or magic); it is corrupt"
                + " or belongs to another program",
            e);
      }
      if (rc == MDB_VERSION_MISMATCH) {
        return new BackendException(
            data + " was written by an incompatible LMDB version (MDB_VERSION_MISMATCH)", e);
      }
      if (rc == EACCES || rc == EPERM || rc == EROFS) {
        return new BackendException(
            "cannot open LMDB store " + dir + ": permission denied or read-only file system", e);
      }
    }
    return new BackendException("cannot open LMDB store " + dir + ": " + e.getMessage(), e);
  }

  /**
   * The exception for lmdbjava failing to load or link the native library: the two
   * {@code --add-opens} flags it needs, and where it extracts {@code liblmdb}.
   */
  static BackendException nativeLibraryMissing(LinkageError e) {
    return new BackendException(
        "cannot load the LMDB native library: "
            + e
            + ". On Java 17+ run with --add-opens java.base/java.nio=ALL-UNNAMED --add-opens"
            + " java.base/sun.nio.ch=ALL-UNNAMED; lmdbjava extracts liblmdb into java.io.tmpdir ("
            + System.getProperty("java.io.tmpdir")
            + "), which must exist and allow execution (or set -Dlmdbjava.native.lib to a"
            + " system liblmdb)",
        e);
  }
}
