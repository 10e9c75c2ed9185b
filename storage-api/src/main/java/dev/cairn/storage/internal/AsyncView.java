package dev.cairn.storage.internal;

import dev.cairn.storage.AsyncStorage;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.Transaction;
import dev.cairn.storage.Versioned;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/** {@link AsyncStorage} over the engine's bounded executor. */
final class AsyncView implements AsyncStorage {

  private final Engine engine;
  private final Path directory;
  private final Executor executor;

  AsyncView(Engine engine, Path directory, Executor executor) {
    this.engine = engine;
    this.directory = directory;
    this.executor = executor;
  }

  private <T> CompletableFuture<T> submit(Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(work, executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new StorageClosedException("storage " + directory + " is closed"));
    }
  }

  @Override
  public CompletableFuture<Void> put(String collection, String key, Object value) {
    return submit(() -> {
      engine.put(collection, key, value);
      return null;
    });
  }

  @Override
  public CompletableFuture<Void> put(
      String collection, String key, Object value, java.time.Duration ttl) {
    Expiry.ttlMillis(ttl); // a bad TTL fails the call, not the future
    return submit(() -> {
      engine.put(collection, key, value, ttl);
      return null;
    });
  }

  @Override
  public CompletableFuture<Void> putBytes(
      String collection, String key, byte[] value, java.time.Duration ttl) {
    Expiry.ttlMillis(ttl);
    byte[] copy = value == null ? null : value.clone();
    return submit(() -> {
      engine.putBytes(collection, key, copy, ttl);
      return null;
    });
  }

  @Override
  public <T> CompletableFuture<Optional<T>> get(String collection, String key, Class<T> type) {
    return submit(() -> engine.get(collection, key, type));
  }

  @Override
  public CompletableFuture<Void> putBytes(String collection, String key, byte[] value) {
    byte[] copy = value == null ? null : value.clone();
    return submit(() -> {
      engine.putBytes(collection, key, copy);
      return null;
    });
  }

  @Override
  public CompletableFuture<Optional<byte[]>> getBytes(String collection, String key) {
    return submit(() -> engine.getBytes(collection, key));
  }

  @Override
  public CompletableFuture<Boolean> delete(String collection, String key) {
    return submit(() -> engine.delete(collection, key));
  }

  @Override
  public CompletableFuture<Boolean> putIfAbsent(String collection, String key, Object value) {
    return submit(() -> engine.putIfAbsent(collection, key, value));
  }

  @Override
  public CompletableFuture<Boolean> putBytesIfAbsent(
      String collection, String key, byte[] value) {
    byte[] copy = value == null ? null : value.clone();
    return submit(() -> engine.putBytesIfAbsent(collection, key, copy));
  }

  @Override
  public CompletableFuture<Boolean> replaceIfVersion(
      String collection, String key, long expectedVersion, Object value) {
    return submit(() -> engine.replaceIfVersion(collection, key, expectedVersion, value));
  }

  @Override
  public CompletableFuture<Boolean> replaceBytesIfVersion(
      String collection, String key, long expectedVersion, byte[] value) {
    byte[] copy = value == null ? null : value.clone();
    return submit(() -> engine.replaceBytesIfVersion(collection, key, expectedVersion, copy));
  }

  @Override
  public CompletableFuture<Boolean> deleteIfVersion(
      String collection, String key, long expectedVersion) {
    return submit(() -> engine.deleteIfVersion(collection, key, expectedVersion));
  }

  @Override
  public <T> CompletableFuture<Optional<Versioned<T>>> getVersioned(
      String collection, String key, Class<T> type) {
    return submit(() -> engine.getVersioned(collection, key, type));
  }

  @Override
  public CompletableFuture<Void> putAll(String collection, Map<String, ?> values) {
    return submit(() -> {
      engine.putAll(collection, values);
      return null;
    });
  }

  @Override
  public <T> CompletableFuture<Map<String, T>> getAll(
      String collection, Collection<String> keys, Class<T> type) {
    return submit(() -> engine.getAll(collection, keys, type));
  }

  @Override
  public <R> CompletableFuture<R> transaction(Function<Transaction, R> work) {
    return submit(() -> engine.transaction(work));
  }
}
