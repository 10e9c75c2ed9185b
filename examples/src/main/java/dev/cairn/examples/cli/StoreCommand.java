package dev.cairn.examples.cli;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.CodecProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every command shares: the global options, opening the store, printing results. */
abstract class StoreCommand implements Callable<Integer> {

  private static final String LOCK_FILE = "cairn.lock";
  /** The engine's record of a store's backend: a properties file with {@code backend=NAME}. */
  private static final String STORE_FILE = "cairn.store";

  @ParentCommand
  CairnCli cli;

  @Spec
  CommandSpec spec;

  /**
   * The backends this command opens when it opens more than one (migrate, restore over a store
   * of another backend): a {@code --backend-option} with one's prefix goes to that one's stores
   * only; every other option goes to every store, whose engine refuses what it does not claim.
   */
  Set<String> backendsOpened = Set.of();

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Prints {@code value} as JSON on stdout. */
  void json(Object value) {
    out().println(Json.write(value, true));
    out().flush();
  }

  /** The store directory: --store, else $CAIRN_STORE. */
  Path storeDir() {
    if (cli.store != null) {
      return cli.store;
    }
    if (cli.envStore != null && !cli.envStore.isBlank()) {
      return Path.of(cli.envStore);
    }
    throw CliException.usage("no store given: pass --store DIR or set CAIRN_STORE");
  }

  /**
   * {@code value}, a key (or key prefix) given on the command line as {@code label}, unless it
   * did not arrive intact. Java decodes the command line with the platform encoding
   * ({@code sun.jnu.encoding}) and silently puts U+FFFD in place of bytes it cannot decode (invalid
   * UTF-8, or any non-ASCII byte under the C locale); such a key would be stored or looked up as
   * something other than what was typed. The decoded string cannot tell those from a U+FFFD
   * that was typed, so a key containing U+FFFD cannot be given on the command line.
   * Also used for put's VALUE argument, which is stored "as given".
   *
   * @throws CliException (usage) naming the argument
   */
  static String checkedArgument(String value, String label) {
    return checkedArgument(value, label, "");
  }

  /** {@link #checkedArgument(String, String)} with {@code advice} appended to the error. */
  static String checkedArgument(String value, String label, String advice) {
    int bad = value.indexOf('\uFFFD');
    if (bad < 0) {
      return value;
    }
    String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
    boolean utf8 = encoding.equalsIgnoreCase("UTF-8") || encoding.equalsIgnoreCase("UTF8");
    throw CliException.usage(label + " '" + value + "' was not valid " + (utf8 ? "UTF-8" : encoding)
        + " on the command line: Java replaced the bytes it could not decode with U+FFFD"
        + " (character " + (bad + 1) + "); refusing it rather than using other bytes than given"
        + (utf8 ? "" : "; Java decodes the command line as " + encoding
            + " here: use a UTF-8 locale, e.g. LANG=C.UTF-8") + advice);
  }

  /** Opens an existing store; a missing directory or one without a store is a usage error. */
  Storage openExisting() {
    Path dir = storeDir();
    if (cli.backend != null) {
      checkedBackend(cli.backend);   // an unknown backend is reported before a missing store
    }
    requireStore(dir);
    return builder(dir, backendFor(dir)).open();
  }

  /** Opens the store, creating it if absent. */
  Storage openOrCreate() {
    Path dir = storeDir();
    return builder(dir, backendFor(dir)).open();
  }

  static void requireStore(Path dir) {
    if (!Files.exists(dir)) {
      throw CliException.usage("no store at " + dir + ": the directory does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw CliException.usage("no store at " + dir + ": not a directory");
    }
    if (!Files.exists(dir.resolve(STORE_FILE)) && detect(dir) == null
        && !Files.exists(dir.resolve(LOCK_FILE))) {
      throw CliException.usage("no store at " + dir + ": the directory holds no Cairn store files");
    }
  }

  /**
   * The builder the CLI opens stores with: the global options, no background work. Plugin
   * options go through the builder, so the engine refuses unknown keys and invalid values
   * exactly as for any application.
   */
  StorageBuilder builder(Path dir, String backend) {
    StorageBuilder b = dev.cairn.storage.Storage.builder()
        .directory(dir)
        .backend(backend)
        .noScheduledMaintenance()
        .dictionaryTrainingSamples(0);
    if (cli.codec != null) {
      b.codec(checkedCodec(cli.codec));
    }
    if (cli.dedup != null) {
      b.dedupMode(cli.dedup);
    }
    cli.backendOptions.forEach((key, value) -> {
      if (!ofAnotherOpenedBackend(key, backend)) {
        b.backendOption(key, value);
      }
    });
    cli.codecOptions.forEach(b::codecOption);
    return b;
  }

  private boolean ofAnotherOpenedBackend(String key, String backend) {
    return backendsOpened.stream()
        .anyMatch(other -> !other.equals(backend) && key.startsWith(other + "."));
  }

  /**
   * --backend if given (checked against what is installed), else the store's (if installed; if
   * not, the engine refuses the directory naming it), else sqlite.
   */
  String backendFor(Path dir) {
    if (cli.backend != null) {
      return checkedBackend(cli.backend);
    }
    String detected = Files.isDirectory(dir) ? detect(dir) : null;
    if (detected != null && availableBackends().contains(detected)) {
      return detected;
    }
    List<String> available = availableBackends();
    return available.contains("sqlite") || available.isEmpty() ? "sqlite" : available.get(0);
  }

  /**
   * The backend of the store in {@code dir}: the one its {@code cairn.store} names, else (a store
   * from before {@code cairn.store}) the installed backend whose store files it holds, else null.
   * A damaged {@code cairn.store} is left to the engine to report.
   */
  static String detect(Path dir) {
    Path marker = dir.resolve(STORE_FILE);
    if (Files.isRegularFile(marker)) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException | IllegalArgumentException e) {
        return null;
      }
      String backend = p.getProperty("backend", "").strip();
      return backend.isEmpty() ? null : backend;
    }
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
      if (p.storeFiles().stream().anyMatch(f -> Files.exists(dir.resolve(f)))) {
        return p.name();
      }
    }
    return null;
  }

  static String checkedBackend(String name) {
    List<String> available = availableBackends();
    if (!available.contains(name)) {
      throw CliException.usage("unknown backend '" + name + "'; available: " + String.join(", ", available));
    }
    return name;
  }

  static String checkedCodec(String name) {
    List<String> available = availableCodecs();
    if (!available.contains(name)) {
      throw CliException.usage("unknown codec '" + name + "'; available: " + String.join(", ", available));
    }
    return name;
  }

  static List<String> availableBackends() {
    TreeSet<String> names = new TreeSet<>();
    ServiceLoader.load(BackendProvider.class).forEach(p -> names.add(p.name()));
    return List.copyOf(names);
  }

  static List<String> availableCodecs() {
    TreeSet<String> names = new TreeSet<>();
    names.add("identity");
    ServiceLoader.load(CodecProvider.class).forEach(p -> names.add(p.name()));
    return List.copyOf(names);
  }

  static boolean isEmptyDirectory(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
