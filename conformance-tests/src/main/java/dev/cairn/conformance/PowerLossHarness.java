package dev.cairn.conformance;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulates power losses under a store: it finds acknowledged {@code SYNC}/{@code GROUP} commits
 * that a backend never really forced to disk, which {@link CrashHarness} cannot, because a
 * {@code kill -9} keeps the operating system's page cache.
 *
 * <p><b>Record.</b> A child JVM writes the {@link CrashHarness} workload (single puts and
 * deletes, batches, transactions across collections, transfers; values from empty to 128 KiB,
 * deduplicated and not) into the store, with an LD_PRELOAD recorder under it: a small C library
 * (a resource of this kit, compiled with the machine's {@code cc}) that passes every call through
 * to libc and logs, for files under the store directory, every data write with its offset and
 * bytes, truncate and fallocate, fsync/fdatasync of files and of the directory, sync, msync,
 * creates, renames, unlinks and mkdirs, in the order the kernel executed them. It reaches
 * native writers (sqlite-jdbc, LMDB) as well as the JDK's. The child's acknowledgements (a line
 * on stdout after each write call returned) are logged into the same stream, so each has a
 * position among the file operations.
 *
 * <p><b>Replay.</b> Offline, for a crash point {@code k} (a position in the log), the harness
 * builds the directory a power loss at {@code k} could leave: the snapshot taken before the child
 * started, plus every operation that was durable at {@code k} (a write followed by an fsync of
 * its file, a directory entry followed by an fsync of its directory), plus, per
 * {@link FaultMode}, none, all, a torn prefix or a random subset of the others. It opens each
 * such state in this JVM with a fresh {@link Storage} and checks that every commit acknowledged
 * before {@code k} is there (each writer thread's records equal its state after the acknowledged
 * steps, or after one more step that was in flight), that no read raises
 * {@link DataCorruptionException}, that no record belongs to nobody, and that
 * {@link StorageAdmin#verify()} reports nothing. Crash points: every sync point (just before and
 * just after each fsync), just after every acknowledgement, the ends, and a seeded random sample;
 * at each, {@link FaultMode#LOSE_UNSYNCED} and {@link FaultMode#KEEP_UNSYNCED} plus
 * {@link Builder#randomStatesPerCrashPoint random} torn and reordered states. Equal states are
 * opened once.
 *
 * <p><b>Sessions.</b> The first session creates the store and stops without closing it (as if the
 * process died), the second reopens that store (crash recovery) and closes it cleanly, the third
 * reopens a cleanly closed store, and so on; each is recorded and replayed on its own, from the
 * directory the previous one left.
 *
 * <pre>{@code
 * PowerLossHarness.Report r = PowerLossHarness.builder("rocks", tempDir.resolve("store"))
 *     .durability(Durability.SYNC)
 *     .run(); // AssertionError naming the seed, crash point, fault and loss
 * }</pre>
 *
 * <p>What it cannot see: it trusts the kernel's fsync and the disk's cache flush; bytes stored
 * through a shared writable memory mapping (a file that is msync'd after such writes is reported
 * as a violation, since the model would be wrong); calls libc makes internally (stdio), raw
 * {@code syscall(2)}, io_uring, hard and symbolic links, and files moved into or out of the
 * directory. Linux only (skipped elsewhere); without a C compiler it fails. The store directory
 * itself is created before the first session: its own entry in its parent is assumed durable.
 */
public final class PowerLossHarness {

  private static final Logger LOG = LoggerFactory.getLogger(PowerLossHarness.class);

  /** System property: a factor for the steps per session and the random crash points. */
  public static final String SCALE_PROPERTY = "cairn.powerloss.scale";

  private static final int DETAILED_VIOLATIONS = 6;
  private static final int KEPT_FAILURE_STATES = 3;

  /** What happens to the operations that were not durable at the crash point. */
  public enum FaultMode {
    /** All are lost: every unsynced write, truncate and directory entry. A clean power cut. */
    LOSE_UNSYNCED,
    /** None is lost: the state a {@code kill -9} leaves. Checks the recovery itself. */
    KEEP_UNSYNCED,
    /**
     * Per file, the unsynced operations survive in order up to a random one, which is torn: only
     * a prefix of it up to a 512 B or 4 KiB boundary reached the disk. Per directory, a random
     * prefix of the unsynced entry changes survives.
     */
    TORN_PREFIX,
    /**
     * Per file, a random subset of the unsynced operations survives (a later write without an
     * earlier one), a quarter of them torn. Per directory, a random prefix of the unsynced entry
     * changes survives.
     */
    REORDERED
  }

  /**
   * What a run did.
   *
   * @param seed the seed of the workload and the random crash points and states
   * @param sessions recorded child runs
   * @param acknowledged steps acknowledged over all sessions and threads
   * @param operations file operations recorded
   * @param syncPoints operations after which more was durable (fsync, fdatasync, O_DSYNC writes)
   * @param crashPoints crash points replayed
   * @param states crash states built
   * @param distinctStates different states among them, each opened and checked
   * @param tornWrites writes torn at a sector boundary, over all states
   * @param droppedOperations unsynced data operations lost, over all states
   * @param undoneDirectoryOperations unsynced directory entry changes undone, over all states
   * @param mappedFiles files the backend wrote through a shared writable mapping (their mapped
   *     bytes are not modelled; fine for rebuildable files such as LMDB's {@code lock.mdb} or
   *     SQLite's {@code -shm})
   * @param elapsed wall time of the run
   */
  public record Report(long seed, int sessions, long acknowledged, long operations,
      long syncPoints, long crashPoints, long states, long distinctStates, long tornWrites,
      long droppedOperations, long undoneDirectoryOperations, Set<String> mappedFiles,
      Duration elapsed) {}

  private final Builder config;
  private final ChildJvm jvm;
  private final Path work;
  private final WorkloadModel model;
  private final List<String> violations = new ArrayList<>();
  private final Map<String, Integer> violationsByKind = new TreeMap<>();
  private int violationCount;
  private long acknowledged;
  private long operations;
  private long syncPoints;
  private long crashPoints;
  private long states;
  private long distinctStates;
  private long tornWrites;
  private long droppedOperations;
  private long undoneDirectoryOperations;
  private final Set<String> mappedFiles = new TreeSet<>();

  private PowerLossHarness(Builder config) {
    this.config = config;
    this.jvm = config.child;
    this.work = jvm.directory.resolveSibling(jvm.directory.getFileName() + "-powerloss");
    this.model = new WorkloadModel(jvm.seed, jvm.writerThreads);
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
   * {@link java.util.ServiceLoader}: the child JVM and the checks create it through its
   * no-argument constructor (of any visibility), as {@code ServiceLoader} would.
   *
   * @param provider the backend provider's class
   * @param directory the store's directory: absent or empty
   * @return a builder of the harness
   */
  public static Builder builder(
      Class<? extends dev.cairn.storage.spi.BackendProvider> provider, Path directory) {
    return builder(KitSupport.PROVIDER_CLASS + provider.getName(), directory);
  }


  /** Configures a {@link PowerLossHarness}; every setter validates at once. */
  public static final class Builder {
    private final ChildJvm child;
    private int sessions = 3;
    private int stepsPerSession = 8;
    private int randomCrashPoints = 8;
    private int randomStatesPerCrashPoint = 2;
    private Duration sessionTimeout = Duration.ofSeconds(120);

    private Builder(String backend, Path directory) {
      this.child = new ChildJvm(backend, directory, 16);
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
     * A backend option passed to the store in the child and in every checked state.
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
     * @param n 1 to 16
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public Builder writerThreads(int n) {
      child.writerThreads(n);
      return this;
    }

    /**
     * Recorded child runs (default 3): the first creates the store and dies without closing it,
     * the second recovers it and closes it, the third reopens a closed store, and so on.
     *
     * @param n 1 to 100
     * @return this builder
     */
    public Builder sessions(int n) {
      if (n < 1 || n > 100) {
        throw new IllegalArgumentException("sessions must be in 1..100, got " + n);
      }
      this.sessions = n;
      return this;
    }

    /**
     * Steps each writer thread writes per session (default 8; multiplied by
     * {@code -Dcairn.powerloss.scale}).
     *
     * @param n 1 to 100,000
     * @return this builder
     */
    public Builder stepsPerSession(int n) {
      if (n < 1 || n > 100_000) {
        throw new IllegalArgumentException("steps per session must be in 1..100000, got " + n);
      }
      this.stepsPerSession = n;
      return this;
    }

    /**
     * Crash points per session drawn at random, besides every sync point, every
     * acknowledgement and the ends (default 8; multiplied by {@code -Dcairn.powerloss.scale}).
     *
     * @param n 0 or more
     * @return this builder
     */
    public Builder randomCrashPoints(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("random crash points must not be negative, got " + n);
      }
      this.randomCrashPoints = n;
      return this;
    }

    /**
     * Random fault states per crash point, alternately {@link FaultMode#TORN_PREFIX} and
     * {@link FaultMode#REORDERED}, besides the two fixed ones (default 2).
     *
     * @param n 0 to 1000
     * @return this builder
     */
    public Builder randomStatesPerCrashPoint(int n) {
      if (n < 0 || n > 1000) {
        throw new IllegalArgumentException("random states per crash point must be in 0..1000, got "
            + n);
      }
      this.randomStatesPerCrashPoint = n;
      return this;
    }

    /**
     * A child that has not finished its session within this fails the run (default 120 s).
     *
     * @param d a positive duration
     * @return this builder
     */
    public Builder sessionTimeout(Duration d) {
      Objects.requireNonNull(d, "session timeout");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("session timeout must be positive, got " + d);
      }
      this.sessionTimeout = d;
      return this;
    }

    /**
     * The seed of the workload, the random crash points and states (default: the kit's).
     *
     * @param seed any value; the same seed replays the same workload, crash points and states
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
     * Records every session and checks every crash state. On success the work directory
     * ({@code <directory>-powerloss}, next to the store) is deleted; on failure it keeps the op
     * logs, the children's output and the first failing states.
     *
     * @return what the run did
     * @throws AssertionError listing the violations, naming the seed, crash point and fault
     * @throws IllegalStateException if the directory is not empty, the C compiler is missing or
     *     the recorder cannot follow what the backend did
     * @throws org.opentest4j.TestAbortedException (a JUnit skip) if this is not Linux
     */
    public Report run() {
      return new PowerLossHarness(this).runAll();
    }
  }

  // ------------------------------------------------------------------------------- the run

  private String context() {
    return "[power-loss harness " + jvm.describe()
        + (jvm.writerThreads > 1 ? " x" + jvm.writerThreads + " threads" : "") + ", seed="
        + jvm.seed + " (replay with -D" + KitSupport.SEED_PROPERTY + "=" + jvm.seed + ")] ";
  }

  private Report runAll() {
    long started = System.nanoTime();
    Path library = PowerLossRecorder.library();
    int scale = Integer.getInteger(SCALE_PROPERTY, 1);
    if (scale < 1) {
      throw new IllegalArgumentException("-D" + SCALE_PROPERTY + " must be at least 1, got " + scale);
    }
    int steps = config.stepsPerSession * scale;
    int randomPoints = config.randomCrashPoints * scale;
    Path dir = jvm.directory;
    String root;
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          if (s.findAny().isPresent()) {
            throw new IllegalStateException("the power-loss harness starts from an empty store"
                + " directory; " + dir + " is not empty");
          }
        }
      }
      Files.createDirectories(dir);
      root = dir.toRealPath().toString();
      KitSupport.deleteTree(work);
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare " + dir + " and " + work + ": " + e, e);
    }
    LOG.info("power-loss harness on {}: {} session(s) of {} step(s) x {} thread(s), seed {}",
        jvm.describe(), config.sessions, steps, jvm.writerThreads, jvm.seed);
    long[] committed = new long[jvm.writerThreads];
    for (int s = 0; s < config.sessions; s++) {
      boolean close = s % 2 == 1;
      Map<String, PowerLossStates.BaseEntry> base = snapshot(dir);
      OpLog log = record(s, library, committed, steps, close);
      PowerLossStates fs;
      try {
        fs = new PowerLossStates(log, root, base);
      } catch (IllegalStateException e) {
        throw new IllegalStateException(context() + "session " + (s + 1) + ": the recorded"
            + " operations cannot be modelled: " + e.getMessage(), e);
      }
      mappedFiles.addAll(fs.mappedFiles);
      if (!fs.msyncedMappedFiles.isEmpty()) {
        violation("the backend msyncs " + fs.msyncedMappedFiles + " after writing through a"
            + " shared writable mapping; the harness cannot see such writes, so its states would"
            + " be wrong. Use a configuration that writes with write/pwrite (LMDB: no"
            + " MDB_WRITEMAP)");
      } else {
        for (int t = 0; t < jvm.writerThreads; t++) {
          model.extendTo(t, committed[t] + steps);
        }
        replay(s, log, fs, committed, steps, randomPoints);
      }
      for (int t = 0; t < committed.length; t++) {
        committed[t] += steps;
      }
      operations += log.ops.size();
    }
    Report r = new Report(jvm.seed, config.sessions, acknowledged, operations, syncPoints,
        crashPoints, states, distinctStates, tornWrites, droppedOperations,
        undoneDirectoryOperations, Set.copyOf(mappedFiles),
        Duration.ofNanos(System.nanoTime() - started));
    if (violationCount > 0) {
      throw new AssertionError(context() + violationCount + " violation(s) " + violationsByKind
          + " in " + r + ":\n  " + String.join("\n  ", violations)
          + (violationCount > violations.size()
              ? "\n  ... and " + (violationCount - violations.size()) + " more" : "")
          + "\nOp logs, child output and the first failing states are in " + work);
    }
    KitSupport.deleteTree(work);
    LOG.info("power-loss harness on {} passed: {}", jvm.describe(), r);
    return r;
  }

  /** Every file and directory under {@code dir}, with inode numbers and contents. */
  private static Map<String, PowerLossStates.BaseEntry> snapshot(Path dir) {
    Map<String, PowerLossStates.BaseEntry> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String rel = dir.relativize(p).toString();
        long ino = ((Number) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS))
            .longValue();
        boolean isDir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
        out.put(rel, new PowerLossStates.BaseEntry(ino, isDir, isDir ? null : Files.readAllBytes(p)));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot snapshot " + dir + ": " + e, e);
    }
    return out;
  }

  /** Runs one child session under the recorder and returns its op log. */
  private OpLog record(int session, Path library, long[] starts, int steps, boolean close) {
    Path logFile = work.resolve("ops-" + (session + 1) + ".log");
    Path out = work.resolve("child-" + (session + 1) + ".out");
    Path err = work.resolve("child-" + (session + 1) + ".err");
    Path tmp = work.resolve("tmp");
    Process child;
    try {
      Files.createDirectories(tmp);
      Files.deleteIfExists(logFile);
      Files.createFile(logFile);
      ProcessBuilder pb = new ProcessBuilder(command(starts, steps, close, tmp))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      Map<String, String> env = pb.environment();
      String preload = env.get("LD_PRELOAD");
      env.put("LD_PRELOAD", library + (preload == null || preload.isBlank() ? "" : ":" + preload));
      env.put("CAIRN_POWERLOSS_DIR", jvm.directory.toRealPath().toString());
      env.put("CAIRN_POWERLOSS_LOG", logFile.toString());
      env.put("CAIRN_POWERLOSS_MARK_FD", "1");
      child = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException(context() + "cannot start the child JVM: " + e, e);
    }
    try {
      if (!child.waitFor(config.sessionTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
        throw new AssertionError(context() + "session " + (session + 1) + " did not finish "
            + steps + " steps within " + config.sessionTimeout + "; its stderr:\n"
            + ChildJvm.tail(err));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.destroyForcibly();
      throw new IllegalStateException(context() + "interrupted", e);
    }
    if (child.exitValue() != 0) {
      throw new AssertionError(context() + "session " + (session + 1) + ": the child exited with "
          + child.exitValue() + (child.exitValue() == 97 ? " (the recorder failed)" : "")
          + "; its stderr:\n" + ChildJvm.tail(err));
    }
    try {
      OpLog log = OpLog.read(logFile);
      if (log.ops.stream().noneMatch(op -> op.type() == OpLog.Type.MARK)) {
        throw new IllegalStateException(context() + "session " + (session + 1) + ": the recorder"
            + " logged no acknowledgement, so LD_PRELOAD of " + library + " did not take effect"
            + " in the child JVM; its stderr:\n" + ChildJvm.tail(err));
      }
      return log;
    } catch (IOException e) {
      throw new IllegalStateException(context() + "cannot read the op log " + logFile + ": " + e, e);
    }
  }

  private List<String> command(long[] starts, int steps, boolean close, Path tmp) {
    return jvm.command(starts, List.of(
        // native libraries extracted by sqlite-jdbc and lmdbjava land here and go with the work dir
        "-Djava.io.tmpdir=" + tmp,
        "-D" + CrashWriter.STEPS_PROPERTY + "=" + steps,
        "-D" + CrashWriter.END_PROPERTY + "=" + (close ? "close" : "halt")));
  }

  // ---------------------------------------------------------------------------- the replay

  /** An acknowledgement: thread {@code t} finished step {@code step} before operation index. */
  private record Ack(int index, int thread, long step) {}

  /** What a crash state holds: an error, or per thread the step counts it matches. */
  private record Outcome(String error, List<List<Integer>> matches,
      List<Map<String, byte[]>> unmatched) {}

  private void replay(int s, OpLog log, PowerLossStates fs, long[] committed, int steps,
      int randomPoints) {
    int n = log.ops.size();
    List<Ack> acks = new ArrayList<>();
    int readyAt = -1;
    int endAt = -1;
    for (OpLog.Op op : log.ops) {
      if (op.type() != OpLog.Type.MARK) {
        continue;
      }
      for (String line : log.text(op).split("\n")) {
        if (line.startsWith("ack ")) {
          String[] p = line.split(" ");
          acks.add(new Ack(op.index(), Integer.parseInt(p[1]), Long.parseLong(p[2])));
        } else if (line.equals("ready")) {
          readyAt = op.index();
        } else if (line.equals("done") || line.equals("closed")) {
          endAt = op.index();
        }
      }
    }
    long[] next = committed.clone();
    for (Ack a : acks) {
      if (a.step() != next[a.thread()]) {
        throw new AssertionError(context() + "session " + (s + 1) + ": thread " + a.thread()
            + " acknowledged step " + a.step() + " but step " + next[a.thread()] + " was next");
      }
      next[a.thread()]++;
    }
    for (int t = 0; t < next.length; t++) {
      if (next[t] != committed[t] + steps || readyAt < 0 || endAt < 0) {
        throw new AssertionError(context() + "session " + (s + 1) + ": the child did not"
            + " acknowledge all " + steps + " steps of thread " + t + " (ready at " + readyAt
            + ", end at " + endAt + ")");
      }
      acknowledged += steps;
    }
    TreeSet<Integer> points = new TreeSet<>(List.of(0, n));
    for (int i = 0; i < n; i++) {
      if (fs.isSyncPoint(i)) {
        syncPoints++;
        points.add(i);
        points.add(i + 1);
      }
    }
    acks.forEach(a -> points.add(a.index() + 1));
    points.add(readyAt + 1);
    points.add(endAt + 1);
    Random rnd = new Random(mix(jvm.seed, s, -1, -1));
    for (int i = 0; i < randomPoints; i++) {
      points.add(rnd.nextInt(n + 1));
    }
    Map<String, Outcome> cache = new HashMap<>();
    long[] acked = committed.clone();
    int nextAck = 0;
    for (int k : points) {
      while (nextAck < acks.size() && acks.get(nextAck).index() < k) {
        Ack a = acks.get(nextAck++);
        acked[a.thread()] = a.step() + 1;
      }
      crashPoints++;
      for (int v = 0; v < 2 + config.randomStatesPerCrashPoint; v++) {
        FaultMode mode = v == 0 ? FaultMode.LOSE_UNSYNCED
            : v == 1 ? FaultMode.KEEP_UNSYNCED
            : v % 2 == 0 ? FaultMode.TORN_PREFIX : FaultMode.REORDERED;
        long stateSeed = mix(jvm.seed, s, k, v);
        PowerLossStates.State st = fs.build(k, mode, new Random(stateSeed));
        states++;
        tornWrites += st.tornWrites;
        droppedOperations += st.droppedWrites;
        undoneDirectoryOperations += st.undoneDirectoryOperations;
        String hash = hash(st);
        Outcome o = cache.get(hash);
        if (o == null) {
          o = check(st);
          cache.put(hash, o);
          distinctStates++;
        }
        String problem = judge(o, acked);
        if (problem != null) {
          String where = "session " + (s + 1) + "/" + config.sessions + " ("
              + (s == 0 ? "new store" : s % 2 == 1 ? "recovers a crashed store, then closes it"
                  : "reopens a closed store")
              + "), power lost before op " + k + " of " + n + " ("
              + pointNote(log, k, acks, readyAt) + "), " + mode
              + (v >= 2 ? " (state seed " + stateSeed + ")" : "");
          String faults = st.faults.isEmpty() ? "nothing unsynced was lost"
              : String.join("; ", st.faults.subList(0, Math.min(8, st.faults.size())))
                  + (st.faults.size() > 8 ? "; ..." : "");
          Path kept = violationCount < KEPT_FAILURE_STATES
              ? work.resolve("failure-" + (violationCount + 1)) : null;
          if (kept != null) {
            writeState(st, kept);
          }
          violationsByKind.merge("session " + (s + 1) + " " + mode, 1, Integer::sum);
          violation(where + ": " + problem + "\n    at the crash: " + faults
              + (kept != null ? "\n    the crash state is kept in " + kept : ""));
        }
      }
    }
  }

  private void violation(String text) {
    violationCount++;
    if (violations.size() < DETAILED_VIOLATIONS) {
      violations.add(text);
    }
  }

  private static String pointNote(OpLog log, int k, List<Ack> acks, int readyAt) {
    if (k <= readyAt) {
      return "while the store was being opened";
    }
    Ack last = null;
    for (Ack a : acks) {
      if (a.index() < k) {
        last = a;
      }
    }
    String after = last == null ? "after the store opened, before the first acknowledgement"
        : "after the acknowledgement of step " + last.step() + " of thread " + last.thread();
    return k < log.ops.size() ? after + ", next: " + log.ops.get(k).type() : after
        + ", at the end";
  }

  private String judge(Outcome o, long[] acked) {
    if (o.error() != null) {
      return o.error();
    }
    List<String> problems = new ArrayList<>();
    for (int t = 0; t < acked.length; t++) {
      List<Integer> m = o.matches().get(t);
      long a = acked[t];
      if (m.stream().anyMatch(i -> i == a || i == a + 1)) {
        continue;
      }
      String what = a == 0 ? "no step was acknowledged"
          : "steps 0.." + (a - 1) + " were acknowledged";
      if (m.isEmpty()) {
        problems.add("thread " + t + ": " + what + ", but its records match the state after no"
            + " number of its steps (torn or partial commit); against the acknowledged state: "
            + CrashHarness.diff(model.state(t, (int) a), o.unmatched().get(t)));
      } else {
        int best = m.stream().filter(i -> i < a).max(Integer::compare).orElse(m.get(0));
        problems.add("thread " + t + ": " + what + ", but the store holds its state after "
            + best + " step(s): "
            + (best < a ? (a - best) + " acknowledged commit(s) LOST"
                : "commits that were never started are present"));
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  private static long mix(long seed, int session, int point, int variant) {
    long h = seed ^ 0x9E3779B97F4A7C15L * (session + 2) ^ 0xC2B2AE3D27D4EB4FL * (point + 2)
        ^ 0x165667B19E3779F9L * (variant + 2);
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    return h;
  }

  private static String hash(PowerLossStates.State st) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    st.entries.forEach((rel, content) -> {
      md.update(rel.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      if (content == null) {
        md.update((byte) 'd');
      } else {
        md.update((byte) 'f');
        md.update(java.nio.ByteBuffer.allocate(8).putLong(content.length).array());
        md.update(content);
      }
    });
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  private static void writeState(PowerLossStates.State st, Path target) {
    try {
      KitSupport.deleteTree(target);
      Files.createDirectories(target);
      for (Map.Entry<String, byte[]> e : st.entries.entrySet()) {
        Path p = e.getKey().isEmpty() ? target : target.resolve(e.getKey());
        if (e.getValue() == null) {
          Files.createDirectories(p);
        } else {
          Files.write(p, e.getValue());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a crash state to " + target + ": " + e, e);
    }
  }

  /** Opens the state with a fresh Storage in this JVM and reads everything. */
  private Outcome check(PowerLossStates.State st) {
    Path dir = work.resolve("state");
    writeState(st, dir);
    Storage storage;
    try {
      storage = jvm.reopen(dir).open();
    } catch (StorageException e) {
      return failed("the store does not open: " + e);
    } catch (RuntimeException e) {
      return failed("opening the store threw " + e + " (not a StorageException)");
    }
    try (storage) {
      List<List<Integer>> matches = new ArrayList<>();
      List<Map<String, byte[]>> unmatched = new ArrayList<>();
      for (int t = 0; t < jvm.writerThreads; t++) {
        Map<String, byte[]> actual = new TreeMap<>();
        String problem = jvm.readThread(storage, t, actual);
        if (problem != null) {
          return failed(problem);
        }
        List<Integer> m = model.stepsMatching(t, actual);
        matches.add(m);
        unmatched.add(m.isEmpty() ? actual : null);
      }
      String storeProblem = jvm.storeProblem(storage);
      if (storeProblem != null) {
        return failed(storeProblem);
      }
      return new Outcome(null, matches, unmatched);
    } catch (DataCorruptionException e) {
      return failed("DataCorruptionException: " + e.getMessage());
    } catch (StorageException e) {
      return failed("reading the recovered store failed: " + e);
    } catch (RuntimeException e) {
      return failed("reading the recovered store threw " + e + " (not a StorageException)");
    }
  }

  private static Outcome failed(String error) {
    return new Outcome(error, List.of(), List.of());
  }
}
