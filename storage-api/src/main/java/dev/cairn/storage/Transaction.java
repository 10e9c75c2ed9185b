package dev.cairn.storage;

import java.util.List;
import java.util.Optional;

/**
 * The view of the store inside {@link Storage#transaction(java.util.function.Function)}. Reads
 * see the transaction's own writes; other threads see none of them until the function returns
 * and the commit completes. If the function throws, nothing it wrote is kept.
 *
 * <p>A {@code Transaction} is bound to the thread running the function and is invalid after
 * the function returns; do not keep or share it.
 *
 * <p>Argument rules are those of {@link Storage}: collection names match
 * {@code [A-Za-z0-9_.-]{1,64}}, keys are 1 to 256 UTF-8 bytes.
 */
public interface Transaction {

  /**
   * Stores {@code value} mapped to bytes by the instance's {@link ValueMapper}.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value any value the mapper can map; a {@link Bytes} is stored as is
   */
  void put(String collection, String key, Object value);

  /**
   * Stores {@code value} with a time to live, as
   * {@link Storage#put(String, String, Object, Duration)}: the record expires {@code ttl} after
   * this write (by the store's clock, read when this method runs).
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value any value the mapper can map; a {@link Bytes} is stored as is
   * @param ttl how long the record stays visible after this write; positive
   * @throws IllegalArgumentException if {@code ttl} is zero or negative
   */
  void put(String collection, String key, Object value, java.time.Duration ttl);

  /**
   * Reads and maps a value; empty if the key is absent.
   *
   * @param <T> the type to map the stored bytes to
   * @param collection the collection's name
   * @param key the record's key
   * @param type the class to map the stored bytes to
   * @return the mapped value as this transaction sees it, or empty if the key is absent
   */
  <T> Optional<T> get(String collection, String key, Class<T> type);

  /**
   * Stores raw bytes.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value the bytes to store
   */
  void putBytes(String collection, String key, byte[] value);

  /**
   * Stores raw bytes with a time to live, as
   * {@link Storage#putBytes(String, String, byte[], java.time.Duration)}.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value the bytes to store
   * @param ttl how long the record stays visible after this write; positive
   * @throws IllegalArgumentException if {@code ttl} is zero or negative
   */
  void putBytes(String collection, String key, byte[] value, java.time.Duration ttl);

  /**
   * Reads raw bytes; empty if the key is absent.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @return a new array holding the value as this transaction sees it, or empty if absent
   */
  Optional<byte[]> getBytes(String collection, String key);

  /**
   * Deletes a key; returns whether it existed.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @return {@code true} if the key existed and was deleted
   */
  boolean delete(String collection, String key);

  /**
   * Stores {@code value} only if the key holds no value in this transaction's view (its own
   * writes and deletes included); returns whether it did. Like every read of a transaction, the
   * check is part of it: a concurrent writer that makes the answer stale is a conflict, handled
   * as for any transaction (serialised writers, or retried on a shared store).
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value any value the mapper can map; a {@link Bytes} is stored as is
   * @return {@code true} if the key was absent and now holds {@code value}
   */
  boolean putIfAbsent(String collection, String key, Object value);

  /**
   * {@link #putIfAbsent} of raw bytes.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value the bytes to store
   * @return {@code true} if the key was absent and now holds {@code value}
   */
  boolean putBytesIfAbsent(String collection, String key, byte[] value);

  /**
   * Replaces the value only if the record has version {@code expectedVersion} in this
   * transaction's view (a write of this transaction gives the record a new version, which
   * {@link #getVersioned} returns); returns whether it did.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param expectedVersion the version the record must have; positive
   * @param value any value the mapper can map; a {@link Bytes} is stored as is
   * @return {@code true} if the record had version {@code expectedVersion} and now holds
   *     {@code value}
   * @throws IllegalArgumentException if {@code expectedVersion} is not positive
   */
  boolean replaceIfVersion(String collection, String key, long expectedVersion, Object value);

  /**
   * {@link #replaceIfVersion} of raw bytes.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param expectedVersion the version the record must have; positive
   * @param value the bytes to store
   * @return {@code true} if the record had version {@code expectedVersion} and now holds
   *     {@code value}
   * @throws IllegalArgumentException if {@code expectedVersion} is not positive
   */
  boolean replaceBytesIfVersion(String collection, String key, long expectedVersion, byte[] value);

  /**
   * Deletes the key only if the record has version {@code expectedVersion} in this
   * transaction's view; returns whether it did.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param expectedVersion the version the record must have; positive
   * @return {@code true} if the record had version {@code expectedVersion} and is now deleted
   * @throws IllegalArgumentException if {@code expectedVersion} is not positive
   */
  boolean deleteIfVersion(String collection, String key, long expectedVersion);

  /**
   * Reads and maps a value with the version of the write that produced it, as this transaction
   * sees it (a value this transaction wrote has the version its commit will give it); empty if
   * the key is absent.
   *
   * @param <T> the type to map the stored bytes to
   * @param collection the collection's name
   * @param key the record's key
   * @param type the class to map the stored bytes to
   * @return the mapped value and its version, or empty if the key is absent
   */
  <T> Optional<Versioned<T>> getVersioned(String collection, String key, Class<T> type);

  /**
   * Whether the key exists (does not read or verify the value).
   *
   * @param collection the collection's name
   * @param key the record's key
   * @return {@code true} if the key holds a value in this transaction's view
   */
  boolean contains(String collection, String key);

  /**
   * The keys of a collection starting with {@code prefix} (may be empty), in UTF-8 byte order.
   *
   * @param collection the collection's name
   * @param prefix the start of every key returned; {@code ""} for all
   * @return the keys, this transaction's own writes included
   */
  List<String> keys(String collection, String prefix);

  /**
   * The keys of a collection in {@code range} (see {@link KeyRange}), in the range's order and
   * up to its limit, this transaction's own puts and deletes included. Read at once, in this
   * transaction: the whole result is in memory, so give a large range a limit.
   *
   * @param collection the collection's name
   * @param range which keys, in which order, how many ({@link KeyRange#all()} for all)
   * @return the keys, this transaction's own writes included
   * @throws IllegalArgumentException if the range's prefix is longer than 256 UTF-8 bytes
   */
  List<String> keys(String collection, KeyRange range);
}
