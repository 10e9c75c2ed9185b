package dev.cairn.storage.spi;

import dev.cairn.storage.Bytes;
import dev.cairn.storage.CacheTierStats;
import dev.cairn.storage.internal.BytesAccess;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
   *
   * @param collection the record's collection
   * @param key the record's key
   * @return the entry, or {@code null} on a miss
   */
  CachedValue get(String collection, String key);

  /**
   * Caches a value (the cache may keep the array, copy or compress it; nobody modifies it
   * afterwards).
   *
   * @param collection the record's collection
   * @param key the record's key
   * @param value the entry to keep
   */
  void put(String collection, String key, CachedValue value);

  /**
   * Drops the key's entry from every tier.
   *
   * @param collection the record's collection
   * @param key the record's key
   */
  void invalidate(String collection, String key);

  /** Drops every entry. */
  void invalidateAll();

  /**
   * Performs pending housekeeping (expiry, eviction); returns bytes freed if known.
   *
   * @return the bytes freed, or 0 if unknown
   */
  long cleanup();

  /** {@return counters per tier} */
  List<CacheTierStats> stats();

  /** Releases all memory (off-heap included). Idempotent. */
  @Override
  void close();

  /**
   * A cached value: the version of the write that produced it, its decoded bytes and, for a
   * record with a time to live, its expiry instant. Immutable; a cache keeps it as long as it
   * likes and may return the same instance to any number of readers.
   *
   * <p><b>Expiry.</b> A cache that copies or serializes entries (an off-heap tier) must keep
   * {@link #expiresAtMillis()}: the engine checks it on every hit and never serves a value past
   * it, so a copy that dropped it would serve an expired record. {@code CacheConformanceKit}
   * checks that it survives every tier.
   */
  final class CachedValue {
    private final long version;
    private final byte[] raw;
    private final long expiresAtMillis;
    private Optional<Bytes> bytes; // built on first use; racy but idempotent, as String.hash

    /**
     * A cached value of {@code raw}, written at {@code version}, of a record that never expires.
     *
     * @param version the store-wide version of the write that produced {@code raw}
     * @param raw the decoded value, not copied: nobody may modify it afterwards
     */
    public CachedValue(long version, byte[] raw) {
      this(version, raw, 0);
    }

    /**
     * A cached value of {@code raw}, written at {@code version}, of a record that expires at
     * {@code expiresAtMillis}.
     *
     * @param version the store-wide version of the write that produced {@code raw}
     * @param raw the decoded value, not copied: nobody may modify it afterwards
     * @param expiresAtMillis the record's expiry in epoch milliseconds, or 0 if it never expires
     * @throws IllegalArgumentException if {@code expiresAtMillis} is negative
     */
    public CachedValue(long version, byte[] raw, long expiresAtMillis) {
      if (expiresAtMillis < 0) {
        throw new IllegalArgumentException(
            "expiresAtMillis must be 0 (never) or positive, got " + expiresAtMillis);
      }
      this.version = version;
      this.raw = Objects.requireNonNull(raw, "raw");
      this.expiresAtMillis = expiresAtMillis;
    }

    /**
     * {@return when the record expires, in epoch milliseconds (by the store's clock), or 0 if it
     * never expires}
     */
    public long expiresAtMillis() {
      return expiresAtMillis;
    }

    /** {@return the store-wide version of the write that produced the value} */
    public long version() {
      return version;
    }

    /** {@return the decoded value; must not be modified} */
    public byte[] raw() {
      return raw;
    }

    /**
     * The value as {@link Bytes} (sharing {@link #raw()}), in an {@code Optional} built once per
     * entry, so that the engine answers {@code Storage.getValue} from the cache without
     * allocating. Caches need not call it.
     *
     * @return the value, present
     */
    public Optional<Bytes> bytes() {
      Optional<Bytes> b = bytes;
      if (b == null) {
        b = Optional.of(BytesAccess.wrap(raw));
        bytes = b; // Optional and Bytes have only final fields: safe to publish by a race
      }
      return b;
    }

    @Override
    public String toString() {
      return "CachedValue[version=" + version + ", length=" + raw.length
          + (expiresAtMillis == 0 ? "" : ", expiresAtMillis=" + expiresAtMillis) + "]";
    }
  }
}
