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

  CompletableFuture<Void> put(String collection, String key, Object value);

  <T> CompletableFuture<Optional<T>> get(String collection, String key, Class<T> type);

  CompletableFuture<Void> putBytes(String collection, String key, byte[] value);

  CompletableFuture<Optional<byte[]>> getBytes(String collection, String key);

  CompletableFuture<Boolean> delete(String collection, String key);

  CompletableFuture<Void> putAll(String collection, Map<String, ?> values);

  <T> CompletableFuture<Map<String, T>> getAll(
      String collection, Collection<String> keys, Class<T> type);

  <R> CompletableFuture<R> transaction(Function<Transaction, R> work);
}
