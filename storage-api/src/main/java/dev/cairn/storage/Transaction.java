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

  /** Stores {@code value} mapped to bytes by the instance's {@link ValueMapper}. */
  void put(String collection, String key, Object value);

  /** Reads and maps a value; empty if the key is absent. */
  <T> Optional<T> get(String collection, String key, Class<T> type);

  /** Stores raw bytes. */
  void putBytes(String collection, String key, byte[] value);

  /** Reads raw bytes; empty if the key is absent. */
  Optional<byte[]> getBytes(String collection, String key);

  /** Deletes a key; returns whether it existed. */
  boolean delete(String collection, String key);

  /** Whether the key exists (does not read or verify the value). */
  boolean contains(String collection, String key);

  /** The keys of a collection starting with {@code prefix} (may be empty), in UTF-8 byte order. */
  List<String> keys(String collection, String prefix);
}
