package dev.cairn.storage;

/**
 * The root of every error Cairn raises for conditions other than caller mistakes.
 *
 * <p>Caller mistakes (a {@code null} or over-long key, an invalid collection name, a bad
 * configuration value) are reported with {@link IllegalArgumentException} or
 * {@link NullPointerException} naming the offending argument. Everything else is a subclass of
 * this unchecked exception; subclasses exist only where a caller would react differently:
 *
 * <ul>
 *   <li>{@link StorageClosedException} — the instance was closed;
 *   <li>{@link DataCorruptionException} — stored bytes failed verification; never wrong bytes;
 *   <li>{@link CodecNotFoundException} — a record was written with a codec that is not
 *       installed; add it and read again;
 *   <li>{@link ValueTooLargeException} — a value exceeded the configured maximum;
 *   <li>{@link StorageFullException} — the backend ran out of space (disk, LMDB map maximum);
 *   <li>{@link TransactionConflictException} — a transaction lost a race and may be retried;
 *   <li>{@link SerializationException} — the {@link ValueMapper} could not map a value;
 *   <li>{@link BackupException} — a backup or restore failed;
 *   <li>{@link BackendException} — the backend failed; the native cause is kept.
 * </ul>
 *
 * <p>No error path leaves a partial record behind: the transaction that raised it is rolled
 * back.
 */
public abstract class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and no cause.
   *
   * @param message what went wrong, naming what it happened to
   */
  protected StorageException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the failure that caused it.
   *
   * @param message what went wrong, naming what it happened to
   * @param cause the underlying failure, kept for its stack trace
   */
  protected StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
