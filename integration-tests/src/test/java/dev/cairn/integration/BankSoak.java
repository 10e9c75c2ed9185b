package dev.cairn.integration;

import dev.cairn.conformance.CrashHarness;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code kill -9} soak with the workload of a bank: many accounts, several threads of
 * transfers, one transaction per transfer, on a store grown large first.
 *
 * <p>It exists because the {@link CrashHarness} never grew a store past a few thousand records,
 * and the H2 backend lost acknowledged commits only on stores of 100k+ records (backend-h2
 * README, "Crash recovery"). Each cycle starts a child JVM ({@link BankSoakWriter}) that runs
 * transfers from {@code threads} threads with the cycle's {@link Durability} (SYNC, GROUP and
 * ASYNC in turn), optionally with backups and maintenance running concurrently; a random
 * 100–500 ms after its first acknowledged transfer it is killed with {@code SIGKILL}. The store is reopened in this JVM and
 * checked:
 *
 * <ul>
 *   <li>every transfer acknowledged by a SYNC or GROUP cycle is in the ledger (a missing one is a
 *       <em>loss</em>); ASYNC cycles may lose their newest acknowledged transfers by design, and
 *       those are counted apart;
 *   <li>every balance equals its initial amount plus what the ledger says came in minus what
 *       went out — so a transfer is all or nothing, and the money adds up;
 *   <li>every ledger record reads without {@link DataCorruptionException};
 *   <li>{@link StorageAdmin#verify()} reports nothing (every {@code verifyEvery} cycles and after
 *       the last).
 * </ul>
 *
 * <p>Run it from the command line ({@code integration-tests/soak/run}) or from a test:
 *
 * <pre>{@code
 * BankSoak.Report r = BankSoak.builder("h2", dir).cycles(1000).growTo(150_000).run();
 * }</pre>
 */
final class BankSoak {

  private static final Logger LOG = LoggerFactory.getLogger(BankSoak.class);

  /** The kits' seed property, so one {@code -Dcairn.conformance.seed} replays a whole run. */
  private static final long DEFAULT_SEED =
      Long.getLong("cairn.conformance.seed", new Random().nextLong());

  static final String ACCOUNTS = "accounts";
  static final String LEDGER = "ledger";
  static final String HISTORY = "history";
  static final long INITIAL_BALANCE = 1_000_000;
  private static final Durability[] DURABILITIES = {
    Durability.SYNC, Durability.GROUP, Durability.ASYNC
  };

  private final Builder config;

  private BankSoak(Builder config) {
    this.config = config;
  }

  /** A soak of the backend registered as {@code backend}, with its store in {@code directory}. */
  static Builder builder(String backend, Path directory) {
    return new Builder(backend, directory);
  }

  /**
   * What a soak did.
   *
   * @param backend the backend's name
   * @param seed the seed of the transfers and kill points
   * @param cycles kill cycles run
   * @param acknowledged transfers acknowledged by the children (all durabilities)
   * @param acknowledgedDurable of those, by SYNC and GROUP cycles
   * @param lost durable acknowledged transfers missing after recovery (must be 0)
   * @param asyncUnsynced ASYNC acknowledged transfers missing after recovery (allowed)
   * @param violations failed balance, read or verify checks (must be 0)
   * @param records records in the store after the last cycle
   * @param storeBytes the store's size on disk after the last cycle
   * @param firstProblems the first few losses and violations, for the report
   * @param elapsed wall time of the run
   */
  record Report(
      String backend,
      long seed,
      int cycles,
      long acknowledged,
      long acknowledgedDurable,
      long lost,
      long asyncUnsynced,
      long violations,
      long records,
      long storeBytes,
      List<String> firstProblems,
      Duration elapsed) {

    public Report {
      firstProblems = List.copyOf(firstProblems);
    }

    /** Whether nothing durable was lost and no check failed. */
    boolean ok() {
      return lost == 0 && violations == 0;
    }
  }

  /** Configures a {@link BankSoak}; every setter validates at once. */
  static final class Builder {
    private final String backend;
    private final Path directory;
    private String codec = "identity";
    private int cycles = 10;
    private int threads = 8;
    private int accounts = 100;
    private int growTo = 20_000;
    private int minWriteMillis = 100;
    private int maxWriteMillis = 500;
    private int verifyEvery = 10;
    private boolean backups = true;
    private boolean maintenance = true;
    private boolean failFast = true;
    private long seed = DEFAULT_SEED;

