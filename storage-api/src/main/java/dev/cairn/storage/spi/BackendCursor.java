package dev.cairn.storage.spi;

/**
 * A cursor over a range of one keyspace, ascending ({@link BackendTransaction#scan}) or
 * descending ({@link BackendTransaction#scanDescending}). {@link #next()} advances in the
 * cursor's direction; {@link #key()} and {@link #value()} read the current entry (new arrays
 * each call).
 *
 * <p><b>Writes of its own transaction.</b> The engine never writes through a transaction while
 * one of that transaction's cursors is open, and a backend need not support it: after such a
 * write the cursor's further results are unspecified — SQLite may return an updated row twice,
 * H2 keeps reading the state at the cursor's open, LMDB follows the change. What every backend
 * must do (the kit checks it): {@link #next()} either continues or throws
 * {@link IllegalStateException}; it never crashes, and every key and value it returns is one
 * that key had in the keyspace.
 *
 * <p>A cursor ends with its transaction at the latest; every method then throws
 * {@link IllegalStateException}.
 */
public interface BackendCursor extends AutoCloseable {

  /**
   * Advances to the next entry in the cursor's direction; false when the range is exhausted.
   *
   * @return {@code true} if the cursor moved to an entry, {@code false} at the end of the range
   */
  boolean next();

  /** {@return the current entry's key; the array is the caller's} */
  byte[] key();

  /** {@return the current entry's value; the array is the caller's} */
  byte[] value();

  @Override
  void close();
}
