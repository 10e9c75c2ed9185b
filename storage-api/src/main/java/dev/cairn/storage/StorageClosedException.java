package dev.cairn.storage;

/**
 * Thrown by every operation on a {@link Storage} after {@link Storage#close()}.
 */
public class StorageClosedException extends StorageException {
  private static final long serialVersionUID = 1L;

  public StorageClosedException(String message) {
    super(message);
  }

  public StorageClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
