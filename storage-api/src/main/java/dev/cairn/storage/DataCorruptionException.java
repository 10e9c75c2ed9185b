package dev.cairn.storage;

/**
 * Stored bytes failed an integrity check (CRC32C of an inline payload, SHA-256 of a blob, a
 * malformed header or an undecodable payload). Cairn raises this instead of ever returning
 * wrong bytes. The message names the collection and key where they are known.
 */
public class DataCorruptionException extends StorageException {
  private static final long serialVersionUID = 1L;

  public DataCorruptionException(String message) {
    super(message);
  }

  public DataCorruptionException(String message, Throwable cause) {
    super(message, cause);
  }
}
