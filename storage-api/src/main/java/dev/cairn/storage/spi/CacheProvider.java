package dev.cairn.storage.spi;

/**
 * Creates {@link RecordCache}s. Found by {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.cairn.storage.spi.CacheProvider}) or passed explicitly.
 */
public interface CacheProvider {

  /** {@return a stable lower-case name, e.g. {@code tiered}} */
  String name();

  /** {@return what caches of this provider can do ({@link Capability#EXPIRY})} */
  java.util.Set<Capability> capabilities();

  /**
   * The options this cache reads from {@link CacheConfig#options()}: the engine refuses every
   * other cache option, and validates the values, before it opens anything. See
   * {@link PluginOptions}.
   *
   * <p>The default declares none, so the engine refuses every cache option while this cache is
   * in use. A cache that reads options must override this: a default that let through the keys
   * of the cache's prefix would let a misspelt or unsupported option pass unnoticed.
   *
   * @return the declaration of every option the cache reads
   */
  default PluginOptions options() {
    return PluginOptions.cache(name()).build();
  }

  /**
   * Creates a cache honouring {@code config}'s bounds.
   *
   * @param config the bounds, expiry, codec and options
   * @return a new, empty cache; the engine closes it
   */
  RecordCache create(CacheConfig config);
}
