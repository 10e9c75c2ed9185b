package dev.cairn.examples;

import dev.cairn.backup.BackupKind;
import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupManifest;
import dev.cairn.backup.VerifyReport;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.CodecProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The demo {@code ./cairn demo} runs: a casino ledger ({@link CasinoLedger}) stored with
 * compression and deduplication, a hot read set served by the tiered cache, a balance transfer
 * in a transaction (and one that is refused because it would overdraw), a verified logical
 * backup into the sibling directory {@code DIR-backups}, then the savings, statistics and a
 * maintenance report.
 *
 * <p>The store and backup directories are wiped at the start so every run behaves the same; to
 * protect real data, only a missing or empty directory, or one an earlier demo created (it holds
 * {@value #MARKER}), is wiped.
 */
public final class CasinoDemo {

  /** The file that marks a directory as the demo's own (safe to wipe). */
  public static final String MARKER = ".cairn-demo";

  /**
   * What to run.
   *
   * @param directory the store directory (wiped first, see the class comment)
   * @param backend the backend name
   * @param seed the generator's seed
   * @param players how many players (other collections scale with it)
   */
  public record Options(Path directory, String backend, long seed, int players) {
    /** The defaults of {@code ./cairn demo}. */
    public static Options defaults() {
      return new Options(Path.of("cairn-data", "demo"), "sqlite", 42, 200);
    }
  }

  /** The outcome of a transfer attempt. */
  public record TransferOutcome(
      String id, String from, String to, long amountCents, boolean committed, String reason,
      long fromBalanceBefore, long toBalanceBefore, long fromBalanceAfter, long toBalanceAfter) {}

  /** What a demo run did, for {@code --json}. */
  public record Result(
      String directory, String backend, String codec, String cache, long seed,
      Map<String, Long> recordsPerCollection, long records, long rawJsonBytes,
      int distinctSharedDocuments, long lookups, List<TransferOutcome> transfers,
      long negativeBalances, String backup, StorageStats stats, MaintenanceReport maintenance,
      long elapsedMillis) {}

  private CasinoDemo() {}

  /** {@code java -cp cairn.jar dev.cairn.examples.CasinoDemo [DIR [BACKEND]]} */
  public static void main(String[] args) {
    Options d = Options.defaults();
    Options o = new Options(args.length > 0 ? Path.of(args[0]) : d.directory(),
        args.length > 1 ? args[1] : d.backend(), d.seed(), d.players());
    PrintWriter out = new PrintWriter(System.out, true);
    run(o, out);
    out.flush();
  }

  /** The codec the demo writes with: zstd if installed, else snappy, else identity. */
  public static String preferredCodec() {
    Set<String> codecs = new TreeSet<>();
    ServiceLoader.load(CodecProvider.class).forEach(p -> codecs.add(p.name()));
    return codecs.contains("zstd") ? "zstd" : codecs.contains("snappy") ? "snappy" : "identity";
  }

  private static boolean tieredCacheInstalled() {
    return ServiceLoader.load(CacheProvider.class).stream()
        .anyMatch(p -> p.get().name().equals("tiered"));
  }

  /** Runs the demo, printing a human-readable account to {@code out}. */
  public static Result run(Options options, PrintWriter out) {
    long started = System.nanoTime();
    Path dir = options.directory();
    prepare(dir);
    prepare(backupDirectory(dir));
    String codec = preferredCodec();
    String cache = tieredCacheInstalled() ? "tiered" : "none";
    out.printf("Cairn demo: a casino ledger on %s (codec %s, cache %s)%n", options.backend(), codec, cache);
    out.printf("store: %s%n%n", dir);

    var builder = Storage.builder()
        .directory(dir)
        .backend(options.backend())
        .codec(codec)
        .noScheduledMaintenance();
    if (!cache.equals("none")) {
      builder.cache(cache).cacheMaxHeapBytes(4L << 20).cacheMaxOffHeapBytes(16L << 20);
    }
    try (Storage storage = builder.open()) {
      // 1. load
      Map<String, Map<String, Object>> ledger = CasinoLedger.generate(options.seed(), options.players());
      out.printf("1. Loading the ledger (seed %d)%n", options.seed());
      long t = System.nanoTime();
      Map<String, Long> counts = new LinkedHashMap<>();
      long records = 0;
      List<String> trained = new ArrayList<>();
      for (var e : ledger.entrySet()) {
        List<String> keys = new ArrayList<>(e.getValue().keySet());
        // a first batch, then a dictionary trained on it, then the rest with the dictionary
        for (int i = 0, n = 100; i < keys.size(); i += n, n = 500) {
          Map<String, Object> batch = new LinkedHashMap<>();
          keys.subList(i, Math.min(keys.size(), i + n)).forEach(k -> batch.put(k, e.getValue().get(k)));
          storage.putAll(e.getKey(), batch);   // one transaction per batch
          if (i == 0 && trainDictionary(storage, e.getKey())) {
            trained.add(e.getKey());
          }
        }
        counts.put(e.getKey(), storage.count(e.getKey()));
        records += e.getValue().size();
      }
      long raw = storage.stats().rawBytesWritten();
      counts.forEach((c, n) -> out.printf("   %-16s %,7d records%s%n", c, n, sharedNote(c)));
      out.printf("   %,d records, %s of JSON, in %s (batches of 500, one transaction each)%n",
          records, bytes(raw), millis(System.nanoTime() - t));
      if (!trained.isEmpty()) {
        out.printf("   %s dictionaries trained on the first 100 records of %s%n", codec,
            trained.size() == ledger.size() ? "each collection" : String.join(", ", trained));
      }
      out.println();

      // 2. reads with a hot set, as a cashier screen would do
      long lookups = readHotSet(storage, ledger, options.seed());
      out.printf("2. Reading: %,d lookups of players, wallets and rounds (80%% on a hot 10%%)%n%n", lookups);

      // 3. transfers in transactions
      out.println("3. Transfers between player balances, each in one transaction");
      List<TransferOutcome> transfers = new ArrayList<>();
      List<String> players = new ArrayList<>(ledger.get("wallets").keySet());
      String a = richest(storage, players);
      String b = players.get(players.get(0).equals(a) ? 1 : 0);
      transfers.add(transfer(storage, "transfer-000001", a, b, 2_500));
      long tooMuch = balance(storage, b) + 10_000;
      transfers.add(transfer(storage, "transfer-000002", b, a, tooMuch));
      for (TransferOutcome o : transfers) {
        if (o.committed()) {
          out.printf("   committed  %s from %s to %s%n", euros(o.amountCents()), o.from(), o.to());
          out.printf("              %s %s -> %s, %s %s -> %s%n", o.from(), euros(o.fromBalanceBefore()),
              euros(o.fromBalanceAfter()), o.to(), euros(o.toBalanceBefore()), euros(o.toBalanceAfter()));
        } else {
          out.printf("   REFUSED    %s from %s to %s: %s%n", euros(o.amountCents()), o.from(), o.to(), o.reason());
          out.printf("              rolled back: balances unchanged, transfer record %s%n",
              storage.contains("transfers", o.id()) ? "KEPT (bug!)" : "not kept");
        }
      }
      long negative = players.stream().filter(p -> balance(storage, p) < 0).count();
      out.printf("   wallets with a negative balance: %d%n%n", negative);

      // 4. backup
      String backup = backupStep(storage, backupDirectory(dir), out);

      // 5. summary
      MaintenanceReport maintenance = storage.maintenance();
      StorageStats stats = storage.stats();
      out.println("5. Summary");
      printSavings(out, stats);
      printStats(out, stats);
      printMaintenance(out, maintenance);
      long elapsed = (System.nanoTime() - started) / 1_000_000;
      out.printf("%nDone in %s. Look around: ./cairn ls --store %s%n",
          millis(System.nanoTime() - started), dir);
      return new Result(dir.toString(), options.backend(), codec, cache, options.seed(), counts,
          records, raw, CasinoLedger.distinctSharedDocuments(), lookups, transfers, negative,
          backup, stats, maintenance, elapsed);
    }
  }

  /** A logical backup of the running store into {@code DIR-backups}, then a verify of the set. */
  private static String backupStep(Storage storage, Path backups, PrintWriter out) {
    out.println("4. Backup while the store stays open");
    BackupManager manager = BackupManager.builder().target(backups).build();
    BackupManifest set = manager.backup(storage, BackupKind.LOGICAL);
    VerifyReport report = manager.verify(set.setId());
    out.printf("   logical set %s: %,d records, %,d distinct values, %s (from %s of values)%n",
        set.setId(), set.records(), set.blobs(), bytes(set.storedBytes()), bytes(set.rawBytes()));
    out.printf("   verified: %s (every record decoded, every blob hash checked) in %s%n",
        report.ok() ? "ok" : report.problems().size() + " problem(s)", backups);
    out.println();
    return set.setId();
  }

  /** Trains a compression dictionary if the codec supports them; whether one was trained. */
  private static boolean trainDictionary(Storage storage, String collection) {
    try {
      return storage.admin().trainDictionary(collection).isPresent();
    } catch (UnsupportedOperationException e) {
      return false;   // snappy or identity: no dictionaries
    }
  }

  private static String sharedNote(String collection) {
    return switch (collection) {
      case "round-paytables" -> "  (the paytable in force for each round: 6 distinct documents)";
      case "terms-accepted" -> "  (the terms each player accepted: 3 distinct documents)";
      default -> "";
    };
  }

  private static long readHotSet(Storage storage, Map<String, Map<String, Object>> ledger, long seed) {
    Random random = new Random(seed);
    List<String> players = new ArrayList<>(ledger.get("players").keySet());
    List<String> rounds = new ArrayList<>(ledger.get("rounds").keySet());
    int n = 3_000;
    for (int i = 0; i < n; i++) {
      boolean hot = random.nextInt(10) < 8;
      // getValue: the screen only looks at the bytes, so a cache hit need not copy them
      switch (i % 3) {
        case 0 -> storage.getValue("players", pick(players, hot, random));
        case 1 -> storage.getValue("wallets", pick(players, hot, random));
        default -> storage.getValue("rounds", pick(rounds, hot, random));
      }
    }
    return n;
  }

  private static String pick(List<String> keys, boolean hot, Random random) {
    int bound = hot ? Math.max(1, keys.size() / 10) : keys.size();
    return keys.get(random.nextInt(bound));
  }

  private static String richest(Storage storage, List<String> players) {
    String best = players.get(0);
    for (String p : players) {
      if (balance(storage, p) > balance(storage, best)) {
        best = p;
      }
    }
    return best;
  }

  private static long balance(Storage storage, String player) {
    return storage.get("wallets", player, CasinoLedger.Wallet.class).orElseThrow().balanceCents();
  }

  /** Thrown inside a transfer's transaction to refuse it; the rollback undoes its writes. */
  private static final class InsufficientFunds extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InsufficientFunds(String message) {
      super(message, null, false, false);
    }
  }

  private static TransferOutcome transfer(Storage storage, String id, String from, String to, long cents) {
    long fromBefore = balance(storage, from);
    long toBefore = balance(storage, to);
    String reason = null;
    try {
      storage.useTransaction(tx -> {
        tx.put("transfers", id, Map.of("from", from, "to", to, "amountCents", cents));
        var source = tx.get("wallets", from, CasinoLedger.Wallet.class).orElseThrow();
        var target = tx.get("wallets", to, CasinoLedger.Wallet.class).orElseThrow();
        if (source.balanceCents() < cents) {
          throw new InsufficientFunds("insufficient funds: " + from + " has " + euros(source.balanceCents()));
        }
        String now = java.time.Instant.now().toString();
        tx.put("wallets", from, new CasinoLedger.Wallet(from, "EUR", source.balanceCents() - cents, now));
        tx.put("wallets", to, new CasinoLedger.Wallet(to, "EUR", target.balanceCents() + cents, now));
      });
    } catch (InsufficientFunds e) {
      reason = e.getMessage();
    }
    return new TransferOutcome(id, from, to, cents, reason == null, reason, fromBefore, toBefore,
        balance(storage, from), balance(storage, to));
  }

  private static void printSavings(PrintWriter out, StorageStats s) {
    long raw = s.rawBytesWritten();
    out.println("   Space");
    out.printf("     JSON written             %10s%n", bytes(raw));
    out.printf("     saved by deduplication   %10s  (%s, %,d writes only added a reference)%n",
        bytes(s.bytesSavedByDedup()), percent(s.bytesSavedByDedup(), raw), s.dedupHits());
    out.printf("     saved by compression     %10s  (%s)%n",
        bytes(s.bytesSavedByCompression()), percent(s.bytesSavedByCompression(), raw));
    out.printf("     actually stored          %10s  (%s of the JSON)%n",
        bytes(s.storedBytesWritten()), percent(s.storedBytesWritten(), raw));
    out.printf("     size on disk             %10s%n", bytes(s.sizeOnDisk()));
  }

  private static void printStats(PrintWriter out, StorageStats s) {
    out.println("   Operations");
    out.printf("     reads %,d, writes %,d, transactions %,d committed / %,d rolled back%n",
        s.reads(), s.writes(), s.transactionsCommitted(), s.transactionsRolledBack());
    out.printf("     read latency   p50 %s  p99 %s%n",
        micros(s.readLatency().p50Micros()), micros(s.readLatency().p99Micros()));
    out.printf("     write latency  p50 %s  p99 %s (per transaction, batches included)%n",
        micros(s.writeLatency().p50Micros()), micros(s.writeLatency().p99Micros()));
    long lookups = s.cacheHits() + s.cacheMisses();
    if (lookups > 0) {
      out.printf("     cache hit rate %s (%,d of %,d reads)%n",
          percent(s.cacheHits(), lookups), s.cacheHits(), lookups);
    }
  }

  private static void printMaintenance(PrintWriter out, MaintenanceReport r) {
    out.printf("   Maintenance (%s, %s)%n", r.successful() ? "all steps ok" : r.failures().size() + " failed",
        millis(r.duration().toNanos()));
    for (MaintenanceReport.Step step : r.steps()) {
      out.printf("     %-20s %-7s %s%s%n", step.name(), step.outcome(), step.detail(),
          step.error().map(e -> " - " + e).orElse(""));
    }
  }

  /** Where the demo keeps its backups: the sibling {@code DIR-backups}. */
  public static Path backupDirectory(Path dir) {
    Path d = dir.normalize().getFileName() == null ? dir.toAbsolutePath().normalize() : dir.normalize();
    return d.resolveSibling(d.getFileName() + "-backups");
  }

  /** Empties {@code dir} if it is missing, empty or the demo's own; refuses anything else. */
  static void prepare(Path dir) {
    try {
      if (Files.isDirectory(dir)) {
        boolean empty;
        try (Stream<Path> s = Files.list(dir)) {
          empty = s.findAny().isEmpty();
        }
        if (!empty && !Files.exists(dir.resolve(MARKER))) {
          throw new IllegalArgumentException(dir + " is not empty and was not created by the demo;"
              + " choose a new directory with --store");
        }
        deleteTree(dir);
      } else if (Files.exists(dir)) {
        throw new IllegalArgumentException(dir + " is a file, not a directory");
      }
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(MARKER), "created by ./cairn demo; wiped by the next run\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir + ": " + e.getMessage(), e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }

  static String euros(long cents) {
    return String.format(Locale.ROOT, "EUR %,d.%02d", cents / 100, Math.abs(cents % 100));
  }

  /** {@code 1.2 MiB}, {@code 840 B}. */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    double v = n;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int u = -1;
    do {
      v /= 1024;
      u++;
    } while (v >= 1024 && u < units.length - 1);
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** {@code 64%}. */
  public static String percent(long part, long whole) {
    return whole == 0 ? "0%" : String.format(Locale.ROOT, "%.0f%%", 100.0 * part / whole);
  }

  static String millis(long nanos) {
    Duration d = Duration.ofNanos(nanos);
    return d.toMillis() < 1000 ? d.toMillis() + " ms"
        : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  static String micros(long us) {
    return us < 1000 ? us + " us" : String.format(Locale.ROOT, "%.1f ms", us / 1000.0);
  }
}
