package dev.cairn.conformance;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flips bytes in the real files of a store and checks that Cairn never returns wrong bytes.
 *
 * <p>The checker writes a known data set through the public API (inline values, deduplicated
 * blobs that are stored raw and compressed, a shared blob with several references, a large
 * value), closes the store and then runs trials, each on a fresh copy of the closed store: flip
 * one byte (XOR with a random non-zero mask) and reopen. <b>Targeted</b> trials flip a byte inside
 * a known value found in the files by its marker text (an inline payload, a blob's content) or
 * inside a record's key; <b>random</b> trials flip a byte anywhere in any file of the store. For
 * each trial, the outcome must be one of:
 *
 * <ul>
 *   <li>the open fails with a {@link StorageException} that has a message;
 *   <li>or every record reads back as its exact original bytes or raises
 *       {@link DataCorruptionException} (a {@link StorageException} from the backend with a
 *       message is accepted as well and counted apart), and if any read raised,
 *       {@link StorageAdmin#verify()} reports a problem. A record that a point read does not find,
 *       or a key nobody wrote in {@code keys()}, is allowed only if {@code verify()} reports a
 *       problem: a flipped byte in a key or in an index page can rename a record or hide it from
 *       lookups, which a lookup cannot tell from an absent key, but the full check must.
 * </ul>
 *
 * <p>One more outcome is accepted and counted ({@link Report#rolledBack()}): the store opens intact
 * at an earlier commit — exactly the latest writes are missing, everything else reads and
 * verifies. A backend that checksums its commits (H2's chunks) or keeps two meta pages (LMDB)
 * cannot tell a damaged newest commit from one torn by a crash, and recovers the previous one;
 * no store-internal check can tell that state from a store that never had those writes. The loss
 * is bounded: at most {@link Builder#maxRolledBackCommits(int)} newest commits (default 1), and
 * never every record — a backend that answers damage by starting an empty store, or by falling
 * back many commits, fails.
 *
 * <p>Every regular file of the store directory is damaged, at any depth (except the engine's
 * {@code cairn.lock}); flips name files by their path relative to the store.
 *
 * <p>Violations: wrong bytes returned, any other exception type (NPE, IndexOutOfBounds, ...), a
 * record lost or renamed without {@code verify()} noticing, more than the allowed newest commits
 * gone, a detected corruption that
 * {@code verify()} misses. All trials run; {@link Builder#run()} then throws an {@link AssertionError} listing
 * every violation with the file, offset and mask to replay it.
 *
 * <pre>{@code
 * CorruptionChecker.Report r = CorruptionChecker.builder("rocks", tempDir)
 *     .codec("zstd")
 *     .randomFlips(100)
 *     .run();
 * }</pre>
 *
 * <p>Trials run in this JVM: a backend whose native code crashes on a corrupt file takes the
 * JVM down with it (which the test run reports as a crashed fork, never as a pass).
 */
public final class CorruptionChecker {

  private static final Logger LOG = LoggerFactory.getLogger(CorruptionChecker.class);
  static final String COLLECTION = "corrupt";

  private final Builder config;
  private final Map<String, byte[]> expected = new LinkedHashMap<>();

  private CorruptionChecker(Builder config) {
    this.config = config;
  }

  /**
   * A checker for the backend registered as {@code backend}, working in {@code workDir}.
   *
   * @param backend the backend's registered name
   * @param workDir an empty directory for the pristine store and the damaged copies
   * @return a builder of the checker
   */
  public static Builder builder(String backend, Path workDir) {
    return new Builder(backend, workDir);
  }

  /**
   * A checker for the backend of a provider class that need not be registered with
   * {@link java.util.ServiceLoader} (created through its no-argument constructor).
   *
   * @param provider the backend provider's class
   * @param workDir an empty directory for the pristine store and the damaged copies
   * @return a builder of the checker
   */
  public static Builder builder(
      Class<? extends dev.cairn.storage.spi.BackendProvider> provider, Path workDir) {
    return new Builder(KitSupport.PROVIDER_CLASS + provider.getName(), workDir);
  }

  /**
   * One byte flip: {@code file} (relative to the store), offset and XOR mask.
   *
   * @param file the damaged file, relative to the store's directory
   * @param offset the position of the flipped byte in the file
   * @param mask the XOR mask applied to it, 1 to 255
   * @param target what the byte belonged to: a marked key or value of the data set, or {@code
   *     random}
   */
  public record Flip(String file, long offset, int mask, String target) {
    @Override
    public String toString() {
      return "flip " + file + "@" + offset + " ^0x" + Integer.toHexString(mask) + " (" + target + ")";
    }
  }

  /**
   * What the trials found.
   *
   * @param seed the seed of the data and the flip positions
   * @param trials trials run
   * @param openFailed trials whose open failed with a clear {@link StorageException}
   * @param trialsDetected trials in which at least one read raised {@link DataCorruptionException}
   * @param trialsUnaffected trials in which every read returned the original bytes
   * @param readsDetected reads that raised {@link DataCorruptionException}
   * @param readsBackendError reads that raised another {@link StorageException}
   * @param targetedValueFlips targeted trials inside a value that found it damaged
   * @param lostButVerified trials in which point reads missed records (a damaged key or index:
   *     a lookup cannot tell a lost key from an absent one) and {@code verify()} reported it
   * @param rolledBack trials in which the store opened intact at an earlier commit (the latest
   *     writes missing, nothing else wrong): the backend took the damaged newest commit for a
   *     torn write and recovered the one before, as after a crash
   * @param violations what went wrong, one line each (empty when the backend passed)
   */
  public record Report(long seed, int trials, int openFailed, int trialsDetected,
      int trialsUnaffected, long readsDetected, long readsBackendError, int targetedValueFlips,
      int lostButVerified, int rolledBack, List<String> violations) {}

  /** Configures a {@link CorruptionChecker}. */
  public static final class Builder {
    private final String backend;
    private final Path workDir;
    private String codec = "identity";
    private final Map<String, String> backendOptions = new LinkedHashMap<>();
    private int randomFlips = 100;
    private int targetedFlips = 40;
    private int maxRolledBackCommits = 1;
    private long seed = KitSupport.SEED;

    private Builder(String backend, Path workDir) {
      this.backend = Objects.requireNonNull(backend, "backend");
      this.workDir = Objects.requireNonNull(workDir, "workDir").toAbsolutePath();
    }

    /**
     * The codec by name (default {@code identity}).
     *
     * @param name a codec registered for {@link java.util.ServiceLoader}
     * @return this builder
     */
    public Builder codec(String name) {
      this.codec = Objects.requireNonNull(name, "codec");
      return this;
    }

    /**
     * A backend option for every open.
     *
     * @param key the option's key, with the backend's prefix
     * @param value its value
     * @return this builder
     */
    public Builder backendOption(String key, String value) {
      backendOptions.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Trials flipping a byte at a random offset of a random file (default 100).
     *
     * @param n 0 or more
     * @return this builder
     */
    public Builder randomFlips(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("random flips must not be negative, got " + n);
      }
      this.randomFlips = n;
      return this;
    }

    /**
     * At most this many trials flipping a byte inside a known value or key (default 40).
     *
     * @param n 0 or more
     * @return this builder
     */
    public Builder targetedFlips(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("targeted flips must not be negative, got " + n);
      }
      this.targetedFlips = n;
      return this;
    }

    /**
     * How many of the newest commits a trial may find missing and still count as a roll-back to
     * an earlier commit rather than a loss (default 1: the damaged newest commit, taken for one
     * torn by a crash, as H2 and LMDB do). More missing commits, or every record gone, is a
     * violation: a backend must not answer damage by silently dropping data.
     *
     * @param commits 0 or more
     * @return this builder
     */
    public Builder maxRolledBackCommits(int commits) {
      if (commits < 0) {
        throw new IllegalArgumentException(
            "max rolled-back commits must not be negative, got " + commits);
      }
      this.maxRolledBackCommits = commits;
      return this;
    }

    /**
     * The seed (default: the kit's seed, {@code -Dcairn.conformance.seed}).
     *
     * @param seed any value; the same seed replays the same data set and flips
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Runs every trial and returns the report, or throws listing every violation.
     *
     * @return what every trial found, when no trial found a violation
     */
    public Report run() {
      Report r = new CorruptionChecker(this).runAll();
      if (!r.violations().isEmpty()) {
        throw new AssertionError("[corruption checker " + backend + "/" + codec + ", seed="
            + seed + " (replay with -D" + KitSupport.SEED_PROPERTY + "=" + seed + ")] "
            + r.violations().size() + " of " + r.trials() + " trials violated the contract:\n  "
            + String.join("\n  ", r.violations()));
      }
      return r;
    }

    /**
     * Runs every trial and returns the report without failing on violations.
     *
     * @return what every trial found, violations included
     */
    public Report report() {
      return new CorruptionChecker(this).runAll();
    }
  }

  // ------------------------------------------------------------------------------ data set

  private Storage open(Path dir) {
    StorageBuilder b = KitSupport.selectBackend(Storage.builder(), config.backend).directory(dir)
        .codec(config.codec).noScheduledMaintenance().dictionaryTrainingSamples(0);
    config.backendOptions.forEach(b::backendOption);
    return b.open();
  }

  private static byte[] marker(String kind, int i) {
    return String.format("~CAIRN~%s%03d~", kind, i).getBytes(StandardCharsets.US_ASCII);
  }

  private static void stamp(byte[] v, byte[] marker, int every) {
    for (int at = 0; at + marker.length <= v.length; at += every) {
      System.arraycopy(marker, 0, v, at, marker.length);
    }
  }

  /** Writes the data set; returns the markers to search for, by what they mark. */
  private Map<String, byte[]> writeDataSet(Path dir, Random rnd) {
    Map<String, byte[]> markers = new LinkedHashMap<>();
    for (int i = 0; i < 16; i++) {
      byte[] v = new byte[20 + rnd.nextInt(40)]; // below the inline threshold of 64
      Arrays.fill(v, (byte) '.');
      stamp(v, marker("I", i), v.length);
      expected.put(String.format("inline-%03d", i), v);
      markers.put("inline value " + i, marker("I", i));
    }
    for (int i = 0; i < 12; i++) {
      byte[] v = KitSupport.randomBytes(rnd, 200 + rnd.nextInt(6000)); // incompressible: raw blob
      stamp(v, marker("B", i), 97);
      expected.put(String.format("blob-%03d", i), v);
      markers.put("raw blob " + i, marker("B", i));
    }
    for (int i = 0; i < 8; i++) {
      byte[] v = KitSupport.compressibleBytes(rnd, 2000 + rnd.nextInt(20_000));
      stamp(v, marker("Z", i), 1000);
      expected.put(String.format("zblob-%03d", i), v);
      markers.put("compressible blob " + i, marker("Z", i));
    }
    for (int i = 0; i < 4; i++) { // shares blob-000's content: one blob, five references
      expected.put("dup-" + i, expected.get("blob-000"));
    }
    byte[] big = KitSupport.randomBytes(rnd, 150_000);
    stamp(big, marker("L", 0), 4096);
    expected.put("big", big);
    markers.put("large blob", marker("L", 0));
    for (String k : expected.keySet()) {
      markers.put("key " + k,
          (COLLECTION + "\0" + k).getBytes(StandardCharsets.UTF_8));
    }
    try (Storage s = open(dir)) {
      // one transaction per record: a store with history, like a real one
      expected.forEach((k, v) -> s.putBytes(COLLECTION, k, v));
      StorageAdmin.VerificationReport v = s.admin().verify();
      if (!v.ok()) {
        throw new AssertionError("the pristine store does not verify: " + v.problems());
      }
    }
    return markers;
  }

  // -------------------------------------------------------------------------------- trials

  private Report runAll() {
    Random rnd = new Random(config.seed ^ 0x6A09E667F3BCC909L);
    Path pristine = config.workDir.resolve("pristine");
    Map<String, byte[]> markers = writeDataSet(pristine, rnd);
    List<String> files = storeFiles(pristine);
    List<Flip> flips = new ArrayList<>();
    List<Flip> rest = new ArrayList<>();
    Map<String, Flip> newest = new LinkedHashMap<>();
    for (String f : files) {
      byte[] content = read(pristine.resolve(f));
      markers.forEach((what, m) -> {
        for (int at = indexOf(content, m, 0); at >= 0; at = indexOf(content, m, at + 1)) {
          Flip flip = new Flip(f, at + rnd.nextInt(m.length), 1 + rnd.nextInt(255), what);
          Flip older = newest.put(what, flip);
          if (older != null) {
            rest.add(older);
          }
        }
      });
    }
    // one flip per marked thing first (so every kind is covered), at its last occurrence: in
    // append-only layouts (H2's chunks, a WAL) earlier copies are often superseded history,
    // where a flip cannot show; then the other occurrences
    flips.addAll(newest.values());
    Collections.shuffle(flips, rnd);
    Collections.shuffle(rest, rnd);
    if (flips.size() > config.targetedFlips) {
      Collections.shuffle(flips, rnd);
      flips.subList(config.targetedFlips, flips.size()).clear();
    }
    flips.addAll(rest.subList(0, Math.min(rest.size(), config.targetedFlips - flips.size())));
    long total = 0;
    long[] sizes = new long[files.size()];
    for (int i = 0; i < files.size(); i++) {
      sizes[i] = size(pristine.resolve(files.get(i)));
      total += sizes[i];
    }
    for (int n = 0; n < config.randomFlips && total > 0; n++) {
      long pos = (long) (rnd.nextDouble() * total);
      int i = 0;
      while (pos >= sizes[i]) {
        pos -= sizes[i++];
      }
      flips.add(new Flip(files.get(i), pos, 1 + rnd.nextInt(255), "random"));
    }
    LOG.info("corruption checker {}/{}: {} trials over {} ({} bytes), seed {}", config.backend,
        config.codec, flips.size(), files, total, config.seed);
    Tally tally = new Tally();
    int trial = 0;
    for (Flip flip : flips) {
      Path copy = config.workDir.resolve("trial-" + trial++);
      copyStore(pristine, copy);
      apply(copy, flip);
      trial(copy, flip, tally);
      KitSupport.deleteTree(copy);
    }
    return new Report(config.seed, flips.size(), tally.openFailed, tally.trialsDetected,
        tally.unaffected, tally.readsDetected, tally.readsBackend, tally.targetedValueDetected,
        tally.lostButVerified, tally.rolledBack, List.copyOf(tally.violations));
  }

  private static final class Tally {
    int openFailed;
    int trialsDetected;
    int unaffected;
    long readsDetected;
    long readsBackend;
    int targetedValueDetected;
    int lostButVerified;
    int rolledBack;
    final List<String> violations = new ArrayList<>();
  }

  private void trial(Path dir, Flip flip, Tally tally) {
    Storage s;
    try {
      s = open(dir);
    } catch (StorageException e) {
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        tally.violations.add(flip + ": open failed with " + e.getClass().getName() + " without a message");
      } else {
        tally.openFailed++;
      }
      return;
    } catch (RuntimeException | Error e) {
      tally.violations.add(flip + ": open threw " + e + " (not a StorageException)" + where(e));
      return;
    }
    List<String> problems = new ArrayList<>();
    List<String> lost = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    boolean extraKeys = false;
    int detected = 0;
    int backend = 0;
    try {
      for (Map.Entry<String, byte[]> e : expected.entrySet()) {
        try {
          Optional<byte[]> v = s.getBytes(COLLECTION, e.getKey());
          if (v.isEmpty()) {
            lost.add(e.getKey() + " missing");
            missing.add(e.getKey());
          } else if (!Arrays.equals(v.get(), e.getValue())) {
            problems.add("record " + e.getKey() + " returned WRONG BYTES: expected "
                + KitSupport.hex(e.getValue()) + ", got " + KitSupport.hex(v.get()));
          }
        } catch (DataCorruptionException ex) {
          detected++;
        } catch (StorageException ex) {
          if (ex.getMessage() == null || ex.getMessage().isBlank()) {
            problems.add("reading " + e.getKey() + " threw " + ex.getClass().getName()
                + " without a message");
          }
          backend++;
        } catch (RuntimeException | Error ex) {
          problems.add("reading " + e.getKey() + " threw " + ex + " (not a StorageException)"
              + where(ex));
        }
      }
      try (Stream<String> keys = s.keys(COLLECTION, "")) {
        Set<String> listed = new TreeSet<>(keys.toList());
        Set<String> extra = new TreeSet<>(listed);
        extra.removeAll(expected.keySet());
        if (!extra.isEmpty()) {
          lost.add("keys nobody wrote listed " + extra);
          extraKeys = true;
        }
      } catch (StorageException ex) {
        backend++; // a scan that hits the damage may fail clearly
      } catch (RuntimeException | Error ex) {
        problems.add("keys() threw " + ex + " (not a StorageException)");
      }
      if (detected > 0 || !lost.isEmpty()) {
        try {
          StorageAdmin.VerificationReport v = s.admin().verify();
          if (v.ok() && detected > 0) {
            problems.add(detected + " reads raised DataCorruptionException but verify() found no problem");
          }
          boolean rollBack = v.ok() && !lost.isEmpty() && !extraKeys && detected == 0
              && backend == 0 && isLatestWrites(missing);
          if (rollBack && missing.size() <= config.maxRolledBackCommits
              && missing.size() < expected.size()) {
            // the store opened at an earlier commit: see the class comment
            tally.rolledBack++;
          } else if (rollBack) {
            problems.add("the store opened without its newest " + missing.size() + " of "
                + expected.size() + " records (one commit each) and verify() found no problem:"
                + " data silently dropped, more than the " + config.maxRolledBackCommits
                + " newest commit(s) a backend may roll back after damage");
          } else if (v.ok() && !lost.isEmpty()) {
            problems.add("records silently lost or renamed, and verify() found no problem: " + lost);
          }
          if (!v.ok() && !lost.isEmpty()) {
            tally.lostButVerified++;
          }
        } catch (StorageException ex) {
          // the backend failed while scanning: clear enough
        } catch (RuntimeException | Error ex) {
          problems.add("verify() threw " + ex + " (not a StorageException)");
        }
      }
    } finally {
      try {
        s.close();
      } catch (StorageException ex) {
        // closing a damaged store may fail clearly
      } catch (RuntimeException | Error ex) {
        problems.add("close() threw " + ex + " (not a StorageException)");
      }
    }
    tally.readsDetected += detected;
    tally.readsBackend += backend;
    if (detected + backend > 0 || !lost.isEmpty()) {
      tally.trialsDetected++;
      if (!flip.target().equals("random") && !flip.target().startsWith("key ")) {
        tally.targetedValueDetected++;
      }
    } else if (problems.isEmpty()) {
      tally.unaffected++;
    }
    for (String p : problems) {
      tally.violations.add(flip + ": " + p);
    }
  }

  /** The top frames of an unexpected exception, to find the code that let it through. */
  private static String where(Throwable e) {
    StackTraceElement[] st = e.getStackTrace();
    StringBuilder b = new StringBuilder(" at");
    for (int i = 0; i < Math.min(8, st.length); i++) {
      b.append("\n      ").append(st[i]);
    }
    return b.toString();
  }

  /** Whether {@code missing} are exactly the last records written (one commit each). */
  private boolean isLatestWrites(List<String> missing) {
    List<String> order = new ArrayList<>(expected.keySet());
    return order.subList(order.size() - missing.size(), order.size()).equals(missing);
  }

  // ------------------------------------------------------------------------------- files

  /**
   * The store's files to damage, as paths relative to the store directory with {@code /} between
   * names: every regular file at any depth, except the engine's lock file.
   */
  static List<String> storeFiles(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString().replace(java.io.File.separatorChar, '/'))
          .filter(n -> !n.equals("cairn.lock"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyStore(Path from, Path to) {
    try {
      Files.createDirectories(to);
      for (String f : storeFiles(from)) {
        Path target = to.resolve(f);
        Files.createDirectories(target.getParent());
        Files.copy(from.resolve(f), target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void apply(Path dir, Flip flip) {
    try (var ch = java.nio.channels.FileChannel.open(dir.resolve(flip.file()),
        java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
      ch.read(b, flip.offset());
      b.put(0, (byte) (b.get(0) ^ flip.mask()));
      b.rewind();
      ch.write(b, flip.offset());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
