package dev.cairn.storage.spi;

/**
 * A forward cursor over a range of one keyspace. {@link #next()} advances; {@link #key()} and
 * {@link #value()} read the current entry (new arrays each call).
 */
public interface BackendCursor extends AutoCloseable {

  /** Advances to the next entry; false when the range is exhausted. */
  boolean next();

  /** The current key. */
  byte[] key();

  /** The current value. */
  byte[] value();

  @Override
  void close();
}
