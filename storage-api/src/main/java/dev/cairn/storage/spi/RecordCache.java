package dev.cairn.storage.spi;

import dev.cairn.storage.CacheTierStats;
import java.util.List;

/**
 * A bounded, thread-safe read cache of raw (decoded) values keyed by (collection, key), each
 * entry tagged with the record version it holds.
 *
 * <p>The engine, not the cache, guarantees coherence: it invalidates after every commit and
 * populates only when no write to the key committed during the read. A cache must therefore
 * never return an entry after {@link #invalidate} for that key has returned, unless it was
 * {@link #put} again afterwards. {@link #put} replaces an existing entry only if the new version
 * is not older.
 */
public interface RecordCache extends AutoCloseable {

  /**
   * The cached entry, or {@code null}. The returned array must not be modified by the caller;
   * the engine may hand it to readers read-only ({@code Storage.getBuffer}), so the cache must
   * not modify or reuse it either.
   *
   * <p>The engine calls {@code get} without waiting for {@link #close()} (a hit is its hot path):
   * a {@code get} concurrent with or after {@code close} must return {@code null}, a valid
   * entry, or throw {@link IllegalStateException}, and must never read released memory.
   */
  CachedValue get(String collection, String key);

  /**
   * Caches a value (the cache may keep the array, copy or compress it; nobody modifies it
   * afterwards).
   */
  void put(String collection, String key, CachedValue value);

  /** Drops the key's entry from every tier. */
  void invalidate(String collection, String key);

  /** Drops every entry. */
  void invalidateAll();

  /** Performs pending housekeeping (expiry, eviction); returns bytes freed if known. */
  long cleanup();

  /** Counters per tier. */
  List<CacheTierStats> stats();

  /** Releases all memory (off-heap included). Idempotent. */
  @Override
  void close();

  /**
   * A cached value.
   *
   * @param version the store-wide version of the write that produced {@code raw}
   * @param raw the decoded value
   */
  record CachedValue(long version, byte[] raw) {}
}
