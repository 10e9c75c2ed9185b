package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link CompareBenchmark}'s value scan ({@code scanAll}) of raw, the ceiling (where the backend
 * has one) and Cairn, interleaved in one JVM: each scans for half a second in turn, round after
 * round, so that a change in the machine's state moves all of them alike and the ratio of one
 * round is measured over the same seconds. The A/B runs behind benchmarks/README.md,
 * "twentieth", used it; the report's JMH trials measure each implementation seconds to minutes
 * apart.
 *
 * <p>Not JMH: it prints the rate of each scan per round and the mean ratios to raw. Run from the
 * repository root:
 *
 * <pre>
 * ./mvnw -q -ntp -pl benchmarks -am package -DskipTests
 * java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *   -cp benchmarks/target/benchmarks.jar dev.cairn.benchmarks.InterleavedScans lmdb [records [rounds]]
 * </pre>
 *
 * Records default to {@link CompareBenchmark#RECORDS}, rounds to 8 (after 3 to warm up). The
 * stores are created under {@code $CAIRN_BENCH_DIR} (else {@code ./cairn-bench-data}) and
 * deleted afterwards.
 */
public final class InterleavedScans {

  private static final long ROUND_NANOS = 500_000_000L;
  /** Measured rounds unless the command line says otherwise (after 3 to warm up). */
  static final int ROUNDS = 8;

  private InterleavedScans() {}

  public static void main(String[] args) {
    if (args.length < 1 || !Kv.RAW_BACKENDS.contains(args[0])) {
      throw new IllegalArgumentException(
          "usage: InterleavedScans <" + String.join("|", Kv.RAW_BACKENDS) + "> [records [rounds]]");
    }
    String backend = args[0];
    int records = positive(args, 1, "records", CompareBenchmark.RECORDS);
    int rounds = positive(args, 2, "rounds", ROUNDS);
    List<String> impls = new ArrayList<>(List.of("raw"));
    if (backend.equals("lmdb") || backend.equals("h2")) {
      impls.add("ceiling"); // CeilingLmdb, CeilingH2: the raw library plus the check and a copy
    }
    impls.add("cairn");
    List<Kv> kvs = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    try {
      for (String impl : impls) {
        Path dir = BenchDirs.fresh("interleaved-" + impl);
        dirs.add(dir);
        Kv kv = Kv.open(impl, backend, dir);
        kvs.add(kv);
        CompareBenchmark.load(kv, new Values(), 0, records, CompareBenchmark.BATCH);
      }
      Blackhole bh = blackhole();
      List<Scan> scans = new ArrayList<>();
      for (Kv kv : kvs) {
        scans.add(() -> kv.scanAll(bh));
      }
      System.out.printf(Locale.ROOT, "%s, ", backend);
      interleave(impls, scans, records, rounds);
    } finally {
      kvs.forEach(Kv::close);
      dirs.forEach(BenchDirs::delete);
    }
  }

  /** Argument {@code index} as a positive number, or {@code fallback} if there is none. */
  static int positive(String[] args, int index, String name, int fallback) {
    int n = args.length > index ? Integer.parseInt(args[index]) : fallback;
    if (n < 1) {
      throw new IllegalArgumentException(name + " must be positive, not " + n);
    }
    return n;
  }

  /** A blackhole outside JMH, for a scan's entries. */
  static Blackhole blackhole() {
    return new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
  }

  /** One scan of every record, returning how many it saw. */
  @FunctionalInterface
  interface Scan {
    long run() throws Exception;
  }

  /**
   * Runs {@code scans} in turn, half a second each, 3 rounds to warm up and then {@code rounds}
   * measured; prints each round's rates and ratios to the first scan, then the mean ratios.
   * Every scan must see {@code records} records.
   */
  static void interleave(List<String> names, List<Scan> scans, int records, int rounds) {
    System.out.printf(Locale.ROOT, "%d records, %d rounds of %.1f s per scan%n", records, rounds,
        ROUND_NANOS / 1e9);
    double[] ratioSums = new double[scans.size()];
    for (int round = -3; round < rounds; round++) {
      double[] rates = new double[scans.size()];
      for (int i = 0; i < scans.size(); i++) {
        rates[i] = rate(scans.get(i), records);
      }
      if (round < 0) {
        continue; // warm-up
      }
      StringBuilder line = new StringBuilder("round " + (round + 1));
      for (int i = 0; i < scans.size(); i++) {
        line.append(String.format(Locale.ROOT, "  %s %.2fM/s", names.get(i), rates[i] / 1e6));
        if (i > 0) {
          ratioSums[i] += rates[i] / rates[0];
          line.append(String.format(Locale.ROOT, " (%.2f)", rates[i] / rates[0]));
        }
      }
      System.out.println(line);
    }
    StringBuilder mean = new StringBuilder("mean ratio to " + names.get(0) + ":");
    for (int i = 1; i < scans.size(); i++) {
      mean.append(String.format(Locale.ROOT, "  %s %.3f", names.get(i), ratioSums[i] / rounds));
    }
    System.out.println(mean);
  }

  /** Entries per second of {@code scan} over one round. */
  private static double rate(Scan scan, int records) {
    long start = System.nanoTime();
    long entries = 0;
    long elapsed;
    do {
      long n;
      try {
        n = scan.run();
      } catch (Exception e) {
        throw new IllegalStateException("scan failed", e);
      }
      if (n != records) {
        throw new IllegalStateException("scanned " + n + " records, expected " + records);
      }
      entries += n;
      elapsed = System.nanoTime() - start;
    } while (elapsed < ROUND_NANOS);
    return entries / (elapsed / 1e9);
  }
}
