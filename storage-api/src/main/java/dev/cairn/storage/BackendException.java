package dev.cairn.storage;

/**
 * The backend failed; the native cause (SQLException, LmdbException, ...) is kept as the cause.
 */
public class BackendException extends StorageException {
  private static final long serialVersionUID = 1L;

  public BackendException(String message) {
    super(message);
  }

  public BackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
