package dev.cairn.backend.postgres;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.PluginOptions;
import dev.cairn.storage.spi.PluginOptions.Option;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the store lives and how to reach it: the {@code postgres.*} options merged with the
 * directory's descriptor ({@value #DESCRIPTOR}), declared for the engine
 * ({@link PostgresBackendProvider#options()}) and validated all at once. The password is never
 * held here: only the name of the environment variable that holds it.
 *
 * <p>The descriptor binds a directory to one database and schema. It is written at the first
 * open and by {@link PostgresBackend#snapshotTo}; when present, its {@code url} and
 * {@code schema} win over the options (a snapshot directory must open the copy, not the live
 * schema named by the options it is reopened with); a differing option is logged.
 */
record PostgresOptions(
    String url,
    String user,
    String passwordEnv,
    String schema,
    int poolSize,
    int writePoolSize,
    long connectTimeoutMs,
    boolean descriptorFound) {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresOptions.class);

  static final String DESCRIPTOR = "postgres.properties";
  static final String DEFAULT_SCHEMA = "cairn";
  static final String DEFAULT_PASSWORD_ENV = "PGPASSWORD";

  static final Option<String> URL = Option.text("postgres.url", null,
          "JDBC URL, jdbc:postgresql://host:port/database[?params]")
      .require(u -> u.startsWith("jdbc:postgresql:"), "must start with jdbc:postgresql:")
      // the URL is written to the directory's descriptor and may be logged: no secrets in it
      .require(u -> !u.toLowerCase(Locale.ROOT).contains("password="), "must not carry a"
          + " password; put it in the environment variable named by postgres.passwordEnv"
          + " (default " + DEFAULT_PASSWORD_ENV + ")")
      // pgjdbc does not read user information (user:password@host) but puts the URL in its
      // messages, so any '@' is refused (a literal one in a parameter is written %40)
      .require(u -> u.indexOf('@') < 0, "must not carry user information (user:password@);"
          + " set the user with postgres.user and the password in the environment variable"
          + " named by postgres.passwordEnv; write an @ inside a parameter as %40")
      .shownAs(PostgresOptions::redact);
  static final Option<String> USER = Option.text("postgres.user", null, "user name");
  static final Option<String> PASSWORD_ENV = Option.text("postgres.passwordEnv",
          DEFAULT_PASSWORD_ENV, "name of the environment variable holding the password")
      .require(e -> !e.isBlank(), "must name an environment variable");
  /** Schema names are spliced into SQL, so they are restricted to this (unquoted) form. */
  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  static final Option<String> SCHEMA = Option.text("postgres.schema", DEFAULT_SCHEMA,
          "schema holding the store")
      .require(s -> SCHEMA_NAME.matcher(s).matches(), "must match " + SCHEMA_NAME)
      .require(s -> !s.startsWith("pg_") && !s.equals("information_schema"), "must not name a"
          + " schema reserved by PostgreSQL (information_schema and every pg_ name: pg_catalog,"
          + " pg_toast, ...)");
  static final Option<Long> POOL_SIZE =
      Option.number("postgres.poolSize", 8, 1, 1024, "reader connections");
  static final Option<Long> WRITE_POOL_SIZE =
      Option.number("postgres.writePoolSize", 2, 1, 1024, "writer connections");
  static final Option<Long> CONNECT_TIMEOUT_MS = Option.number("postgres.connectTimeoutMs",
      10_000, 250, Integer.MAX_VALUE, "how long open and transactions wait for a connection");

  /** Every option, in documentation order. */
  static final PluginOptions DECLARATION = PluginOptions.backend(PostgresBackendProvider.NAME)
      .add(URL).add(USER).add(PASSWORD_ENV).add(SCHEMA).add(POOL_SIZE).add(WRITE_POOL_SIZE)
      .add(CONNECT_TIMEOUT_MS)
      .build();

  static PostgresOptions from(BackendConfig config) {
    PluginOptions.Values v = DECLARATION.parse(config.options());
    Properties descriptor = readDescriptor(config.directory());
    if (descriptor == null && !v.isSet(URL)) {
      v.reject(URL, "is required unless the directory holds a " + DESCRIPTOR
          + " (e.g. jdbc:postgresql://db.example:5432/app)");
    }
    v.orThrow();
    String url = v.get(URL);
    String schema = v.get(SCHEMA);
    String passwordEnv = v.get(PASSWORD_ENV);
    String user = v.get(USER);
    if (descriptor != null) {
      String dUrl = descriptor.getProperty("url");
      String dSchema = descriptor.getProperty("schema");
      if (dUrl == null || dSchema == null) {
        throw new BackendException(config.directory().resolve(DESCRIPTOR)
            + " lacks 'url' or 'schema'; it is not a Cairn PostgreSQL descriptor");
      }
      if (url != null && !url.equals(dUrl)) {
        LOG.warn("{} binds this store to {}; option {}={} is ignored", DESCRIPTOR,
            redact(dUrl), URL.key(), redact(url));
      }
      if (v.isSet(SCHEMA) && !schema.equals(dSchema)) {
        LOG.info("{} binds this store to schema {}; option {}={} is ignored", DESCRIPTOR,
            dSchema, SCHEMA.key(), schema);
      }
      if (dUrl.indexOf('@') >= 0 || dUrl.toLowerCase(Locale.ROOT).contains("password=")) {
        throw new IllegalArgumentException(config.directory().resolve(DESCRIPTOR) + " names the"
            + " URL " + redact(dUrl) + ", which carries a password or user information: remove"
            + " it from the file (set the user with " + USER.key() + " and the password in the"
            + " environment variable named by " + PASSWORD_ENV.key() + ")");
      }
      url = dUrl;
      schema = dSchema;
      if (!v.isSet(PASSWORD_ENV)) {
        passwordEnv = descriptor.getProperty("passwordEnv", DEFAULT_PASSWORD_ENV);
      }
      if (!v.isSet(USER)) {
        user = descriptor.getProperty("user");
      }
    }
    return new PostgresOptions(url, user, passwordEnv, schema, v.get(POOL_SIZE).intValue(),
        v.get(WRITE_POOL_SIZE).intValue(), v.get(CONNECT_TIMEOUT_MS), descriptor != null);
  }

  /** The password from the environment, or null. Never logged. */
  String password() {
    return System.getenv(passwordEnv);
  }

  /** The same connection with another schema (a snapshot's). */
  PostgresOptions withSchema(String other) {
    return new PostgresOptions(url, user, passwordEnv, other, poolSize, writePoolSize,
        connectTimeoutMs, descriptorFound);
  }

  private static Properties readDescriptor(Path dir) {
    Path file = dir.resolve(DESCRIPTOR);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new BackendException("cannot read " + file + ": " + e, e);
    }
    return p;
  }

  /** Writes the descriptor of this store into {@code dir} (atomically, never a password). */
  void writeDescriptor(Path dir, String comment) {
    Properties p = new Properties();
    p.setProperty("url", url);
    p.setProperty("schema", schema);
    p.setProperty("passwordEnv", passwordEnv);
    if (user != null) {
      p.setProperty("user", user);
    }
    Path file = dir.resolve(DESCRIPTOR);
    Path tmp = dir.resolve(DESCRIPTOR + ".tmp");
    try {
      Files.createDirectories(dir);
      try (OutputStream out = Files.newOutputStream(tmp)) {
        p.store(out, comment);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new BackendException("cannot write " + file + " (is the directory writable?): " + e, e);
    }
  }

  /**
   * The URL for messages and logs: without user information ({@code user:password@}, up to the
   * last {@code @}, since a password may hold any character) and without query parameters (they
   * may carry a password).
   */
  static String redact(String url) {
    String u = url;
    int authority = u.indexOf("//");
    int at = u.lastIndexOf('@');
    if (authority >= 0 && at > authority) {
      u = u.substring(0, authority + 2) + "…@" + u.substring(at + 1);
    }
    int q = u.indexOf('?');
    return q < 0 ? u : u.substring(0, q) + "?…";
  }
}
