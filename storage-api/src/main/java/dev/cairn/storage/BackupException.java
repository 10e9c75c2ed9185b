package dev.cairn.storage;

/**
 * A backup, verification or restore failed; the message names the set and file.
 */
public class BackupException extends StorageException {
  private static final long serialVersionUID = 1L;

  public BackupException(String message) {
    super(message);
  }

  public BackupException(String message, Throwable cause) {
    super(message, cause);
  }
}
