package dev.cairn.conformance;

import dev.cairn.storage.Change;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills a writing JVM with {@code SIGKILL} at random points and checks that the store recovers
 * with every acknowledged write and no partial one.
 *
 * <p>Each cycle starts a child JVM (same {@code java}, same class path) that opens the store with
 * the configured backend, codec and {@link Durability} and writes a deterministic sequence of
 * steps (single puts and deletes, batches, multi-record transactions across collections,
 * transfers between accounts, overwrites and deletes of deduplicated values of sizes below and
 * above the inline threshold) from one or more writer threads, printing an acknowledgement after
 * every write call returned. After a random number of acknowledgements and a random delay, the
 * harness kills it ({@link ProcessHandle#destroyForcibly()}, which is {@code kill -9} on Linux
 * and macOS; the exit status 137 is checked), reopens the store in this JVM and asserts, per writer
 * thread:
 *
 * <ul>
 *   <li>the thread's records equal exactly the state after some prefix of its steps that
 *       includes every acknowledged step: the acknowledged prefix, or that plus the one step in
 *       flight when the JVM died (committed but not yet acknowledged) — byte for byte, with no
 *       extra or missing key. So every acknowledged write is present, nothing of a transaction
 *       that did not commit is visible, and nothing is torn;
 *   <li>the accounts still sum to their initial total (a transfer is all or nothing);
 *   <li>every read verifies (no {@link DataCorruptionException});
 * </ul>
 *
 * and for the store: {@link StorageAdmin#verify()} reports no problem (checksums, hashes,
 * reference counts). The child writes with the change feed on, and the harness checks the
 * recovered feed: positions from 1 to the head without a gap, every change read after the
 * previous recovery still in its place, each thread's changes exactly those of its committed
 * steps in order (so every acknowledged change is there, and nothing of a step that did not
 * commit), and the last change of each key agreeing with the recovered record's version. The next cycle continues writing into the recovered store, so recovery of a
 * recovered store is exercised too. Cycles alternate the dedup mode of the child: even cycles
 * write with {@code DedupMode.DEFERRED} and run {@code maintenance()} (which shares equal values
 * in transactions of its own) every few hundred milliseconds while writing, odd cycles write with
 * {@code DedupMode.ON_WRITE}, so that commits span the records, index and blob keyspaces.
 *
 * <pre>{@code
 * CrashHarness.Report r = CrashHarness.builder("rocks", tempDir.resolve("store"))
 *     .codec("zstd")
 *     .cycles(20)
 *     .run(); // throws AssertionError naming the seed on a violation
 * }</pre>
 *
 * <p>The backend and codec are chosen by name in the child, so they must be registered for
 * {@link java.util.ServiceLoader} on the class path. The seed (default: the kit's seed, see
 * {@code -Dcairn.conformance.seed}) fixes the workload and the kill points; the exact instant of
 * a kill within a commit depends on timing and is not reproducible.
 */
public final class CrashHarness {

  private static final Logger LOG = LoggerFactory.getLogger(CrashHarness.class);

  private final Builder config;
  private final ChildJvm jvm;

  private CrashHarness(Builder config) {
    this.config = config;
    this.jvm = config.child;
  }

  /**
   * A harness for the backend registered as {@code backend}, writing in {@code directory}.
   *
   * @param backend the backend's registered name
   * @param directory the store's directory: absent or empty
   * @return a builder of the harness
   */
  public static Builder builder(String backend, Path directory) {
    return new Builder(backend, directory);
  }

  /**
   * A harness for the backend of a provider class that need not be registered with
   * {@link java.util.ServiceLoader}: the child JVM and the check create it through its
   * no-argument constructor (of any visibility), as {@code ServiceLoader} would.
   *
   * @param provider the backend provider's class
   * @param directory the store's directory: absent or empty
   * @return a builder of the harness
   */
  public static Builder builder(
      Class<? extends dev.cairn.storage.spi.BackendProvider> provider, Path directory) {
    return new Builder(KitSupport.PROVIDER_CLASS + provider.getName(), directory);
  }

  /**
   * What a run did.
   *
   * @param seed the seed of the workload and kill points
   * @param cycles kill cycles run
   * @param acknowledged steps acknowledged by the children, over all cycles and threads
   * @param committed steps found committed after recovery (acknowledged plus in-flight ones
   *     that made it)
   * @param inFlightCommitted how many times a step in flight at the kill was found committed
   */
  public record Report(long seed, int cycles, long acknowledged, long committed, long inFlightCommitted) {}

  /** Configures a {@link CrashHarness}; every setter validates at once. */
  public static final class Builder {
    private final ChildJvm child;
    private int cycles = 20;
    private int minAcks = 20;
    private int maxAcks = 200;
    private Duration maxKillDelay = Duration.ofMillis(5);
    private Duration cycleTimeout = Duration.ofSeconds(60);

    private Builder(String backend, Path directory) {
      this.child = new ChildJvm(backend, directory, 64);
    }

    /**
     * The codec by name (default {@code identity}).
     *
     * @param name a codec registered for {@link java.util.ServiceLoader}
     * @return this builder
     */
    public Builder codec(String name) {
      child.codec(name);
      return this;
    }

    /**
     * Durability of every write (default {@link Durability#SYNC}); {@code ASYNC} is refused.
     *
     * @param d {@code SYNC} or {@code GROUP}
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is {@code ASYNC}
     */
    public Builder durability(Durability d) {
      child.durability(d);
      return this;
    }

    /**
     * A backend option passed to the store in the child and in the checking JVM.
     *
     * @param key the option's key, with the backend's prefix
     * @param value its value
     * @return this builder
     */
    public Builder backendOption(String key, String value) {
      child.backendOption(key, value);
      return this;
    }

    /**
     * Concurrent writer threads in the child (default 1; more make {@code GROUP} coalesce).
     *
     * @param n 1 to 64
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public Builder writerThreads(int n) {
      child.writerThreads(n);
      return this;
    }

    /**
     * How many children to kill (default 20).
     *
     * @param n 1 or more
     * @return this builder
     */
    public Builder cycles(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("cycles must be positive, got " + n);
      }
      this.cycles = n;
      return this;
    }

    /**
     * Kill after a random number of acknowledgements in {@code min..max} (default 20..200).
     *
     * @param min the fewest acknowledgements before a kill, 1 or more
     * @param max the most acknowledgements before a kill, at least {@code min}
     * @return this builder
     */
    public Builder acksPerCycle(int min, int max) {
      if (min < 1 || max < min) {
        throw new IllegalArgumentException("acks per cycle must satisfy 1 <= min <= max, got "
            + min + ".." + max);
      }
      this.minAcks = min;
      this.maxAcks = max;
      return this;
    }

    /**
     * Then wait a random time up to this before the kill (default 5 ms), to land mid-commit.
     *
     * @param d zero or more
     * @return this builder
     */
    public Builder maxKillDelay(Duration d) {
      Objects.requireNonNull(d, "max kill delay");
      if (d.isNegative()) {
        throw new IllegalArgumentException("max kill delay must not be negative, got " + d);
      }
      this.maxKillDelay = d;
      return this;
    }

    /**
     * A cycle that does not reach its acknowledgements within this fails (default 60 s).
     *
     * @param d a positive duration
     * @return this builder
     */
    public Builder cycleTimeout(Duration d) {
      Objects.requireNonNull(d, "cycle timeout");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("cycle timeout must be positive, got " + d);
      }
      this.cycleTimeout = d;
      return this;
    }

    /**
     * The seed of the workload and the kill points (default: the kit's seed).
     *
     * @param seed any value; the same seed replays the same workload and kill points
     * @return this builder
     */
    public Builder seed(long seed) {
      child.seed = seed;
      return this;
    }

    /**
     * An extra argument for the child JVM (e.g. {@code -Xmx512m}); may be called repeatedly.
     *
     * @param arg one argument, placed before the child's main class
     * @return this builder
     */
    public Builder jvmArg(String arg) {
      child.jvmArg(arg);
      return this;
    }

    /**
     * Runs every cycle.
     *
     * @return what the run did
     * @throws AssertionError on the first violation, naming the seed, cycle and what was wrong
     */
    public Report run() {
      return new CrashHarness(this).runAll();
    }
  }

  // ------------------------------------------------------------------------------- the loop

  private final class State {
    final CrashWorkload workload = new CrashWorkload(jvm.seed);
    final long[] committed = new long[jvm.writerThreads];
    final List<TreeMap<String, byte[]>> models = new ArrayList<>();
    /** Per thread, the changes its committed steps made, as "KIND collection/key". */
    final List<List<String>> changes = new ArrayList<>();
    /** The whole feed as the last check read it, as "position KIND collection/key version". */
    List<String> feed = List.of();
    /**
     * Per thread, the changes of the step in flight at the kill when the recovered records
     * cannot tell whether it committed (it rewrote equal content): the feed decides.
     */
    final List<List<String>> undecided = new ArrayList<>();
    long acknowledged;
    long committedTotal;
    long inFlightCommitted;

    State() {
      for (int t = 0; t < jvm.writerThreads; t++) {
        models.add(new TreeMap<>());
        changes.add(new ArrayList<>());
        undecided.add(List.of());
      }
    }
  }

  private Report runAll() {
    LOG.info("crash harness on {}: {} cycles, {} writer thread(s), seed {}", jvm.describe(),
        config.cycles, jvm.writerThreads, jvm.seed);
    Random rnd = new Random(jvm.seed ^ 0x2545F4914F6CDD1DL);
    State state = new State();
    for (int cycle = 0; cycle < config.cycles; cycle++) {
      int target = config.minAcks + rnd.nextInt(config.maxAcks - config.minAcks + 1);
      long delayNanos = (long) (rnd.nextDouble() * config.maxKillDelay.toNanos());
      long[] acked = killOne(cycle, target, delayNanos, state);
      check(cycle, acked, state);
    }
    Report r = new Report(jvm.seed, config.cycles, state.acknowledged, state.committedTotal,
        state.inFlightCommitted);
    LOG.info("crash harness on {} passed: {}", jvm.describe(), r);
    return r;
  }

  private String context(int cycle) {
    return "[crash harness " + jvm.describe() + ", cycle " + (cycle + 1) + "/" + config.cycles
        + ", seed=" + jvm.seed
        + " (replay with -D" + KitSupport.SEED_PROPERTY + "=" + jvm.seed + ")] ";
  }

  /** Runs one child until killed; returns per thread the number of acknowledged steps. */
  private long[] killOne(int cycle, int target, long delayNanos, State state) {
    Path log = directory().resolveSibling(directory().getFileName() + "-child-" + cycle + ".log");
    // the child's temporary files: lmdbjava and sqlite-jdbc extract their native libraries there,
    // and a JVM killed with SIGKILL cannot delete them (thousands of them in /tmp otherwise)
    Path tmp = directory().resolveSibling(directory().getFileName() + "-child-tmp");
    Process child;
    try {
      Files.createDirectories(directory());
      Files.createDirectories(tmp);
      // even cycles write with deferred dedup and run maintenance (which shares equal values)
      // while writing; odd cycles share at write time, so commits span three keyspaces
      String dedup = cycle % 2 == 0 ? "DEFERRED" : "ON_WRITE";
      child = new ProcessBuilder(jvm.command(state.committed,
          List.of("-Djava.io.tmpdir=" + tmp,
              "-D" + CrashWriter.DEDUP_PROPERTY + "=" + dedup,
              "-D" + CrashWriter.FEED_PROPERTY + "=true")))
          .redirectErrorStream(false)
          .redirectError(log.toFile())
          .start();
    } catch (IOException e) {
      throw new AssertionError(context(cycle) + "cannot start the child JVM: " + e, e);
    }
    Thread watchdog = new Thread(() -> {
      try {
        if (!child.waitFor(config.cycleTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
          child.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "crash-harness-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    long[] acked = state.committed.clone();
    int count = 0;
    boolean killed = false;
    String error = null;
    try (InputStream in = child.getInputStream()) {
      LineReader lines = new LineReader(in);
      String line;
      while ((line = lines.next()) != null) {
        if (line.startsWith("ack ")) {
          String[] p = line.split(" ");
          int t = Integer.parseInt(p[1]);
          long step = Long.parseLong(p[2]);
          if (step != acked[t]) {
            child.destroyForcibly();
            throw new AssertionError(context(cycle) + "thread " + t + " acknowledged step " + step
                + " but step " + acked[t] + " was expected next");
          }
          acked[t] = step + 1;
          count++;
          if (count == target && !killed) {
            LockSupport.parkNanos(delayNanos);
            // SIGKILL: no shutdown hook, no close, no flush. Through the ProcessHandle, because
            // Process.destroyForcibly() also closes our end of the pipe, losing the acks in it
            child.toHandle().destroyForcibly();
            killed = true;
          }
        } else if (line.startsWith("error ")) {
          error = line;
        }
      }
      // EOF: every line the child wrote before it died has been read
      child.waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new AssertionError(context(cycle) + "cannot read the child's output: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.destroyForcibly();
      throw new AssertionError(context(cycle) + "interrupted", e);
    } finally {
      if (!child.isAlive()) {
        KitSupport.deleteTree(tmp);
      }
    }
    String stderr = ChildJvm.tail(log);
    if (!killed) {
      throw new AssertionError(context(cycle) + "the child ended after " + count + " of " + target
          + " acknowledgements" + (error != null ? " with " + error : " (timeout?)")
          + "; its stderr:\n" + stderr);
    }
    int exit = child.exitValue();
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")
        && exit != 128 + 9) {
      throw new AssertionError(context(cycle) + "the child exited with status " + exit
          + ", not 137 (killed by SIGKILL); its stderr:\n" + stderr);
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      LOG.debug("cannot delete {}", log, e);
    }
    for (int t = 0; t < acked.length; t++) {
      state.acknowledged += acked[t] - state.committed[t];
    }
    return acked;
  }

  private Path directory() {
    return jvm.directory;
  }

  // ----------------------------------------------------------------------------- the checks

  private void check(int cycle, long[] acked, State state) {
    Storage storage;
    try {
      storage = jvm.reopen(directory()).open();
    } catch (StorageException e) {
      throw new AssertionError(context(cycle) + "the killed store does not reopen: " + e, e);
    }
    try (storage) {
      for (int t = 0; t < jvm.writerThreads; t++) {
        checkThread(cycle, t, acked[t], storage, state);
      }
      checkFeed(cycle, storage, state);
      String problem = jvm.storeProblem(storage);
      if (problem != null) {
        throw new AssertionError(context(cycle) + "after recovery: " + problem);
      }
    }
  }

  private void checkThread(int cycle, int t, long acked, Storage storage, State state) {
    TreeMap<String, byte[]> model = state.models.get(t);
    for (long i = state.committed[t]; i < acked; i++) {
      state.workload.apply(t, i, changeOps(model, state.changes.get(t)));
    }
    TreeMap<String, byte[]> next = new TreeMap<>(model);
    List<String> inFlightChanges = new ArrayList<>();
    state.workload.apply(t, acked, changeOps(next, inFlightChanges));
    TreeMap<String, byte[]> actual = read(cycle, t, storage);
    checkBalances(cycle, t, actual);
    long found;
    state.undecided.set(t, List.of());
    if (same(actual, model)) {
      found = acked;
      if (same(actual, next)) {
        state.undecided.set(t, inFlightChanges);
      }
    } else if (same(actual, next)) {
      found = acked + 1;
      state.models.set(t, next);
      state.changes.get(t).addAll(inFlightChanges);
      state.inFlightCommitted++;
    } else {
      throw new AssertionError(context(cycle) + "thread " + t + " acknowledged steps 0.."
          + (acked - 1) + " but the recovered records match neither that state nor the one after"
          + " step " + acked + " (in flight):\n  vs acknowledged state: " + diff(model, actual)
          + "\n  vs state with the step in flight: " + diff(next, actual));
    }
    state.committedTotal += found - state.committed[t];
    state.committed[t] = found;
  }

  private TreeMap<String, byte[]> read(int cycle, int t, Storage storage) {
    TreeMap<String, byte[]> out = new TreeMap<>();
    String problem;
    try {
      problem = jvm.readThread(storage, t, out);
    } catch (DataCorruptionException e) {
      throw new AssertionError(context(cycle) + "torn or corrupted record after recovery: "
          + e.getMessage(), e);
    }
    if (problem != null) {
      throw new AssertionError(context(cycle) + problem);
    }
    return out;
  }

  private void checkBalances(int cycle, int t, Map<String, byte[]> actual) {
    long sum = 0;
    int accounts = 0;
    for (Map.Entry<String, byte[]> e : actual.entrySet()) {
      if (e.getKey().startsWith(CrashWorkload.ACCOUNTS + "/")) {
        long balance = CrashWorkload.parseBalance(e.getValue());
        if (balance < 0) {
          throw new AssertionError(context(cycle) + "negative balance " + e.getKey() + "=" + balance);
        }
        sum += balance;
        accounts++;
      }
    }
    if (accounts != 0 && (accounts != CrashWorkload.ACCOUNTS_PER_THREAD
        || sum != CrashWorkload.ACCOUNTS_PER_THREAD * CrashWorkload.INITIAL_BALANCE)) {
      throw new AssertionError(context(cycle) + "thread " + t + " has " + accounts
          + " accounts summing to " + sum + "; expected " + CrashWorkload.ACCOUNTS_PER_THREAD
          + " summing to " + CrashWorkload.ACCOUNTS_PER_THREAD * CrashWorkload.INITIAL_BALANCE
          + ": a transfer or the account batch was applied partially");
    }
  }

  /**
   * The change feed after recovery: positions 1 to the head without a gap; everything the last
   * check read still there, unchanged and in the same place (no acknowledged position lost or
   * reordered); each thread's changes exactly those of its committed steps, in step order; and
   * the last change of every key agrees with the recovered record (its version, or absent).
   */
  private void checkFeed(int cycle, Storage storage, State state) {
    List<Change> all = new ArrayList<>();
    long head = storage.changes().head();
    while (all.size() < head) {
      all.addAll(storage.changes().read(all.size(), 1000));
    }
    List<String> lines = new ArrayList<>();
    List<List<String>> perThread = new ArrayList<>();
    for (int t = 0; t < jvm.writerThreads; t++) {
      perThread.add(new ArrayList<>());
    }
    Map<String, Change> last = new TreeMap<>();
    for (int i = 0; i < all.size(); i++) {
      Change c = all.get(i);
      String ck = c.collection() + "/" + c.key();
      if (c.position() != i + 1) {
        throw new AssertionError(context(cycle) + "change feed: position " + c.position()
            + " where " + (i + 1) + " was expected (a gap or a reordering)");
      }
      lines.add(c.position() + " " + c.kind() + " " + ck + " " + c.version());
      int t = Integer.parseInt(c.key().substring(1, c.key().indexOf('-')));
      perThread.get(t).add(c.kind() + " " + ck);
      last.put(ck, c);
    }
    if (lines.size() < state.feed.size()
        || !lines.subList(0, state.feed.size()).equals(state.feed)) {
      throw new AssertionError(context(cycle) + "change feed: the " + state.feed.size()
          + " changes read after the previous recovery are not a prefix of the feed now ("
          + lines.size() + " changes)");
    }
    for (int t = 0; t < jvm.writerThreads; t++) {
      List<String> withUndecided = new ArrayList<>(state.changes.get(t));
      withUndecided.addAll(state.undecided.get(t));
      if (!state.undecided.get(t).isEmpty() && perThread.get(t).equals(withUndecided)) {
        // the step in flight committed after all: the next child continues after it
        state.changes.get(t).addAll(state.undecided.get(t));
        state.committed[t]++;
        state.committedTotal++;
        state.inFlightCommitted++;
      }
      if (!perThread.get(t).equals(state.changes.get(t))) {
        throw new AssertionError(context(cycle) + "change feed: thread " + t + "'s changes do"
            + " not match its " + state.committed[t] + " committed steps: expected "
            + state.changes.get(t).size() + ", found " + perThread.get(t).size()
            + firstDifference(state.changes.get(t), perThread.get(t)));
      }
    }
    for (Change c : last.values()) {
      var meta = storage.metadata(c.collection(), c.key());
      boolean agrees = c.kind() == Change.Kind.PUT
          ? meta.isPresent() && meta.get().version() == c.version()
          : meta.isEmpty();
      if (!agrees) {
        throw new AssertionError(context(cycle) + "change feed: the last change of "
            + c.collection() + "/" + c.key() + " is " + c + " but the record is " + meta);
      }
    }
    state.feed = lines;
  }

  private static String firstDifference(List<String> expected, List<String> actual) {
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      if (!expected.get(i).equals(actual.get(i))) {
        return "; first difference at " + i + ": expected " + expected.get(i) + ", found "
            + actual.get(i);
      }
    }
    return "";
  }

  /** {@link #modelOps}, recording each put and each delete of a present key in {@code out}. */
  static CrashWorkload.Ops changeOps(TreeMap<String, byte[]> m, List<String> out) {
    CrashWorkload.Ops model = modelOps(m);
    return new CrashWorkload.Ops() {
      @Override
      public byte[] get(String collection, String key) {
        return model.get(collection, key);
      }

      @Override
      public void put(String collection, String key, byte[] value) {
        model.put(collection, key, value);
        out.add("PUT " + collection + "/" + key);
      }

      @Override
      public void delete(String collection, String key) {
        if (m.containsKey(collection + "/" + key)) {
          out.add("DELETE " + collection + "/" + key);
        }
        model.delete(collection, key);
      }

      @Override
      public void putAll(String collection, Map<String, byte[]> values) {
        values.forEach((k, v) -> put(collection, k, v));
      }
    };
  }

  static CrashWorkload.Ops modelOps(TreeMap<String, byte[]> m) {
    return new CrashWorkload.Ops() {
      @Override
      public byte[] get(String collection, String key) {
        byte[] v = m.get(collection + "/" + key);
        return v == null ? null : v.clone();
      }

      @Override
      public void put(String collection, String key, byte[] value) {
        m.put(collection + "/" + key, value.clone());
      }

      @Override
      public void delete(String collection, String key) {
        m.remove(collection + "/" + key);
      }

      @Override
      public void putAll(String collection, Map<String, byte[]> values) {
        values.forEach((k, v) -> put(collection, k, v));
      }
    };
  }

  private static boolean same(Map<String, byte[]> a, Map<String, byte[]> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : a.entrySet()) {
      if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  static String diff(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    List<String> out = new ArrayList<>();
    Set<String> keys = new TreeSet<>(expected.keySet());
    keys.addAll(actual.keySet());
    for (String k : keys) {
      byte[] e = expected.get(k);
      byte[] a = actual.get(k);
      if (e == null) {
        out.add(k + " unexpected (" + a.length + " bytes)");
      } else if (a == null) {
        out.add(k + " missing (expected " + e.length + " bytes)");
      } else if (!Arrays.equals(e, a)) {
        out.add(k + " differs: expected " + KitSupport.hex(e) + ", found " + KitSupport.hex(a));
      }
    }
    return out.size() > 12 ? out.subList(0, 12) + " ... (" + out.size() + " differences)" : out.toString();
  }

  /**
   * Reads '\n'-terminated ASCII lines from a child's stdout; a last fragment without '\n' (a
   * torn write) is dropped.
   */
  static final class LineReader {
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

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
