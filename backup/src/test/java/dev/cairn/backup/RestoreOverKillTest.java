package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin.VerificationReport;
import dev.cairn.storage.internal.Directories;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kill -9} during a loop of {@link BackupManager#restoreOver}: a child JVM
 * ({@link RestoreOverLoop}) restores two sets A and B over the store in turn; this JVM kills it
 * at a random point 50–1500 ms into the loop, reopens the directory with a plain
 * {@code Storage.builder()} (no backup module involved) and checks that the store holds exactly
 * A, B or the content it had before the first restore — never nothing, never a new empty store,
 * never a mix — that {@code admin().verify()} passes, and that no staging, old or journal entry
 * is left beside it. Every cycle runs; the failures are listed together at the end.
 *
 * <p>{@value #CYCLES_PROPERTY} sets the cycles per backend (default {@value #DEFAULT_CYCLES},
 * about a minute per backend on a loaded two-core machine); {@value #SEED_PROPERTY} replays the
 * kill delays of a failed run. The exact instant of a kill within a restore depends on timing.
 */
@Tag("slow")
final class RestoreOverKillTest {

  static final String CYCLES_PROPERTY = "cairn.restoreKill.cycles";
  static final String SEED_PROPERTY = "cairn.restoreKill.seed";
  static final int DEFAULT_CYCLES = 20;

  private static final Logger LOG = LoggerFactory.getLogger(RestoreOverKillTest.class);

  @TempDir
  Path tmp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sqlite", "lmdb", "h2"})
  void killedRestoreLeavesTheOldOrTheRestoredStoreNeverAnEmptyOne(String backend)
      throws Exception {
    long seed = Long.getLong(SEED_PROPERTY, new Random().nextLong());
    int cycles = Integer.getInteger(CYCLES_PROPERTY, DEFAULT_CYCLES);
    String context = "[" + backend + ", seed=" + seed + " (replay with -D" + SEED_PROPERTY + "="
        + seed + "), " + cycles + " cycles] ";
    Random rnd = new Random(seed);
    Path data = Files.createDirectories(tmp.resolve("data"));
    Path store = data.resolve("store");
    Path target = tmp.resolve("backups");
    Path work = tmp.resolve("work");
    Path pristine = tmp.resolve("pristine");

    // the sets A (native) and B (logical) and the content the store starts from
    BackupManager backups = BackupManager.builder().target(target).workDirectory(work).build();
    Map<String, Map<String, Fixtures.Content>> expected = new TreeMap<>();
    String setA;
    String setB;
    try (Storage s = Fixtures.open(backend, store)) {
      Fixtures.fill(s, 21, 150);
      expected.put("A", Fixtures.contents(s));
      setA = backups.backup(s, BackupKind.NATIVE).setId();
      Fixtures.fill(s, 22, 120);
      s.delete("small", "s-3");
      s.putBytes("only-b", "k", Fixtures.doc(7, 900));
      expected.put("B", Fixtures.contents(s));
      setB = backups.backup(s, BackupKind.LOGICAL).setId();
      Fixtures.fill(s, 23, 90);
      s.putBytes("only-original", "k", new byte[] {42});
      expected.put("original", Fixtures.contents(s));
    }
    copyTree(store, pristine);

    List<String> failures = new ArrayList<>();
    Map<String, Integer> found = new TreeMap<>();
    int restoresDone = 0;
    for (int cycle = 0; cycle < cycles; cycle++) {
      long delayMs = 50 + rnd.nextInt(1451);
      int restored = killOne(context + "cycle " + (cycle + 1) + ": ", store, backend, target,
          work, setA, setB, delayMs);
      restoresDone += restored;
      String outcome = check(store, backend, expected);
      if (outcome.startsWith("FAIL ")) {
        failures.add("cycle " + (cycle + 1) + " (killed " + delayMs + " ms in, after " + restored
            + " completed restores): " + outcome.substring(5));
        Directories.deleteTree(data); // start the next cycle from the original store again
        Files.createDirectories(data);
        copyTree(pristine, store);
      } else {
        found.merge(outcome, 1, Integer::sum);
      }
    }
    LOG.info("{}found {}; {} restores completed in all; {} failures", context, found,
        restoresDone, failures.size());
    assertThat(failures).as(context + "cycles whose reopened store was wrong").isEmpty();
  }

  /** Runs one child until killed; returns how many restores it completed. */
  private int killOne(String context, Path store, String backend, Path target, Path work,
      String setA, String setB, long delayMs) throws Exception {
    Path log = tmp.resolve("child.log");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        // lmdbjava's native library: a killed JVM leaves it behind, here in the test's own dir
        "-Djava.io.tmpdir=" + tmp,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        RestoreOverLoop.class.getName(),
        store.toString(), backend, target.toString(), work.toString(), setA, setB));
    Process child = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    Thread watchdog = new Thread(() -> {
      try {
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
          child.toHandle().destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "restore-kill-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    int restored = 0;
    boolean killed = false;
    String error = null;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.equals("ready") && !killed) {
          TimeUnit.MILLISECONDS.sleep(delayMs);
          // SIGKILL: no finally block, no shutdown hook, no close
          child.toHandle().destroyForcibly();
          killed = true;
        } else if (line.startsWith("restored ")) {
          restored++;
        } else if (line.startsWith("error ")) {
          error = line;
        }
      }
    }
    child.waitFor(30, TimeUnit.SECONDS);
    String stderr = Files.readString(log);
    if (!killed || error != null) {
      throw new AssertionError(context + "the child ended on its own" + (error != null ? " with "
          + error : "") + "; its stderr:\n" + tail(stderr));
    }
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")
        && child.exitValue() != 137) {
      throw new AssertionError(context + "the child exited with status " + child.exitValue()
          + ", not 137 (SIGKILL); its stderr:\n" + tail(stderr));
    }
    return restored;
  }

  /**
   * Reopens the store as an application would and names what it holds ("original", "A", "B"),
   * or returns {@code "FAIL <why>"}.
   */
  private static String check(Path store, String backend,
      Map<String, Map<String, Fixtures.Content>> expected) throws IOException {
    Storage s;
    try {
      s = Storage.builder().directory(store).backend(backend).noScheduledMaintenance().open();
    } catch (RuntimeException e) {
      return "FAIL the store does not reopen: " + e + "; beside it: " + siblings(store);
    }
    try (s) {
      Map<String, Fixtures.Content> actual = Fixtures.contents(s);
      String which = null;
      for (Map.Entry<String, Map<String, Fixtures.Content>> e : expected.entrySet()) {
        if (e.getValue().equals(actual)) {
          which = e.getKey();
        }
      }
      if (which == null) {
        return "FAIL the reopened store holds " + (actual.isEmpty() ? "NOTHING (a new, empty store)"
            : actual.size() + " records matching none of A, B or the original") + "; beside it: "
            + siblings(store);
      }
      VerificationReport v = s.admin().verify();
      if (!v.ok()) {
        return "FAIL holds " + which + " but verify() found " + v.problems();
      }
      List<String> left = siblings(store);
      if (!left.isEmpty()) {
        return "FAIL holds " + which + " but leftovers remain after the open: " + left;
      }
      return which;
    }
  }

  /** Everything beside the store in its parent directory (it has no other business there). */
  private static List<String> siblings(Path store) throws IOException {
    try (Stream<Path> s = Files.list(store.getParent())) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals(store.getFileName().toString())).sorted().toList();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else if (!p.getFileName().toString().equals("cairn.lock")) {
          Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static String tail(String s) {
    return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
  }
}
