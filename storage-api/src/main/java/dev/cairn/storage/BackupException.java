package dev.cairn.storage;

/**
 * A backup, verification or restore failed; the message names the set and file.
 */
public class BackupException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and no cause.
   *
   * @param message what went wrong, naming what it happened to
   */
  public BackupException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the failure that caused it.
   *
   * @param message what went wrong, naming what it happened to
   * @param cause the underlying failure, kept for its stack trace
   */
  public BackupException(String message, Throwable cause) {
    super(message, cause);
  }
}
