package dev.cairn.storage.spi;

import dev.cairn.storage.Durability;

/**
 * One backend transaction, used by one thread. Closing it without {@link #commit} rolls it back.
 * Every method throws {@link IllegalStateException} after commit, rollback or close, and
 * {@link IllegalArgumentException} for an unknown keyspace.
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
   * Inserts or replaces. Throws {@link IllegalStateException} in a read-only transaction.
   *
   * @param keyspace the keyspace's name
   * @param key the key
   * @param value the value; the backend may keep the array
   */
  void put(String keyspace, byte[] key, byte[] value);

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
