package dev.cairn.storage;

/**
 * Stored bytes failed an integrity check (CRC32C of an inline payload, SHA-256 of a blob, a
 * malformed header or an undecodable payload). Cairn raises this instead of ever returning
 * wrong bytes. The message names the collection and key where they are known.
 */
public class DataCorruptionException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and no cause.
   *
   * @param message what went wrong, naming what it happened to
   */
  public DataCorruptionException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the failure that caused it.
   *
   * @param message what went wrong, naming what it happened to
   * @param cause the underlying failure, kept for its stack trace
   */
  public DataCorruptionException(String message, Throwable cause) {
    super(message, cause);
  }
}
