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
