package dev.cairn.storage;

/**
 * The {@link ValueMapper} failed to turn a value into bytes or bytes into a value.
 */
public class SerializationException extends StorageException {
  private static final long serialVersionUID = 1L;

  public SerializationException(String message) {
    super(message);
  }

  public SerializationException(String message, Throwable cause) {
    super(message, cause);
  }
}
