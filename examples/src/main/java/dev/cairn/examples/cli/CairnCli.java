package dev.cairn.examples.cli;

import dev.cairn.storage.DataCorruptionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code cairn} command-line tool: store, read, list, verify, maintain, back up, restore,
 * migrate and benchmark Cairn stores, and run the demo. Run it through the {@code ./cairn}
 * launcher script or {@code java -jar examples/target/cairn.jar}.
 *
 * <p>Exit codes: {@value #OK} ok, {@value #ERROR} the operation failed, {@value #USAGE} bad
 * command line or input (unknown option, backend or codec, missing store), {@value #CORRUPT}
 * corrupted data found, {@value #NOT_FOUND} the key does not exist, {@value #NOT_APPLIED} a
 * conditional put found the key present or at another version. Errors are one line on
 * stderr (a configuration with several problems, one line each), with {@code --json} one JSON
 * object {@code {"error": ..., "exitCode": ...}} (usage errors included); {@code --verbose} adds
 * the stack trace.
 */
@Command(
    name = "cairn",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = CairnCli.Version.class,
    sortOptions = false,
    synopsisSubcommandLabel = "COMMAND",
    description = {
        "Cairn: persistent storage for the JVM, from the command line.",
        "Start with: cairn demo"},
    subcommands = {
        PutCommand.class, GetCommand.class, DeleteCommand.class, LsCommand.class,
        StatsCommand.class, VerifyCommand.class, MaintainCommand.class, BackupCommand.class,
        RestoreCommand.class, MigrateCommand.class, ChangesCommand.class, BenchCommand.class,
        DemoCommand.class,
        CommandLine.HelpCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {
        "  0  ok",
        "  1  the operation failed (I/O, backend, backup, a failed maintenance step)",
        "  2  bad command line or input (unknown option/backend/codec, missing store)",
        "  3  corrupted data (a read failed verification, verify found problems)",
        "  4  not found (get or delete of a key that does not exist)",
        "  5  not applied (put --if-absent of a present key, put --if-version of another version)",
        "",
        "Environment: CAIRN_STORE is the store directory when --store is not given."})
public final class CairnCli implements Callable<Integer> {

  /** Success. */
  public static final int OK = 0;
  /** The operation failed. */
  public static final int ERROR = 1;
  /** Bad command line or input. */
  public static final int USAGE = 2;
  /** Corrupted data. */
  public static final int CORRUPT = 3;
  /** A key does not exist. */
  public static final int NOT_FOUND = 4;
  /** A conditional put did not apply. */
  public static final int NOT_APPLIED = 5;

  @Option(names = "--store", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "The store directory (default: $CAIRN_STORE).")
  Path store;

  @Option(names = "--backend", paramLabel = "NAME", scope = ScopeType.INHERIT,
      description = "sqlite, lmdb or h2 (default: the store's own, else sqlite).")
  String backend;

  @Option(names = "--codec", paramLabel = "NAME", scope = ScopeType.INHERIT,
      description = "Codec for new writes: identity, snappy, zstd (default: identity).")
  String codec;

  @Option(names = "--dedup", paramLabel = "MODE", scope = ScopeType.INHERIT,
      description = "When equal values start sharing one copy: DEFERRED (default: by maintenance,"
          + " or at once if the content is already shared), ON_WRITE or OFF.")
  dev.cairn.storage.DedupMode dedup;

  @Option(names = "--backend-option", paramLabel = "KEY=VALUE", scope = ScopeType.INHERIT,
      description = "A backend option, e.g. sqlite.readers=8 (repeatable; see the backend's README).")
  Map<String, String> backendOptions = new LinkedHashMap<>();

  @Option(names = "--codec-option", paramLabel = "KEY=VALUE", scope = ScopeType.INHERIT,
      description = "A codec option, e.g. zstd.level=9 (repeatable).")
  Map<String, String> codecOptions = new LinkedHashMap<>();

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "Machine-readable JSON output on stdout.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Stack traces on errors, more logging.")
  boolean verbose;

  @Spec
  CommandLine.Model.CommandSpec spec;

  /** Where {@code put -} reads from. */
  InputStream stdin = System.in;
  /** Whether stderr is a terminal (progress bars redraw in place) or not (plain lines). */
  boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
  /** The environment's store directory ({@code CAIRN_STORE}). */
  String envStore = System.getenv("CAIRN_STORE");

  /** Runs the tool and exits with its exit code. */
  public static void main(String... args) {
    if (Arrays.asList(args).contains("--verbose") || Arrays.asList(args).contains("-v")) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }
    int code = commandLine(new CairnCli()).execute(args);
    System.out.flush();
    System.exit(code);
  }

  /**
   * A command line for {@code cli} with Cairn's error handling: one-line errors, exit codes as
   * documented. Tests call {@code setOut}/{@code setErr} on it and {@code execute}.
   */
  public static CommandLine commandLine(CairnCli cli) {
    CommandLine cmd = new CommandLine(cli);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setParameterExceptionHandler(CairnCli::usageError);
    cmd.setExecutionExceptionHandler((e, c, parsed) -> cli.failure(e, c.getErr()));
    return cmd;
  }

  /** {@code cairn} without a command: the usage (with --json: a JSON error), and exit code 2. */
  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (json) {
      report(err, true, "no command given (see 'cairn --help')", USAGE);
    } else {
      spec.commandLine().usage(err);
    }
    return USAGE;
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    StringBuilder line = new StringBuilder(oneLine(e.getMessage()));
    if (e instanceof UnmatchedArgumentException u) {
      List<String> suggestions = u.getSuggestions();
      if (!suggestions.isEmpty()) {
        line.append("; did you mean ").append(String.join(" or ", suggestions)).append('?');
      }
    }
    line.append(" (see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help')");
    report(cmd.getErr(), jsonRequested(cmd, args), line.toString(), USAGE);
    if (options(args).contains("--verbose") || options(args).contains("-v")) {
      e.printStackTrace(cmd.getErr());
      cmd.getErr().flush();
    }
    return USAGE;
  }

  /**
   * Whether a command line that failed to parse asked for {@code --json}: picocli may stop
   * before it reaches the option (an unknown command or option earlier on the line), so the
   * arguments are read as well, up to {@code --}.
   */
  private static boolean jsonRequested(CommandLine cmd, String[] args) {
    CommandLine root = cmd;
    while (root.getParent() != null) {
      root = root.getParent();
    }
    return (root.getCommand() instanceof CairnCli cli && cli.json) || options(args).contains("--json");
  }

  /** The arguments before {@code --} (after it, everything is a positional parameter). */
  private static List<String> options(String[] args) {
    List<String> all = Arrays.asList(args);
    int end = all.indexOf("--");
    return end < 0 ? all : all.subList(0, end);
  }

  /**
   * Prints one error: {@code cairn: MESSAGE}, or with {@code --json} one JSON object
   * {@code {"error": MESSAGE, "exitCode": CODE}}, on one line of stderr.
   */
  static void report(PrintWriter err, boolean json, String message, int code) {
    if (json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("error", message);
      j.put("exitCode", code);
      err.println(Json.write(j, false));
    } else {
      message.lines().forEach(line -> err.println("cairn: " + line));
    }
    err.flush();
  }

  /** Prints a failure as one line (plus the stack trace with --verbose); returns its exit code. */
  int failure(Exception e, PrintWriter err) {
    int code = exitCode(e);
    report(err, json, String.join("\n", messageLines(e)), code);
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  static int exitCode(Throwable e) {
    if (e instanceof CliException c) {
      return c.exitCode();
    }
    if (e instanceof DataCorruptionException || e.getCause() instanceof DataCorruptionException) {
      return CORRUPT;
    }
    if (e instanceof IllegalArgumentException) {
      return USAGE;
    }
    return ERROR;
  }

  /**
   * The message's lines: a configuration error ({@link IllegalArgumentException}) lists one
   * problem a line (e.g. every invalid option) and keeps them apart; anything else is one line.
   */
  static List<String> messageLines(Throwable e) {
    if (e instanceof IllegalArgumentException && e.getMessage() != null
        && !e.getMessage().isBlank()) {
      return e.getMessage().strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
    return List.of(message(e));
  }

  static String message(Throwable e) {
    Throwable t = e;
    if (t instanceof UncheckedIOException && t.getCause() != null) {
      t = t.getCause();
    }
    if (!(t instanceof DataCorruptionException) && t.getCause() instanceof DataCorruptionException d) {
      t = d;
    }
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      m = t.getClass().getSimpleName();
    } else if (t instanceof IOException && !(t instanceof java.nio.file.FileSystemException)) {
      m = t.getClass().getSimpleName() + ": " + m;
    } else if (t instanceof java.nio.file.NoSuchFileException) {
      m = "no such file: " + m;
    } else if (t instanceof java.nio.file.AccessDeniedException) {
      m = "permission denied: " + m;
    }
    return oneLine(m);
  }

  static String oneLine(String s) {
    return s.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** Reads the version from the jar's filtered {@code version.properties}. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = CairnCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"cairn " + p.getProperty("version", "(unknown version)"),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }
  }
}
