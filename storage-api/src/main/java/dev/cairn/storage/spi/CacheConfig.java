package dev.cairn.storage.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a cache is created with.
 *
 * @param maxHeapBytes bound of the on-heap tier, in bytes (weighed by value length plus a fixed
 *     per-entry overhead); 0 disables the tier
 * @param maxOffHeapBytes bound of the off-heap tier, in bytes; 0 disables the tier
 * @param expireAfterWrite entries older than this are dropped; {@code null} for never
 * @param expireAfterAccess entries unread this long are dropped; {@code null} for never
 * @param codec the store's codec, for tiers that keep values compressed
 * @param options provider-specific options; from the engine, only keys the cache declares
 *     ({@link CacheProvider#options()}), already validated; read them with that declaration
 */
public record CacheConfig(
    long maxHeapBytes,
    long maxOffHeapBytes,
    Duration expireAfterWrite,
    Duration expireAfterAccess,
    Codec codec,
    Map<String, String> options) {

  /**
   * Checks the bounds and copies the options, so that the config cannot change.
   *
   * @param maxHeapBytes bound of the on-heap tier, in bytes; 0 or more
   * @param maxOffHeapBytes bound of the off-heap tier, in bytes; 0 or more
   * @param expireAfterWrite entries older than this are dropped; {@code null} for never
   * @param expireAfterAccess entries unread this long are dropped; {@code null} for never
   * @param codec the store's codec
   * @param options provider-specific options
   */
  public CacheConfig {
    if (maxHeapBytes < 0) {
      throw new IllegalArgumentException("maxHeapBytes must not be negative: " + maxHeapBytes);
    }
    if (maxOffHeapBytes < 0) {
      throw new IllegalArgumentException(
          "maxOffHeapBytes must not be negative: " + maxOffHeapBytes);
    }
    Objects.requireNonNull(codec, "codec");
    options = Map.copyOf(options);
  }
}
