package dev.cairn.storage.spi;

import dev.cairn.storage.Durability;

/**
 * One backend transaction, used by one thread. Closing it without {@link #commit} rolls it back.
 * Every method throws {@link IllegalStateException} after commit, rollback or close, and
 * {@link IllegalArgumentException} for an unknown (or null) keyspace.
 */
public interface BackendTransaction extends AutoCloseable {

  /** {@return whether this is a read-only transaction} */
  boolean readOnly();

  /**
   * The value of {@code key}, or {@code null}. The array is the caller's.
   *
   * @param keyspace the keyspace's name
   * @param key the key
   * @return the value, or {@code null} if absent
   */
  byte[] get(String keyspace, byte[] key);

  /**
   * Passes the value of {@code key} to {@code reader} without first copying it into an array of
   * the caller's, and returns what {@code reader} returns; {@code null} if the key is absent
   * ({@code reader} is not called). The value is the bytes between the buffer's position and
   * limit. The buffer may be the backend's own memory (LMDB's memory map, H2's page cache): it
   * is valid only while {@code reader} runs, and {@code reader} must neither write to it nor keep
   * it. The engine reads records this way and copies out only what it returns, once.
   *
   * <p>The default calls {@link #get} and wraps the array, which satisfies the contract; a
   * backend overrides it when it can hand out its own bytes safely.
   *
   * @param keyspace the keyspace's name
   * @param key the key
   * @param reader reads the value; not called if the key is absent
   * @param <T> what {@code reader} makes of the value
   * @return {@code reader}'s result, or {@code null} if the key is absent
   */
  default <T> T read(String keyspace, byte[] key,
      java.util.function.Function<java.nio.ByteBuffer, T> reader) {
    byte[] v = get(keyspace, key);
    return v == null ? null : reader.apply(java.nio.ByteBuffer.wrap(v));
  }

  /**
   * Inserts or replaces. Throws {@link IllegalStateException} in a read-only transaction.
   *
   * @param keyspace the keyspace's name
   * @param key the key
   * @param value the value; the backend may keep the array
   */
  void put(String keyspace, byte[] key, byte[] value);

  /**
   * Inserts {@code value} under {@code key} unless the key has a value, which it then leaves
   * unchanged and returns; {@code null} if it inserted. Throws {@link IllegalStateException} in a
   * read-only transaction, whether or not the key is present.
   *
   * <p>The engine writes a record this way when the keys its collection was written under lately
   * were mostly new, so that a new key costs one backend operation instead of a {@link #get}
   * followed by a {@link #put}. The default does exactly that get and put, which satisfies the
   * contract; a backend overrides it when it can insert in one operation (SQLite:
   * {@code INSERT ... ON CONFLICT DO NOTHING}, then a {@code SELECT} only if the key was there;
   * H2: {@code MVMap.putIfAbsent}).
   *
   * @param keyspace the keyspace's name
   * @param key the key
   * @param value the value to insert; the backend may keep the array
   * @return the value the key already had (the caller's array), or {@code null} if inserted
   */
  default byte[] putIfAbsent(String keyspace, byte[] key, byte[] value) {
    if (readOnly()) {
      throw new IllegalStateException("putIfAbsent in a read-only transaction");
    }
    byte[] old = get(keyspace, key);
    if (old == null) {
      put(keyspace, key, value);
    }
    return old;
  }

  /**
   * Inserts or replaces {@code key} with the value {@code head} followed by {@code body}: what
   * {@link #put(String, byte[], byte[])} of their concatenation stores, and every read returns
   * that concatenation, except that {@link #readParts} and {@link BackendCursor#forEachParts}
   * may hand {@code body} back apart, as an array of the reader's own. A backend that keeps the
   * two apart (the SQLite backend: two columns of the row) spares such a reader a copy of the
   * body; the engine writes a record this way, its fields in {@code head} and the stored value
   * in {@code body}. A later {@link #put(String, byte[], byte[])} of the key replaces both.
   *
   * <p>The arrays are the caller's: the backend reads them during the call and copies what it
   * keeps. The default concatenates them and calls {@link #put(String, byte[], byte[])}.
   *
   * @param keyspace the keyspace's name
   * @param key the key
   * @param head the value's first bytes
   * @param body the value's remaining bytes
   */
  default void put(String keyspace, byte[] key, byte[] head, byte[] body) {
    put(keyspace, key, concat(head, body));
  }

  /**
   * {@link #putIfAbsent(String, byte[], byte[])} of the value {@code head} followed by
   * {@code body}, kept as {@link #put(String, byte[], byte[], byte[])} keeps it. The arrays are
   * the caller's, as there. The default concatenates them and calls
   * {@link #putIfAbsent(String, byte[], byte[])}.
   *
   * @param keyspace the keyspace's name
   * @param key the key
   * @param head the value's first bytes
   * @param body the value's remaining bytes
   * @return the value the key already had, whole (the caller's array), or {@code null} if
   *     inserted
   */
  default byte[] putIfAbsent(String keyspace, byte[] key, byte[] head, byte[] body) {
    return putIfAbsent(keyspace, key, concat(head, body));
  }

