package dev.cairn.storage.spi;

import java.util.Set;

/**
 * Creates {@link Backend}s. Found by {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.cairn.storage.spi.BackendProvider}) or passed explicitly to
 * {@link dev.cairn.storage.StorageBuilder#backend(BackendProvider)}. Needs a public no-argument
 * constructor for discovery.
 */
public interface BackendProvider {

  /** {@return a stable lower-case name users select it by, e.g. {@code sqlite}} */
  String name();

  /** {@return what backends of this provider can do} */
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
   *
   * @return the declaration of every option the backend reads
   */
  default PluginOptions options() {
    return PluginOptions.backend(name()).build();
  }

  /**
   * The names of the files (or directories) a store of this backend keeps directly in its
   * directory, e.g. {@code store.sqlite}, {@code store.sqlite-wal}, {@code store.sqlite-shm}.
   *
   * <p>The engine writes {@code cairn.store}, naming the backend, into every store directory, and
   * refuses to open a directory whose {@code cairn.store} names another backend. Stores written
   * by Cairn versions before {@code cairn.store} have none; for those the engine asks this
   * method: a directory without {@code cairn.store} is opened with this backend (and then gets
   * its {@code cairn.store}) if it is empty or holds one of these names, and refused if it holds
   * other files, naming the installed backend whose {@link #storeFiles()} they are. So a
   * backend added later needs no table of the others' files.
   *
   * <p>List every name the backend may leave in the directory, including the temporary files
   * of an interrupted creation (a store whose first open was cut short by a crash or power loss
   * has no {@code cairn.store} yet, and must still reopen: the kit's power-loss harness checks
   * it). Names starting with {@code cairn.} belong to the engine; a backend must not use them.
   * Default: none (right for a backend that keeps no files in the directory; it then opens only
   * an empty directory or its own store's).
   *
   * @return the file names, without directories
   */
  default Set<String> storeFiles() {
    return Set.of();
  }

  /**
   * Opens (creating if needed) the store in {@code config.directory()} with every keyspace of
   * {@code config.keyspaces()}. Through the engine, the directory has already been checked to
   * be empty or this backend's (see {@link #storeFiles()}).
   *
   * @param config the directory, keyspaces and options
   * @return the open backend; the engine closes it
   * @throws dev.cairn.storage.BackendException if it cannot be opened; the message says why
   *     (file held by another process, no permission...)
   */
  Backend open(BackendConfig config);
}
