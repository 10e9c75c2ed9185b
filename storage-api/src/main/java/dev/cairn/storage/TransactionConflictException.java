package dev.cairn.storage;

/**
 * A transaction conflicted with a concurrent one and was rolled back; retrying it may succeed.
 */
public class TransactionConflictException extends StorageException {
  private static final long serialVersionUID = 1L;

  public TransactionConflictException(String message) {
    super(message);
  }

  public TransactionConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