  /**
   * As {@link #read}, for a value that may have been written in two parts
   * ({@link #put(String, byte[], byte[], byte[])}): {@code reader} gets the value's first bytes
   * as a buffer with {@link #read}'s rules (possibly the backend's memory, valid only while it
   * runs, never written or kept) and, if the backend kept the value's body apart, the body as an
   * array of the reader's own to keep; {@code body} is null when the buffer holds the whole
   * value, which a backend may always do. {@code null} if the key is absent.
   *
   * <p>The default calls {@link #read} and hands the whole value with a null body.
   *
   * @param keyspace the keyspace's name
   * @param key the key
   * @param reader reads the value; not called if the key is absent
   * @param <T> what {@code reader} makes of the value
   * @return {@code reader}'s result, or {@code null} if the key is absent
   */
  default <T> T readParts(String keyspace, byte[] key, PartsReader<T> reader) {
    return read(keyspace, key, v -> reader.read(v, null));
  }

  /**
   * Reads a value in the parts a backend kept ({@link #readParts}).
   *
   * @param <T> what it makes of the value
   */
  @FunctionalInterface
  interface PartsReader<T> {
    /**
     * Reads the value.
     *
     * @param head the value's bytes between position and limit: all of it if {@code body} is
     *     null, else those before {@code body}; not to be kept or written
     * @param body the rest of the value, the reader's own array; or {@code null}
     * @return what the reader makes of the value
     */
    T read(java.nio.ByteBuffer head, byte[] body);
  }

  /** {@code head} followed by {@code body}, in a new array. */
  private static byte[] concat(byte[] head, byte[] body) {
    byte[] v = java.util.Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, v, head.length, body.length);
    return v;
  }

  /**
   * Deletes; returns whether the key existed.
   *
   * @param keyspace the keyspace's name
   * @param key the key
   * @return {@code true} if the key existed
   */
  boolean delete(String keyspace, byte[] key);

  /**
   * The entries with {@code fromInclusive <= key < toExclusive} in ascending order; {@code null}
   * bounds are open. Lazily iterated; closed with the transaction at the latest. The arrays the
   * cursor returns are the caller's.
   *
   * @param keyspace the keyspace's name
   * @param fromInclusive the least key, or {@code null} for the first
   * @param toExclusive the bound above the last key, or {@code null} for none
   * @return a cursor before the first entry of the range
   */
  BackendCursor scan(String keyspace, byte[] fromInclusive, byte[] toExclusive);

  /**
   * The entries with {@code fromInclusive <= key < toExclusive} in descending order (the greatest
   * key first); {@code null} bounds are open. The same range as {@link #scan} with the same
   * bounds, in reverse order, and the same rules otherwise: lazily iterated, closed with the
   * transaction at the latest, arrays the caller's, a write transaction's own writes seen as
   * {@link #scan} sees them ({@link BackendCursor} on writes made while a cursor is open).
   *
   * <p>The engine uses it for descending key ranges ({@link dev.cairn.storage.KeyRange#reversed()}),
   * reading one bounded page per read transaction: each page opens a descending cursor whose upper
   * bound is the last key of the page before. Override it with a native reverse cursor
   * ({@code ORDER BY k DESC}, a cursor stepped backwards): every built-in backend does, and a
   * native cursor's cost is that of {@link #scan}.
   *
   * <p>The default is correct but slow, for backends written before this method existed: it
   * builds the reverse order out of {@link #scan}s, keeping the 256 greatest keys of the range
   * below its last position (bounded memory: keys only; each value is read with {@link #get}
   * as the cursor reaches its key, and a key its own transaction deleted meanwhile is skipped). Each batch of 256 entries costs one forward scan of the rest of the range,
   * so reading {@code n} entries in reverse reads about {@code n * n / 512} entries. It does not
   * rely on {@link Capability#ORDERED_SCAN}. The conformance kit checks either kind.
   *
   * @param keyspace the keyspace's name
   * @param fromInclusive the least key, or {@code null} for the first
   * @param toExclusive the bound above the greatest key, or {@code null} for none
   * @return a cursor before the greatest entry of the range
   */
  default BackendCursor scanDescending(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    return new DescendingByForwardScans(this, keyspace, fromInclusive, toExclusive);
  }

  /**
   * Counts the entries in the range of {@link #scan}.
   *
   * @param keyspace the keyspace's name
   * @param fromInclusive the least key, or {@code null} for the first
   * @param toExclusive the bound above the last key, or {@code null} for none
   * @return the number of entries in the range
   */
  default long count(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    long n = 0;
    try (BackendCursor c = scan(keyspace, fromInclusive, toExclusive)) {
      while (c.next()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Commits. If it throws, the transaction is already rolled back and ended: a later
   * {@link #rollback()} or {@link #close()} does nothing. {@link Durability#SYNC} and
   * {@link Durability#GROUP} force the data to stable storage before returning;
   * {@link Durability#ASYNC} may defer the sync. A read-only transaction just ends.
   *
   * @param durability how durable the commit must be when this returns
   */
  void commit(Durability durability);

  /** Discards every change. Does nothing if the transaction already ended by a failed commit. */
  void rollback();

  /** Rolls back unless committed. Idempotent. */
  @Override
  void close();
}
