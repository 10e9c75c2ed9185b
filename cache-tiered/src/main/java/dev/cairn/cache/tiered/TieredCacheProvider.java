package dev.cairn.cache.tiered;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.cairn.storage.spi.CacheConfig;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.PluginOptions;
import dev.cairn.storage.spi.RecordCache;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code tiered} cache: an on-heap tier (L1, Caffeine's W-TinyLFU, holding decoded values)
 * in front of an off-heap tier (L2, holding values compressed with the store's codec in direct
 * memory the cache allocates and frees itself). Entries evicted from L1 for size move to L2; L2
 * hits move back to L1.
 *
 * <p>Bounds: {@link CacheConfig#maxHeapBytes()} weighs each L1 entry as its value length plus a
 * fixed estimate of the per-entry overhead (key strings included); {@link
 * CacheConfig#maxOffHeapBytes()} bounds the off-heap blocks L2 uses. Either may be 0 to disable
 * the tier. Expiry after write and after access applies to both tiers.
 *
 * <p>Options (in {@link CacheConfig#options()}, declared by {@link #options()}):
 * {@code tiered.blockBytes} (default 128), {@code tiered.slabBytes} (default 4m),
 * {@code tiered.compress} (default true). Any other key is rejected. See the module README.
 *
 * <p>The caches are thread-safe. After {@code close()} every method except {@code stats()} and
 * {@code close()} throws {@link IllegalStateException}.
 */
public final class TieredCacheProvider implements CacheProvider {

  /** The name users select this cache by. */
  static final String NAME = "tiered";

  /** Creates the provider (also used by {@link java.util.ServiceLoader}). */
  public TieredCacheProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /** The {@code tiered.*} options; see the module README. */
  @Override
  public PluginOptions options() {
    return TieredOptions.DECLARATION;
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.EXPIRY);
  }

  /**
   * @throws IllegalArgumentException if an expiry duration is negative, or an option is not
   *     declared by {@link #options()} or invalid (all problems are listed at once)
   */
  @Override
  public RecordCache create(CacheConfig config) {
    return create(config, Ticker.systemTicker());
  }

  /** Creates a cache reading time from {@code ticker} (tests drive expiry with a fake one). */
  static RecordCache create(CacheConfig config, Ticker ticker) {
    Objects.requireNonNull(config, "config");
    requireNotNegative(config.expireAfterWrite(), "expireAfterWrite");
    requireNotNegative(config.expireAfterAccess(), "expireAfterAccess");
    return new TieredCache(config, TieredOptions.parse(config.options()), ticker);
  }

  private static void requireNotNegative(Duration d, String name) {
    if (d != null && d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + d);
    }
  }
}
