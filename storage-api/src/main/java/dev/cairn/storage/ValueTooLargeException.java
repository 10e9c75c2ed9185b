package dev.cairn.storage;

/**
 * A value is larger than the configured maximum ({@link StorageBuilder#maxValueBytes(int)}); nothing was written.
 */
public class ValueTooLargeException extends StorageException {
  private static final long serialVersionUID = 1L;

  public ValueTooLargeException(String message) {
    super(message);
  }

  public ValueTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
