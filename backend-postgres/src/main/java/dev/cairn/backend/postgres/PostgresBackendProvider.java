package dev.cairn.backend.postgres;

import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.PluginOptions;
import java.util.Set;

/**
 * The PostgreSQL backend: for applications that outgrow one machine. The store lives in one
 * schema of a PostgreSQL server (one {@code bytea}-keyed table per keyspace); several
 * {@code Storage} instances, in several processes or on several machines, may open the same
 * schema at once, each with its own local directory.
 *
 * <p>The local directory holds only a descriptor, {@code postgres.properties} (JDBC URL,
 * schema, user and the <em>name</em> of the environment variable holding the password — never
 * the password). Options (declared by {@link #options()}; any other key is an
 * {@link IllegalArgumentException}): {@code postgres.url} (required unless the directory has a
 * descriptor), {@code postgres.user}, {@code postgres.passwordEnv} ({@code PGPASSWORD}),
 * {@code postgres.schema} ({@code cairn}), {@code postgres.poolSize} (8 reader connections),
 * {@code postgres.writePoolSize} (2), {@code postgres.connectTimeoutMs} (10000). See the module
 * README for the isolation levels and for how {@link dev.cairn.storage.Durability} maps onto
 * {@code synchronous_commit}.
 *
 * <p>Registered for {@link java.util.ServiceLoader} under the name {@code postgres}; it can
 * also be passed explicitly: {@code Storage.builder().backend(new PostgresBackendProvider())}.
 */
public final class PostgresBackendProvider implements BackendProvider {

  /** The name users select this backend by. */
  public static final String NAME = "postgres";

  private static final Set<Capability> CAPABILITIES = Set.of(
      Capability.ORDERED_SCAN,
      Capability.HOT_BACKUP,
      Capability.CONCURRENT_READERS,
      Capability.DURABLE,
      Capability.MULTI_WRITER,
      Capability.MULTI_PROCESS);

  /** Creates the provider (used by {@link java.util.ServiceLoader}). */
  public PostgresBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  /** The {@code postgres.*} options; see the module README. */
  @Override
  public PluginOptions options() {
    return PostgresOptions.DECLARATION;
  }

  /**
   * The files of a store of this backend: only its descriptor, {@code postgres.properties} (the
   * data is on the server).
   */
  @Override
  public Set<String> storeFiles() {
    return Set.of(PostgresOptions.DESCRIPTOR);
  }

  /**
   * Connects to the server and opens (creating if needed) the schema and its keyspace tables.
   *
   * @throws IllegalArgumentException for an option not declared by {@link #options()}, an
   *     invalid option value (every problem at once), or a
   *     missing {@code postgres.url} in a directory without a descriptor
   * @throws dev.cairn.storage.BackendException if the server cannot be reached, rejects the
   *     credentials, or the user may not create the schema or tables
   */
  @Override
  public Backend open(BackendConfig config) {
    return PostgresBackend.open(config);
  }

  @Override
  public String toString() {
    return "PostgresBackendProvider";
  }
}
