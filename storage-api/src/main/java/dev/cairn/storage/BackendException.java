package dev.cairn.storage;

/**
 * The backend failed; the native cause (SQLException, LmdbException, ...) is kept as the cause.
 */
public class BackendException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and no cause.
   *
   * @param message what went wrong, naming what it happened to
   */
  public BackendException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the failure that caused it.
   *
   * @param message what went wrong, naming what it happened to
   * @param cause the underlying failure, kept for its stack trace
   */
  public BackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
