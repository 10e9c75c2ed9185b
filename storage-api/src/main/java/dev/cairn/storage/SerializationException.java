package dev.cairn.storage;

/**
 * The {@link ValueMapper} failed to turn a value into bytes or bytes into a value.
 */
public class SerializationException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and no cause.
   *
   * @param message what went wrong, naming what it happened to
   */
  public SerializationException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the failure that caused it.
   *
   * @param message what went wrong, naming what it happened to
   * @param cause the underlying failure, kept for its stack trace
   */
  public SerializationException(String message, Throwable cause) {
    super(message, cause);
  }
}
