package dev.cairn.backend.sqlite;

import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.PluginOptions;
import java.util.Set;

/**
 * The SQLite backend: the embedded default. One {@code store.sqlite} file (plus its
 * {@code -wal} and {@code -shm}) in the store directory, one table per keyspace
 * ({@code WITHOUT ROWID}, keys in memcmp order), WAL journal mode, one writer connection and a
 * bounded pool of reader connections so reads run in parallel with the writer.
 *
 * <p>Options (all optional, declared by {@link #options()}; any other key is an
 * {@link IllegalArgumentException}): {@code sqlite.readers} (4), {@code sqlite.poolTimeoutMs}
 * (10000), {@code sqlite.writerTimeoutMs} (30000), {@code sqlite.busyTimeoutMs} (5000),
 * {@code sqlite.cacheSizeKb} (8192, per connection), {@code sqlite.mmapSizeBytes} (0),
 * {@code sqlite.pageSize} (8192, applied when a store is created). See the
 * module README for their meaning and for how {@link dev.cairn.storage.Durability} maps onto
 * SQLite.
 *
 * <p>Registered for {@link java.util.ServiceLoader} under the name {@code sqlite}; it can also be
 * passed explicitly: {@code Storage.builder().backend(new SqliteBackendProvider())}.
 */
public final class SqliteBackendProvider implements BackendProvider {

  /** The name users select this backend by. */
  public static final String NAME = "sqlite";

  private static final Set<Capability> CAPABILITIES = Set.of(
      Capability.ORDERED_SCAN,
      Capability.HOT_BACKUP,
      Capability.CONCURRENT_READERS,
      Capability.DURABLE,
      Capability.SELF_CONTAINED_SNAPSHOT);

  /** The database, its WAL and shared-memory index, and the rollback journal SQLite uses while
   * it creates the database (before the WAL mode is set), which a crash then can leave. */
  private static final Set<String> STORE_FILES = Set.of(SqliteBackend.DB_FILE,
      SqliteBackend.DB_FILE + SqliteBackend.WAL_SUFFIX, SqliteBackend.DB_FILE + SqliteBackend.SHM_SUFFIX,
      SqliteBackend.DB_FILE + "-journal");

  /** Creates the provider (used by {@link java.util.ServiceLoader}). */
  public SqliteBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  /** The {@code sqlite.*} options; see the module README. */
  @Override
  public PluginOptions options() {
    return SqliteOptions.DECLARATION;
  }

  /**
   * The files of a store of this backend: {@code store.sqlite} and its {@code -wal} and
   * {@code -shm}.
   */
  @Override
  public Set<String> storeFiles() {
    return STORE_FILES;
  }

  /**
   * Opens (creating if needed) the store in {@code config.directory()}.
   *
   * @throws IllegalArgumentException for an option not declared by {@link #options()}, an
   *     invalid option value (every problem at once) or an invalid keyspace name
   * @throws dev.cairn.storage.BackendException if the directory cannot be created or written,
   *     or SQLite cannot open the database
   * @throws dev.cairn.storage.DataCorruptionException if {@code store.sqlite} is not a SQLite
   *     database or is corrupted
   */
  @Override
  public Backend open(BackendConfig config) {
    return SqliteBackend.open(config);
  }

  @Override
  public String toString() {
    return "SqliteBackendProvider";
  }
}
