package dev.cairn.storage.spi;

import java.util.Set;

/**
 * Creates {@link Backend}s. Found by {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.cairn.storage.spi.BackendProvider}) or passed explicitly to
 * {@link dev.cairn.storage.StorageBuilder#backend(BackendProvider)}. Needs a public no-argument
 * constructor for discovery.
 */
public interface BackendProvider {

  /** A stable lower-case name users select it by, e.g. {@code sqlite}. */
  String name();

  /** What backends of this provider can do. */
  Set<Capability> capabilities();

  /**
   * Opens (creating if needed) the store in {@code config.directory()} with every keyspace of
   * {@code config.keyspaces()}.
   *
   * @throws dev.cairn.storage.BackendException if it cannot be opened; the message says why
   *     (file held by another process, a file of another backend, no permission...)
   */
  Backend open(BackendConfig config);
}
