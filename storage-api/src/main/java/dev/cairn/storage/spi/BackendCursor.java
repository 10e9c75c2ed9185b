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

  /**
   * Passes the current entry to {@code reader} without first copying it into arrays of the
   * caller's, and returns what {@code reader} returns. Key and value are the bytes between each
   * buffer's position and limit; the buffers may be the backend's own memory (LMDB's map, H2's
   * pages), valid only while {@code reader} runs: it must neither write to them nor keep them.
   * The engine reads scanned records this way and copies out only what it keeps, once. Throws
   * as {@link #key()} does when there is no current entry.
   *
   * <p>The default wraps {@link #key()} and {@link #value()}, which satisfies the contract; a
   * backend overrides it when it can hand out its own bytes safely.
   *
   * @param reader reads the entry
   * @param <T> what {@code reader} makes of the entry
   * @return {@code reader}'s result
   */
  default <T> T read(EntryReader<T> reader) {
    return reader.read(java.nio.ByteBuffer.wrap(key()), java.nio.ByteBuffer.wrap(value()));
  }

  /**
   * Advances through the range as {@link #next()} does and hands each entry to {@code visitor}
   * as {@link #read} does, until {@code visitor} returns {@code false} (the cursor then stays on
   * that entry: a later {@link #next()} goes on after it) or the range is exhausted. The engine
   * reads a page of a scan this way: one call instead of two per entry.
   *
   * <p>{@code visitor} must not call this cursor or its transaction, and must return quickly:
   * a backend may hold its transaction's lock meanwhile.
   *
   * <p>The default calls {@link #next()} and {@link #read} per entry, which satisfies the
   * contract; a backend overrides it to take its locks and checks once per call.
   *
   * @param visitor reads each entry; returns whether to go on
   * @return {@code true} if {@code visitor} stopped the walk, {@code false} if the range ended
   */
  default boolean forEach(EntryVisitor visitor) {
    while (next()) {
      if (!read(visitor::visit)) {
        return true;
      }
    }
    return false;
  }

  /**
   * As {@link #forEach}, handing {@code visitor} each value in the parts the backend kept, as
   * {@link BackendTransaction#readParts} does: the first bytes as a buffer with
   * {@link EntryVisitor}'s rules, and the body of a value written in two parts
   * ({@link BackendTransaction#put(String, byte[], byte[], byte[])}) as an array of the
   * visitor's own, or null when the buffer holds the whole value. Same contract as
   * {@link #forEach}. The engine reads the pages of a value scan this way.
   *
   * <p>The default calls {@link #forEach} and hands each whole value with a null body.
   *
   * @param visitor reads each entry; returns whether to go on
   * @return {@code true} if {@code visitor} stopped the walk, {@code false} if the range ended
   */
  default boolean forEachParts(PartsVisitor visitor) {
    return forEach((k, v) -> visitor.visit(k, v, null));
  }

  /**
   * Reads the entries of a walk ({@link #forEachParts}) and says whether to go on.
   */
  @FunctionalInterface
  interface PartsVisitor {
    /**
     * Reads the entry.
     *
     * @param key the key's bytes, between position and limit; not to be kept or written
     * @param head the value's bytes between position and limit: all of it if {@code body} is
     *     null, else those before {@code body}; not to be kept or written
     * @param body the rest of the value, the visitor's own array; or {@code null}
     * @return whether to go on to the next entry
     */
    boolean visit(java.nio.ByteBuffer key, java.nio.ByteBuffer head, byte[] body);
  }

  /**
   * As {@link #forEach}, handing {@code visitor} each entry's key only: a walk that need not read
   * the values (the engine's key scans). Same contract: the cursor stays on the entry the visitor
   * stopped at; the visitor must not call this cursor or its transaction.
   *
   * <p>The default calls {@link #next()} and {@link #key()} per entry, which satisfies the
   * contract and reads no value; a backend overrides it to take its locks and checks once per
   * call.
   *
   * @param visitor reads each key; returns whether to go on
   * @return {@code true} if {@code visitor} stopped the walk, {@code false} if the range ended
   */
  default boolean forEachKey(KeyVisitor visitor) {
    while (next()) {
      if (!visitor.visit(key())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Takes the keys of a walk ({@link #forEachKey}) and says whether to go on. Unlike an
   * {@link EntryVisitor}'s buffers, each key is an array of the visitor's own, to keep: a key
   * scan keeps every key it reads, so the backend copies it once, as {@link #key()} does.
   */
  @FunctionalInterface
  interface KeyVisitor {
    /**
     * Takes the key.
     *
     * @param key the entry's key; the array is the visitor's
     * @return whether to go on to the next entry
     */
    boolean visit(byte[] key);
  }

  /**
   * Reads the entries of a walk ({@link #forEach}) from buffers that may be the backend's, as
   * an {@link EntryReader} does, and says whether to go on.
   */
  @FunctionalInterface
  interface EntryVisitor {
    /**
     * Reads the entry.
     *
     * @param key the key's bytes, between position and limit; not to be kept or written
     * @param value the value's bytes, between position and limit; not to be kept or written
     * @return whether to go on to the next entry
     */
    boolean visit(java.nio.ByteBuffer key, java.nio.ByteBuffer value);
  }

  /**
   * Reads one entry of a cursor from buffers that may be the backend's ({@link #read}).
   *
   * @param <T> what it makes of the entry
   */
  @FunctionalInterface
  interface EntryReader<T> {
    /**
     * Reads the entry.
     *
     * @param key the key's bytes, between position and limit; not to be kept or written
     * @param value the value's bytes, between position and limit; not to be kept or written
     * @return what the reader makes of the entry
     */
    T read(java.nio.ByteBuffer key, java.nio.ByteBuffer value);
  }

  @Override
  void close();
}
