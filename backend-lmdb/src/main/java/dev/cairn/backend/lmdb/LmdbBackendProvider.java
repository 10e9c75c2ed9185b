package dev.cairn.backend.lmdb;

import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.PluginOptions;
import java.util.Set;

/**
 * The LMDB backend ({@code lmdb}): a memory-mapped B+tree with lock-free readers and one writer.
 *
 * <p>Each keyspace is a named LMDB database in {@code data.mdb} (with {@code lock.mdb}) in the
 * configured directory. Reads run in read-only transactions that never block the writer. The
 * map grows by itself (doubling from {@code lmdb.mapSize} up to {@code lmdb.mapSizeMax}) and a
 * transaction that hit the map's end is replayed transparently; above the maximum it fails with
 * {@link dev.cairn.storage.StorageFullException}. Keys are at most 511 bytes (LMDB's limit);
 * longer or empty keys are rejected with {@link IllegalArgumentException}.
 *
 * <p>On Java 17+ lmdbjava needs {@code --add-opens java.base/java.nio=ALL-UNNAMED
 * --add-opens java.base/sun.nio.ch=ALL-UNNAMED}. Options ({@code lmdb.*}) and limits are
 * documented in the module README.
 */
public final class LmdbBackendProvider implements BackendProvider {

  private static final Set<Capability> CAPABILITIES =
      Set.of(
          Capability.ORDERED_SCAN,
          Capability.HOT_BACKUP,
          Capability.CONCURRENT_READERS,
          Capability.DURABLE,
          Capability.SELF_CONTAINED_SNAPSHOT);

  /** The name users select this backend by. */
  static final String NAME = "lmdb";

  /** Creates the provider (also used by {@link java.util.ServiceLoader}). */
  public LmdbBackendProvider() {}

  /** Returns {@code "lmdb"}. */
  @Override
  public String name() {
    return NAME;
  }

  /** Ordered scans, hot backup, concurrent readers, durable. Not multi-writer or multi-process. */
  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  /** The {@code lmdb.*} options; see the module README. */
  @Override
  public PluginOptions options() {
    return LmdbOptions.DECLARATION;
  }

  /**
   * The files of a store of this backend: {@code data.mdb}, {@code lock.mdb} and
   * {@code cairn-lmdb.lock}.
   */
  @Override
  public Set<String> storeFiles() {
    // and the two files a crash while creating data.mdb can leave (the next open finishes it)
    return Set.of(LmdbBackend.DATA_FILE, LmdbBackend.LOCK_FILE, LmdbBackend.OWNER_FILE,
        LmdbBackend.DATA_FILE + ".creating", LmdbBackend.DATA_FILE + ".creating-lock");
  }

  /**
   * Opens (creating if needed) the LMDB store in {@code config.directory()}.
   *
   * @throws IllegalArgumentException for an option not declared by {@link #options()} or an
   *     invalid option value (every problem at once)
   * @throws dev.cairn.storage.BackendException if the store cannot be opened: read-only
   *     directory, a {@code data.mdb} that is not LMDB, or the store
   *     is open in another process or already in this one
   */
  @Override
  public Backend open(BackendConfig config) {
    return LmdbBackend.open(config);
  }

  @Override
  public String toString() {
    return "LmdbBackendProvider[lmdb]";
  }
}
