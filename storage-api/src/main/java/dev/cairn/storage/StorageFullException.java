package dev.cairn.storage;

/**
 * The backend has no room left (disk full, LMDB map at its configured maximum); the transaction was rolled back.
 */
public class StorageFullException extends StorageException {
  private static final long serialVersionUID = 1L;

  public StorageFullException(String message) {
    super(message);
  }

  public StorageFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
