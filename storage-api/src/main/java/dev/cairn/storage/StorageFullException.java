package dev.cairn.storage;

/**
 * The backend has no room left (disk full, LMDB map at its configured maximum); the transaction was rolled back.
 */
public class StorageFullException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and no cause.
   *
   * @param message what went wrong, naming what it happened to
   */
  public StorageFullException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the failure that caused it.
   *
   * @param message what went wrong, naming what it happened to
   * @param cause the underlying failure, kept for its stack trace
   */
  public StorageFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