    private Builder(String backend, Path directory) {
      this.backend = Objects.requireNonNull(backend, "backend");
      this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
    }

    /** The codec by name (default {@code identity}). */
    Builder codec(String name) {
      this.codec = Objects.requireNonNull(name, "codec");
      return this;
    }

    /** How many children to kill (default 10). */
    Builder cycles(int n) {
      this.cycles = positive(n, "cycles");
      return this;
    }

    /** Transfer threads in the child (default 8). */
    Builder threads(int n) {
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("threads must be in 1..64, got " + n);
      }
      this.threads = n;
      return this;
    }

    /** Accounts the transfers move money between (default 100). */
    Builder accounts(int n) {
      if (n < 2) {
        throw new IllegalArgumentException("accounts must be at least 2, got " + n);
      }
      this.accounts = n;
      return this;
    }

    /**
     * Records (of 100 B to 4 KiB, a third of them sharing content) written to a history
     * collection before the first cycle, when the store is new (default 20,000).
     */
    Builder growTo(int records) {
      if (records < 0) {
        throw new IllegalArgumentException("records must not be negative, got " + records);
      }
      this.growTo = records;
      return this;
    }

    /** How long a child writes before the kill: a random time in this range (default 100–500 ms). */
    Builder writeMillis(int min, int max) {
      if (min < 1 || max < min) {
        throw new IllegalArgumentException(
            "write time must satisfy 1 <= min <= max, got " + min + ".." + max);
      }
      this.minWriteMillis = min;
      this.maxWriteMillis = max;
      return this;
    }

    /** Run {@code admin().verify()} after every n-th cycle and after the last (default 10). */
    Builder verifyEvery(int n) {
      this.verifyEvery = positive(n, "verifyEvery");
      return this;
    }

    /** Whether the child takes backups while it writes (default true). */
    Builder backups(boolean on) {
      this.backups = on;
      return this;
    }

    /** Whether the child runs maintenance while it writes (default true). */
    Builder maintenance(boolean on) {
      this.maintenance = on;
      return this;
    }

    /**
     * Whether the first loss or violation throws {@link AssertionError} (default true); with
     * false the soak runs every cycle and reports the counts.
     */
    Builder failFast(boolean on) {
      this.failFast = on;
      return this;
    }

    /** The seed of transfers and kill points (default: -Dcairn.conformance.seed, else random). */
    Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Runs the soak. */
    Report run() {
      return new BankSoak(this).runAll();
    }

