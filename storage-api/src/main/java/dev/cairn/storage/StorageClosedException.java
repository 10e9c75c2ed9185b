package dev.cairn.storage;

/**
 * Thrown by every operation on a {@link Storage} after {@link Storage#close()}.
 */
public class StorageClosedException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and no cause.
   *
   * @param message what went wrong, naming what it happened to
   */
  public StorageClosedException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the failure that caused it.
   *
   * @param message what went wrong, naming what it happened to
   * @param cause the underlying failure, kept for its stack trace
   */
  public StorageClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
