package dev.cairn.storage;

/**
 * A value is larger than the configured maximum ({@link StorageBuilder#maxValueBytes(int)}); nothing was written.
 */
public class ValueTooLargeException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and no cause.
   *
   * @param message what went wrong, naming what it happened to
   */
  public ValueTooLargeException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the failure that caused it.
   *
   * @param message what went wrong, naming what it happened to
   * @param cause the underlying failure, kept for its stack trace
   */
  public ValueTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