    private static int positive(int n, String what) {
      if (n < 1) {
        throw new IllegalArgumentException(what + " must be positive, got " + n);
      }
      return n;
    }
  }

  // ------------------------------------------------------------------------ the workload

  /** One transfer: {@code amount} from account {@code from} to account {@code to}. */
  record Transfer(String id, int from, int to, long amount, byte[] entry) {}

  /** The transfers' shapes; shared by the child (which writes them) and the checks. */
  static final class Bank {
    private final byte[][] memos;
    private final int accounts;

    Bank(long seed, int accounts) {
      this.accounts = accounts;
      Random rnd = new Random(seed);
      memos = new byte[16][];
      for (int i = 0; i < memos.length; i++) {
        memos[i] = compressibleBytes(rnd, 80 + rnd.nextInt(600));
      }
    }

    Transfer next(Random rnd, String id) {
      int from = rnd.nextInt(accounts);
      int to = (from + 1 + rnd.nextInt(accounts - 1)) % accounts;
      long amount = 1 + rnd.nextInt(500);
      // a memo shared by many transfers (a deduplicated blob), a unique one, or none
      int kind = rnd.nextInt(3);
      byte[] memo = kind == 0 ? memos[rnd.nextInt(memos.length)]
          : kind == 1 ? randomBytes(rnd, rnd.nextInt(2_000)) : new byte[0];
      byte[] head = (from + "," + to + "," + amount + ";").getBytes(StandardCharsets.US_ASCII);
      byte[] entry = new byte[head.length + memo.length];
      System.arraycopy(head, 0, entry, 0, head.length);
      System.arraycopy(memo, 0, entry, head.length, memo.length);
      return new Transfer(id, from, to, amount, entry);
    }
  }

  static String transferId(int cycle, int thread, long n) {
    return String.format("c%06d-t%02d-%08d", cycle, thread, n);
  }

  static String account(int n) {
    return String.format("a%05d", n);
  }

  static byte[] balanceBytes(long amount) {
    return Long.toString(amount).getBytes(StandardCharsets.US_ASCII);
  }

  /** Applies transfer {@code t} in {@code tx}: both balances and the ledger entry. */
  static void transfer(dev.cairn.storage.Transaction tx, Transfer t) {
    long from = balance(tx.getBytes(ACCOUNTS, account(t.from())));
    long to = balance(tx.getBytes(ACCOUNTS, account(t.to())));
    tx.putBytes(ACCOUNTS, account(t.from()), balanceBytes(from - t.amount()));
    tx.putBytes(ACCOUNTS, account(t.to()), balanceBytes(to + t.amount()));
    tx.putBytes(LEDGER, t.id(), t.entry());
  }

  static long balance(Optional<byte[]> value) {
    return Long.parseLong(new String(value.orElseThrow(
        () -> new IllegalStateException("account missing")), StandardCharsets.US_ASCII));
  }

  // ----------------------------------------------------------------------------- the loop

  private Report runAll() {
    Instant start = Instant.now();
    LOG.info("bank soak on {} / {}: {} cycles, {} threads, {} accounts, seed {}", config.backend,
        config.codec, config.cycles, config.threads, config.accounts, config.seed);
    prepare();
    Random rnd = new Random(config.seed ^ 0x5DEECE66DL);
    long acknowledged = 0;
    long acknowledgedDurable = 0;
    long lost = 0;
    long asyncUnsynced = 0;
    long violations = 0;
    List<String> problems = new ArrayList<>();
    int firstCycle = nextCycle();
    for (int i = 0; i < config.cycles; i++) {
      int cycle = firstCycle + i;
      Durability d = DURABILITIES[cycle % DURABILITIES.length];
      int writeMillis = config.minWriteMillis
          + rnd.nextInt(config.maxWriteMillis - config.minWriteMillis + 1);
      List<String> acked = killOne(cycle, d, writeMillis);
      acknowledged += acked.size();
      boolean verify = (i + 1) % config.verifyEvery == 0 || i == config.cycles - 1;
      List<String> missing = new ArrayList<>();
      List<String> broken = check(acked, verify, missing);
      if (d == Durability.ASYNC) {
        asyncUnsynced += missing.size();
      } else {
        acknowledgedDurable += acked.size();
        lost += missing.size();
        if (!missing.isEmpty()) {
          broken.add(0, missing.size() + " acknowledged " + d + " transfers lost, first "
              + missing.get(0));
        }
      }
      violations += broken.size() - (d != Durability.ASYNC && !missing.isEmpty() ? 1 : 0);
      for (String p : broken) {
        if (problems.size() < 20) {
          problems.add("cycle " + cycle + " (" + d + "): " + p);
        }
      }
      LOG.info("bank soak {} cycle {}/{} ({}): {} acknowledged, {} missing{}", config.backend,
          i + 1, config.cycles, d, acked.size(), missing.size(),
          broken.isEmpty() ? "" : ", PROBLEMS " + broken);
      if (config.failFast && !broken.isEmpty()) {
        throw new AssertionError(context(cycle) + String.join("; ", broken));
      }
      writeCycleMark(cycle + 1);
    }
    long records;
    long bytes;
    try (Storage s = open()) {
      records = s.count(LEDGER) + s.count(ACCOUNTS) + s.count(HISTORY);
      bytes = s.admin().sizeOnDisk();
    }
    Report r = new Report(config.backend, config.seed, config.cycles, acknowledged,
        acknowledgedDurable, lost, asyncUnsynced, violations, records, bytes, problems,
        Duration.between(start, Instant.now()));
    LOG.info("bank soak on {} done: {}", config.backend, r);
    return r;
  }

  private String context(int cycle) {
    return "[bank soak " + config.backend + "/" + config.codec + ", cycle " + cycle + ", seed="
        + config.seed + "] ";
  }

  private Storage open() {
    return Storage.builder()
        .directory(config.directory)
        .backend(config.backend)
        .codec(config.codec)
        .noScheduledMaintenance()
        .open();
  }

  /** Creates the accounts and grows the store, once. */
  private void prepare() {
    try (Storage s = open()) {
      if (s.count(ACCOUNTS) > 0) {
        return;
      }
      Map<String, byte[]> accounts = new LinkedHashMap<>();
      for (int a = 0; a < config.accounts; a++) {
        accounts.put(account(a), balanceBytes(INITIAL_BALANCE));
      }
      s.putAllBytes(ACCOUNTS, accounts);
      Random rnd = new Random(config.seed);
      byte[][] shared = new byte[32][];
      for (int i = 0; i < shared.length; i++) {
        shared[i] = randomBytes(rnd, 100 + rnd.nextInt(4_000));
      }
      for (int done = 0; done < config.growTo; ) {
        Map<String, byte[]> batch = new LinkedHashMap<>();
        for (int i = 0; i < 1_000 && done < config.growTo; i++, done++) {
          batch.put(String.format("h%09d", done), rnd.nextInt(3) == 0
              ? shared[rnd.nextInt(shared.length)]
              : randomBytes(rnd, 100 + rnd.nextInt(4_000)));
        }
        s.putAllBytes(HISTORY, batch);
      }
      LOG.info("bank soak on {}: store grown to {} records, {} bytes", config.backend,
          config.growTo + config.accounts, s.admin().sizeOnDisk());
    }
  }

  /** The file beside the store that says which cycle comes next (so ids stay unique). */
  private Path cycleMark() {
    return config.directory.resolveSibling(config.directory.getFileName() + ".soak-cycle");
  }

  private int nextCycle() {
    try {
      return Files.exists(cycleMark())
          ? Integer.parseInt(Files.readString(cycleMark()).trim())
          : 0;
    } catch (IOException e) {
      throw new AssertionError("cannot read " + cycleMark() + ": " + e, e);
    }
  }

  private void writeCycleMark(int next) {
    try {
      Files.writeString(cycleMark(), Integer.toString(next));
    } catch (IOException e) {
      throw new AssertionError("cannot write " + cycleMark() + ": " + e, e);
    }
  }

  /** Runs one child for {@code writeMillis} after it is ready, kills it; returns its acks. */
  private List<String> killOne(int cycle, Durability d, int writeMillis) {
    Path log = config.directory.resolveSibling(config.directory.getFileName() + "-child.log");
    // the child's temporary files (lmdbjava's native library): a killed JVM leaves them behind
    Path tmp = config.directory.resolveSibling(config.directory.getFileName() + "-child-tmp");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-Xmx512m", "-XX:+UseSerialGC",
        "-Djava.io.tmpdir=" + tmp,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        BankSoakWriter.class.getName(),
        config.directory.toString(), config.backend, config.codec, d.name(),
        Long.toString(config.seed), Integer.toString(cycle), Integer.toString(config.threads),
        Integer.toString(config.accounts),
        config.backups
            ? config.directory.resolveSibling(config.directory.getFileName() + "-backups")
                .toString()
            : "-",
        Boolean.toString(config.maintenance)));
    Process child;
    try {
      Files.createDirectories(tmp);
      child = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError(context(cycle) + "cannot start the child JVM: " + e, e);
    }
    try {
      return readAcks(cycle, child, log, writeMillis);
    } finally {
      if (!child.isAlive()) {
        deleteTree(tmp);
      }
    }
  }

  /** Reads the acknowledgements of {@code child} until it is killed after {@code writeMillis}. */
  private List<String> readAcks(int cycle, Process child, Path log, int writeMillis) {
    List<String> acked = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    Thread killer = new Thread(() -> {
      try {
        Thread.sleep(writeMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      child.toHandle().destroyForcibly();
    }, "bank-soak-killer");
    killer.setDaemon(true);
    Thread watchdog = new Thread(() -> {
      try {
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
          child.toHandle().destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "bank-soak-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try (InputStream in = child.getInputStream()) {
      LineReader lines = new LineReader(in);
      boolean ready = false;
      String line;
      while ((line = lines.next()) != null) {
        if (line.equals("ready")) {
          ready = true;
        } else if (line.startsWith("ack ")) {
          if (acked.isEmpty()) {
            killer.start(); // the write window starts when writing demonstrably has
          }
          acked.add(line.substring(4));
        } else if (line.startsWith("error ")) {
          errors.add(line);
        }
      }
      if (killer.getState() == Thread.State.NEW) {
        child.toHandle().destroyForcibly();
        throw new AssertionError(context(cycle) + "the child "
            + (ready ? "never acknowledged a transfer" : "never became ready")
            + " (errors: " + errors + "); its stderr:\n" + tail(log));
      }
      child.waitFor(60, TimeUnit.SECONDS);
      killer.join();
    } catch (IOException e) {
      throw new AssertionError(context(cycle) + "cannot read the child's output: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.destroyForcibly();
      throw new AssertionError(context(cycle) + "interrupted", e);
    }
    if (!errors.isEmpty()) {
      throw new AssertionError(context(cycle) + "the child reported " + errors + "; its stderr:\n"
          + tail(log));
    }
    if (child.exitValue() != 128 + 9) {
      throw new AssertionError(context(cycle) + "the child exited with " + child.exitValue()
          + " instead of being killed (137); its stderr:\n" + tail(log));
    }
    return acked;
  }

  /**
   * Checks the recovered store; adds the acknowledged ids missing from the ledger to
   * {@code missing} and returns the other problems found.
   */
  private List<String> check(List<String> acked, boolean verify, List<String> missing) {
    List<String> problems = new ArrayList<>();
    try (Storage s = open()) {
      for (String id : acked) {
        if (s.getBytes(LEDGER, id).isEmpty()) {
          missing.add(id);
        }
      }
      long[] expected = new long[config.accounts];
      java.util.Arrays.fill(expected, INITIAL_BALANCE);
      try (Stream<Map.Entry<String, byte[]>> ledger = s.entries(LEDGER, "")) {
        ledger.forEach(e -> {
          String head = new String(e.getValue(), 0, Math.min(e.getValue().length, 40),
              StandardCharsets.US_ASCII);
          String[] f = head.substring(0, head.indexOf(';')).split(",");
          expected[Integer.parseInt(f[0])] -= Long.parseLong(f[2]);
          expected[Integer.parseInt(f[1])] += Long.parseLong(f[2]);
        });
      }
      for (int a = 0; a < config.accounts; a++) {
        long actual = balance(s.getBytes(ACCOUNTS, account(a)));
        if (actual != expected[a]) {
          problems.add("account " + account(a) + " holds " + actual + " but the ledger says "
              + expected[a] + " (a transfer applied in part)");
        }
      }
      if (verify) {
        StorageAdmin.VerificationReport v = s.admin().verify();
        if (!v.ok()) {
          problems.add("verify(): " + v.problems());
        }
      }
    } catch (DataCorruptionException e) {
      problems.add("corruption: " + e.getMessage());
    }
    return problems;
  }

  private static byte[] randomBytes(Random rnd, int length) {
    byte[] b = new byte[length];
    rnd.nextBytes(b);
    return b;
  }

  /** Bytes that compress well: a repeated JSON-like word with a few random bytes. */
  private static byte[] compressibleBytes(Random rnd, int length) {
    byte[] b = new byte[length];
    byte[] word = "{\"name\":\"cairn\",\"value\":12345,\"tags\":[\"a\",\"b\"]}".getBytes(
        StandardCharsets.US_ASCII);
    for (int i = 0; i < length; i++) {
      b[i] = word[i % word.length];
    }
    for (int i = 0; i < length / 512; i++) {
      b[rnd.nextInt(length)] = (byte) rnd.nextInt(256);
    }
    return b;
  }

  /** Deletes {@code dir} and everything under it; a failure is only logged. */
  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.debug("cannot delete {}", dir, e);
    }
  }

  /** The end of a child's stderr log, for failure messages. */
  private static String tail(Path log) {
    try {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /**
   * Reads '\n'-terminated ASCII lines from a child's stdout; a last fragment without '\n' (a
   * torn write) is dropped.
   */
  private static final class LineReader {
    private final InputStream in;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    LineReader(InputStream in) {
      this.in = in;
    }

    String next() throws IOException {
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          String s = line.toString(StandardCharsets.US_ASCII);
          line.reset();
          return s;
        }
        line.write(c);
      }
      return null;
    }
  }
}
