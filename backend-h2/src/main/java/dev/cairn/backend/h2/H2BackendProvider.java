package dev.cairn.backend.h2;

import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.PluginOptions;
import java.util.Objects;
import java.util.Set;

/**
 * The H2 backend: one H2 MVStore file ({@code store.mv.db}) in the configured directory, one
 * MVStore map per keyspace, keys ordered as unsigned bytes.
 *
 * <p>One write transaction at a time ({@code beginWrite} waits up to {@code h2.writerTimeoutMs},
 * default 30000, then throws {@link dev.cairn.storage.BackendException}); any number of read
 * transactions, each on a consistent snapshot, never blocked by the writer. {@code SYNC} and
 * {@code GROUP} commits are written and fsynced before they return; {@code ASYNC} commits are
 * written and fsynced within {@code h2.asyncFlushMs} (default 1000). The file is locked while
 * open; a second open, from this or another process, fails with a message saying so.
 *
 * <p>Options (all optional): {@code h2.writerTimeoutMs}, {@code h2.cacheSizeMb},
 * {@code h2.asyncFlushMs}, {@code h2.compress}, {@code h2.compactTimeMs}; see the module README.
 * Any other option is an {@link IllegalArgumentException}.
 */
public final class H2BackendProvider implements BackendProvider {

  private static final Set<Capability> CAPABILITIES =
      Set.of(
          Capability.ORDERED_SCAN,
          Capability.HOT_BACKUP,
          Capability.CONCURRENT_READERS,
          Capability.DURABLE,
          Capability.SELF_CONTAINED_SNAPSHOT);

  /** The name users select this backend by. */
  static final String NAME = "h2";

  /** For {@link java.util.ServiceLoader}. */
  public H2BackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  /** The {@code h2.*} options; see the module README. */
  @Override
  public PluginOptions options() {
    return H2Options.DECLARATION;
  }

  /**
   * The files of a store of this backend: {@code store.mv.db}, and {@code store.mv.db.creating}
   * which a crash during the store's creation can leave behind (the next open finishes it).
   */
  @Override
  public Set<String> storeFiles() {
    return Set.of(H2Backend.FILE_NAME, H2Backend.FILE_NAME + ".creating");
  }

  /**
   * Opens (creating if needed) the H2 store in {@code config.directory()} with every keyspace of
   * {@code config.keyspaces()}.
   *
   * @param config the directory, keyspaces and {@code h2.*} options
   * @return the open backend
   * @throws IllegalArgumentException for an option not declared by {@link #options()} or an
   *     invalid option value (every problem at once)
   */
  @Override
  public Backend open(BackendConfig config) {
    Objects.requireNonNull(config, "config");
    H2Options options = H2Options.from(config);
    return H2Backend.open(config, options);
  }

  @Override
  public String toString() {
    return "H2BackendProvider";
  }
}
