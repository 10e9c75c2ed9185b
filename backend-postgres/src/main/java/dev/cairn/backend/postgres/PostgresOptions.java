package dev.cairn.backend.postgres;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.spi.BackendConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the store lives and how to reach it: the {@code postgres.*} options merged with the
 * directory's descriptor ({@value #DESCRIPTOR}). Validated all at once. The password is never
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
  static final String PREFIX = "postgres.";
  static final String URL = "postgres.url";
  static final String USER = "postgres.user";
  static final String PASSWORD_ENV = "postgres.passwordEnv";
  static final String SCHEMA = "postgres.schema";
  static final String POOL_SIZE = "postgres.poolSize";
  static final String WRITE_POOL_SIZE = "postgres.writePoolSize";
  static final String CONNECT_TIMEOUT_MS = "postgres.connectTimeoutMs";

  static final Set<String> KNOWN =
      Set.of(URL, USER, PASSWORD_ENV, SCHEMA, POOL_SIZE, WRITE_POOL_SIZE, CONNECT_TIMEOUT_MS);

  static final String DEFAULT_SCHEMA = "cairn";
  static final String DEFAULT_PASSWORD_ENV = "PGPASSWORD";

  /** Schema names are spliced into SQL, so they are restricted to this (unquoted) form. */
  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  static PostgresOptions from(BackendConfig config) {
    Map<String, String> opts = config.optionsWithPrefix(PREFIX);
    List<String> problems = new ArrayList<>();
    for (String key : opts.keySet()) {
      if (!KNOWN.contains(key)) {
        problems.add("unknown option '" + key + "'; known options: " + new java.util.TreeSet<>(KNOWN));
      }
    }
    Properties descriptor = readDescriptor(config.directory());
    String url = opts.get(URL);
    String schema = opts.getOrDefault(SCHEMA, DEFAULT_SCHEMA);
    if (descriptor != null) {
      String dUrl = descriptor.getProperty("url");
      String dSchema = descriptor.getProperty("schema");
      if (dUrl == null || dSchema == null) {
        throw new BackendException(config.directory().resolve(DESCRIPTOR)
            + " lacks 'url' or 'schema'; it is not a Cairn PostgreSQL descriptor");
      }
      if (url != null && !url.equals(dUrl)) {
        LOG.warn("{} binds this store to {}; option {}={} is ignored", DESCRIPTOR,
            redact(dUrl), URL, redact(url));
      }
      if (opts.containsKey(SCHEMA) && !schema.equals(dSchema)) {
        LOG.info("{} binds this store to schema {}; option {}={} is ignored", DESCRIPTOR,
            dSchema, SCHEMA, schema);
      }
      url = dUrl;
      schema = dSchema;
    }
    if (url == null) {
      problems.add("option " + URL + " is required (e.g. jdbc:postgresql://db.example:5432/app)"
          + " unless the directory holds a " + DESCRIPTOR);
    } else if (!url.startsWith("jdbc:postgresql:")) {
      problems.add("option " + URL + " must start with jdbc:postgresql:, got '" + redact(url) + "'");
    } else if (url.toLowerCase(Locale.ROOT).contains("password=") || url.indexOf('@') >= 0) {
      // the URL is written to the directory's descriptor and may be logged: no secrets in it.
      // pgjdbc does not read user information (user:password@host) but puts the URL in its
      // messages, so any '@' is refused (a literal one in a parameter is written %40)
      problems.add("option " + URL + " must not carry a password or user information ('"
          + redact(url) + "'); set the user with " + USER + " and put the password in the"
          + " environment variable named by " + PASSWORD_ENV + " (default " + DEFAULT_PASSWORD_ENV
          + "); write an @ inside a parameter as %40");
    }
    if (!SCHEMA_NAME.matcher(schema).matches()) {
      problems.add("option " + SCHEMA + " must match [a-z_][a-z0-9_]{0,62}, got '" + schema + "'");
    } else if (schema.startsWith("pg_") || schema.equals("information_schema")) {
      problems.add("option " + SCHEMA + " names a schema reserved by PostgreSQL, got '"
          + schema + "' (information_schema and every pg_ name: pg_catalog, pg_toast, ...);"
          + " choose another, e.g. the default " + DEFAULT_SCHEMA);
    }
    String passwordEnv = opts.getOrDefault(PASSWORD_ENV,
        descriptor != null ? descriptor.getProperty("passwordEnv", DEFAULT_PASSWORD_ENV)
            : DEFAULT_PASSWORD_ENV);
    if (passwordEnv.isBlank()) {
      problems.add("option " + PASSWORD_ENV + " must name an environment variable");
    }
    String user = opts.getOrDefault(USER, descriptor != null ? descriptor.getProperty("user") : null);
    long pool = read(config, POOL_SIZE, 8, 1, 1024, problems);
    long writePool = read(config, WRITE_POOL_SIZE, 2, 1, 1024, problems);
    long connectTimeout = read(config, CONNECT_TIMEOUT_MS, 10_000, 250, Integer.MAX_VALUE, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid PostgreSQL backend options: " + String.join("; ", problems));
    }
    return new PostgresOptions(url, user, passwordEnv, schema, (int) pool, (int) writePool,
        connectTimeout, descriptor != null);
  }

  private static long read(
      BackendConfig config, String key, long dflt, long min, long max, List<String> problems) {
    long value;
    try {
      value = config.longOption(key, dflt);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return dflt;
    }
    if (value < min || value > max) {
      problems.add("option " + key + " must be between " + min + " and " + max + ", got " + value);
      return dflt;
    }
    return value;
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

  /** The table of {@code keyspace}, schema-qualified; both names are validated identifiers. */
  String table(String keyspace) {
    return schema + ".ks_" + keyspace.toLowerCase(Locale.ROOT);
  }
}
