package dev.cairn.storage;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The operations of {@link Storage} returning futures, run on the instance's bounded executor
 * ({@link StorageBuilder#asyncThreads(int)}, {@link StorageBuilder#asyncQueueCapacity(int)}).
 * When the queue is full the calling thread runs the operation itself (back-pressure instead of
 * unbounded memory). Futures complete exceptionally with the exceptions the synchronous methods
 * throw; argument errors are reported the same way.
 */
public interface AsyncStorage {

  /**
   * {@link Storage#put} on the executor.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value any value the mapper can map; mapped on the executor, so leave it unchanged
   *     until the future completes
   * @return completes when the write is durable
   */
  CompletableFuture<Void> put(String collection, String key, Object value);

  /**
   * {@link Storage#put(String, String, Object, java.time.Duration)} on the executor; the TTL
   * counts from when the write runs.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value any value the mapper can map; mapped on the executor, so leave it unchanged
   *     until the future completes
   * @param ttl how long the record stays visible after the write; positive
   * @return completes when the write is durable
   * @throws IllegalArgumentException if {@code ttl} is zero or negative (at once)
   */
  CompletableFuture<Void> put(
      String collection, String key, Object value, java.time.Duration ttl);

  /**
   * {@link Storage#get} on the executor.
   *
   * @param <T> the type to map the stored bytes to
   * @param collection the collection's name
   * @param key the record's key
   * @param type the class to map the stored bytes to
   * @return completes with the mapped value, or empty if the key is absent
   */
  <T> CompletableFuture<Optional<T>> get(String collection, String key, Class<T> type);

  /**
   * {@link Storage#putBytes} on the executor.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value the bytes, copied before this method returns
   * @return completes when the write is durable
   */
  CompletableFuture<Void> putBytes(String collection, String key, byte[] value);

  /**
   * {@link Storage#putBytes(String, String, byte[], java.time.Duration)} on the executor.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value the bytes, copied before this method returns
   * @param ttl how long the record stays visible after the write; positive
   * @return completes when the write is durable
   * @throws IllegalArgumentException if {@code ttl} is zero or negative (at once)
   */
  CompletableFuture<Void> putBytes(
      String collection, String key, byte[] value, java.time.Duration ttl);

  /**
   * {@link Storage#getBytes} on the executor.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @return completes with a new array holding the value, or empty if the key is absent
   */
  CompletableFuture<Optional<byte[]>> getBytes(String collection, String key);

  /**
   * {@link Storage#delete} on the executor.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @return completes with {@code true} if the key existed and was deleted
   */
  CompletableFuture<Boolean> delete(String collection, String key);

  /**
   * {@link Storage#putIfAbsent} on the executor.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value any value the mapper can map; mapped on the executor, so leave it unchanged
   *     until the future completes
   * @return completes with {@code true} if the key was absent and the write is durable
   */
  CompletableFuture<Boolean> putIfAbsent(String collection, String key, Object value);

  /**
   * {@link Storage#putBytesIfAbsent} on the executor.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value the bytes, copied before this method returns
   * @return completes with {@code true} if the key was absent and the write is durable
   */
  CompletableFuture<Boolean> putBytesIfAbsent(String collection, String key, byte[] value);

  /**
   * {@link Storage#replaceIfVersion} on the executor.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param expectedVersion the version the record must have; positive
   * @param value any value the mapper can map; mapped on the executor, so leave it unchanged
   *     until the future completes
   * @return completes with {@code true} if the record had that version and the write is durable
   */
  CompletableFuture<Boolean> replaceIfVersion(
      String collection, String key, long expectedVersion, Object value);

  /**
   * {@link Storage#replaceBytesIfVersion} on the executor.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param expectedVersion the version the record must have; positive
   * @param value the bytes, copied before this method returns
   * @return completes with {@code true} if the record had that version and the write is durable
   */
  CompletableFuture<Boolean> replaceBytesIfVersion(
      String collection, String key, long expectedVersion, byte[] value);

  /**
   * {@link Storage#deleteIfVersion} on the executor.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param expectedVersion the version the record must have; positive
   * @return completes with {@code true} if the record had that version and the delete is durable
   */
  CompletableFuture<Boolean> deleteIfVersion(String collection, String key, long expectedVersion);

  /**
   * {@link Storage#getVersioned} on the executor.
   *
   * @param <T> the type to map the stored bytes to
   * @param collection the collection's name
   * @param key the record's key
   * @param type the class to map the stored bytes to
   * @return completes with the mapped value and its version, or empty if the key is absent
   */
  <T> CompletableFuture<Optional<Versioned<T>>> getVersioned(
      String collection, String key, Class<T> type);

  /**
   * {@link Storage#putAll} on the executor: all entries are written, or none.
   *
   * @param collection the collection's name
   * @param values keys and the values to map and store; read on the executor, so leave them
   *     unchanged until the future completes
   * @return completes when the transaction is durable
   */
  CompletableFuture<Void> putAll(String collection, Map<String, ?> values);

  /**
   * {@link Storage#getAll} on the executor.
   *
   * @param <T> the type to map the stored bytes to
   * @param collection the collection's name
   * @param keys the keys to read
   * @param type the class to map the stored bytes to
   * @return completes with the values found, by key
   */
  <T> CompletableFuture<Map<String, T>> getAll(
      String collection, Collection<String> keys, Class<T> type);

  /**
   * {@link Storage#transaction(Function)} on the executor; {@code work} runs on an executor
   * thread and, like there, may run more than once.
   *
   * @param <R> the type of {@code work}'s result
   * @param work reads and writes through the {@link Transaction} it is given
   * @return completes with what {@code work} returned, once the commit is durable
   */
  <R> CompletableFuture<R> transaction(Function<Transaction, R> work);
}
