package dev.cairn.storage;

/**
 * A record's value was written with a codec that this instance does not have, so it cannot be
 * decoded. Every stored value names the codec that encoded it by its one-byte id
 * ({@link dev.cairn.storage.spi.CodecProvider#id()}); a store written with {@code zstd} and
 * opened without {@code cairn-codec-zstd} on the class path raises this on each read of such a
 * record.
 *
 * <p>Nothing is wrong with the stored bytes (unlike {@link DataCorruptionException}) and nothing
 * was changed: add the codec and read again. The message names the record, the codec id, the
 * codec's name when the id is a built-in one (1 {@code snappy}, 2 {@code zstd}), what to add
 * ({@code cairn-codec-snappy}, {@code cairn-codec-zstd}, or the third-party codec that declares
 * the id, found on the class path or passed to
 * {@link StorageBuilder#registerCodec(dev.cairn.storage.spi.CodecProvider)}), and the codecs
 * that are installed. A codec whose module is on the class path but failed to start (a missing
 * native library, say) counts as not installed; the warning logged when the store opened says
 * why.
 */
public class CodecNotFoundException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and no cause.
   *
   * @param message what went wrong, naming what it happened to
   */
  public CodecNotFoundException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the failure that caused it.
   *
   * @param message what went wrong, naming what it happened to
   * @param cause the underlying failure, kept for its stack trace
   */
  public CodecNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
