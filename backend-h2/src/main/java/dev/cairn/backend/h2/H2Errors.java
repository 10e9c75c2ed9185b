package dev.cairn.backend.h2;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.StorageFullException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStoreException;

/** Turns native failures into Cairn exceptions, keeping the cause. */
final class H2Errors {

  private H2Errors() {}

  /** Whether {@code t} or one of its causes says the store cannot grow: no space, quota, size limit. */
  static boolean isOutOfSpace(Throwable t) {
    return spaceCause(t) != null;
  }

  /** The message of the cause that says the store cannot grow, or null if none does. */
  private static String spaceCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if ((c instanceof IOException || c instanceof MVStoreException) && m != null) {
        String lm = m.toLowerCase(Locale.ROOT);
        if (lm.contains("no space left on device")
            || lm.contains("disk quota exceeded")
            || lm.contains("file too large") // EFBIG: a file-size limit, the file cannot grow
            || lm.contains("not enough space")
            || lm.contains("there is not enough space on the disk")) {
          return m;
        }
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  /**
   * Translation of a failure while opening {@code file}. Two {@link Error}s are signs of a
   * damaged file and are caught at every call into MVStore: an {@link AssertionError} from
   * MVStore's internal asserts (active under -ea), and a {@link StackOverflowError} from
   * following page references that loop (the corruption checker found one at open).
   */
  static StorageException onOpen(Throwable e, Path file) {
    if (e instanceof AssertionError) {
      return new DataCorruptionException(
          "store.mv.db is corrupt (an H2 consistency check failed): " + file + ": " + e, e);
    }
    if (e instanceof StackOverflowError) {
      return new DataCorruptionException(
          "store.mv.db is corrupt (its page references loop): " + file, e);
    }
    if (isOutOfSpace(e)) {
      return new StorageFullException(
          "the store file cannot grow while opening " + file + " (" + spaceCause(e) + ")", e);
    }
    if (e instanceof MVStoreException mve) {
      switch (mve.getErrorCode()) {
        case DataUtils.ERROR_FILE_LOCKED:
          return new BackendException(
              "store.mv.db is locked by another process (or is already open in this JVM): "
                  + file,
              e);
        case DataUtils.ERROR_FILE_CORRUPT:
        case DataUtils.ERROR_READING_FAILED:
        case DataUtils.ERROR_CHUNK_NOT_FOUND:
        case DataUtils.ERROR_SERIALIZATION:
          return new DataCorruptionException(
              "store.mv.db is not a readable H2 MVStore file (corrupt or not an H2 file): "
                  + file + ": " + e.getMessage(),
              e);
        case DataUtils.ERROR_UNSUPPORTED_FORMAT:
          return new BackendException(
              "store.mv.db was written in a format this H2 version cannot read: " + file, e);
        default:
          break;
      }
    }
    return new BackendException("cannot open H2 store " + file + ": " + e.getMessage(), e);
  }

  /** Translation of a failure during an operation ({@code what}). */
  static StorageException onOperation(String what, Throwable e) {
    if (e instanceof AssertionError) {
      return new DataCorruptionException(
          "H2 store is corrupt (" + what + "): an H2 consistency check failed: " + e, e);
    }
    if (e instanceof StackOverflowError) {
      return new DataCorruptionException(
          "H2 store is corrupt (" + what + "): its page references loop", e);
    }
    if (e instanceof StorageException se) {
      return se;
    }
    if (isOutOfSpace(e)) {
      return new StorageFullException(
          "the store file cannot grow during " + what + " (" + spaceCause(e) + ")", e);
    }
    if (e instanceof MVStoreException mve) {
      int code = mve.getErrorCode();
      if (code == DataUtils.ERROR_FILE_CORRUPT || code == DataUtils.ERROR_CHUNK_NOT_FOUND) {
        return new DataCorruptionException("H2 store is corrupt (" + what + "): " + e.getMessage(), e);
      }
    }
    return new BackendException("H2 " + what + " failed: " + e.getMessage(), e);
  }
}
