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
   * The options this backend reads from {@link BackendConfig#options()}: the engine refuses
   * every other backend option, and validates the values, before it opens anything. Read them
   * with the same declaration ({@link PluginOptions#read}) so that a problem reads the same
   * whoever finds it.
   *
   * <p>The default declares none, so the engine refuses every backend option while this backend
   * is in use. A backend that reads options must override this: a default that let through the
   * keys of the backend's prefix would let a misspelt or unsupported option pass unnoticed.
   */
  default PluginOptions options() {
    return PluginOptions.backend(name()).build();
  }

  /**
   * Opens (creating if needed) the store in {@code config.directory()} with every keyspace of
   * {@code config.keyspaces()}.
   *
   * @throws dev.cairn.storage.BackendException if it cannot be opened; the message says why
   *     (file held by another process, a file of another backend, no permission...)
   */
  Backend open(BackendConfig config);
}
