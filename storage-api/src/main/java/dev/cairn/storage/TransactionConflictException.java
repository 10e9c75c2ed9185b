package dev.cairn.storage;

/**
 * A transaction conflicted with a concurrent one and was rolled back; retrying it may succeed.
 */
public class TransactionConflictException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and no cause.
   *
   * @param message what went wrong, naming what it happened to
   */
  public TransactionConflictException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the failure that caused it.
   *
   * @param message what went wrong, naming what it happened to
   * @param cause the underlying failure, kept for its stack trace
   */
  public TransactionConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
