package dev.cairn.storage.spi;

/**
 * Creates {@link RecordCache}s. Found by {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.cairn.storage.spi.CacheProvider}) or passed explicitly.
 */
public interface CacheProvider {

  /** A stable lower-case name, e.g. {@code tiered}. */
  String name();

  /** What caches of this provider can do ({@link Capability#EXPIRY}). */
  java.util.Set<Capability> capabilities();

  /** Creates a cache honouring {@code config}'s bounds. */
  RecordCache create(CacheConfig config);
}
