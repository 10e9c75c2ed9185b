package dev.cairn.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.backend.postgres.TestPostgres;
import dev.cairn.storage.Durability;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Space stays bounded: after the bank workload (one small {@code SYNC} transaction per transfer:
 * two balances rewritten, one ledger record of a few hundred bytes added; {@link BankSoak.Bank})
 * and one {@code maintenance()}, the store's size on disk is at most {@value #FACTOR} times the
 * bytes of its live values plus {@value #SLACK_MIB} MiB, on every backend.
 *
 * <p>The live bytes are counted from the store itself: every value of every collection read back
 * through {@code entries}, each distinct content counted once (the engine stores a shared value
 * once, and the identity codec stores it as given), keys not counted. So the bound is on what
 * the store keeps beyond the data it must keep: record headers, indexes, page slack and, the
 * reason for this test, the dead space a backend leaves behind many small commits (H2 writes a
 * new chunk per commit; before its compaction rewrote sparse chunks it kept 26x the live bytes
 * after maintenance here, 143 MiB for 5.6 MiB of values).
 *
 * <p>{@code cairn.space.transfers} (default 12,000) sets the workload's size,
 * {@code cairn.space.backends} (a comma-separated subset) the backends it runs on.
 */
final class SpaceBoundTest {

  /** Size on disk may be this many times the live bytes ... */
  static final int FACTOR = 2;
  /** ... plus this much: empty-store overhead (files, headers, first pages, SQLite's shm). */
  static final int SLACK_MIB = 4;

  private static final int TRANSFERS = Integer.getInteger("cairn.space.transfers", 12_000);
  private static final int ACCOUNTS = 1_000;

  @TempDir Path temp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sqlite", "lmdb", "h2", "postgres"})
  void sizeOnDiskStaysWithinTwiceTheLiveBytesAfterMaintenance(String backend) {
    String only = System.getProperty("cairn.space.backends");
    assumeTrue(only == null || List.of(only.split(",")).contains(backend),
        () -> backend + " not in -Dcairn.space.backends=" + only);
    StorageBuilder b = Storage.builder()
        .directory(temp.resolve(backend))
        .backend(backend)
        .codec("identity")
        .durability(Durability.SYNC)
        .noScheduledMaintenance();
    if (backend.equals("postgres")) {
      TestPostgres.get().freshOptions("space").forEach(b::backendOption);
    }
    long start = System.nanoTime();
    try (Storage s = b.open()) {
      runBank(s, 42, TRANSFERS);
      long grown = s.stats().sizeOnDisk();
      MaintenanceReport report = s.maintenance();
      assertThat(report.failures()).as("maintenance failures").isEmpty();
      long after = s.stats().sizeOnDisk();
      long live = liveValueBytes(s);
      long bound = FACTOR * live + ((long) SLACK_MIB << 20);
      System.out.printf(
          "[space] %s: %d transfers in %.1f s; live values %s, on disk %s before maintenance"
              + " (%.2f per live byte), %s after (%.2f; maintenance %d ms), bound %s%n",
          backend, TRANSFERS, (System.nanoTime() - start) / 1e9, mib(live), mib(grown),
          (double) grown / live, mib(after), (double) after / live,
          report.duration().toMillis(), mib(bound));
      assertThat(live).as("live bytes").isGreaterThan(1L << 20);
      assertThat(after)
          .as("%s: size on disk after maintenance (%s) vs %d x live values (%s) + %d MiB",
              backend, mib(after), FACTOR, mib(live), SLACK_MIB)
          .isLessThanOrEqualTo(bound);
    }
  }

  /**
   * The bank workload: {@code ACCOUNTS} accounts, then {@code transfers} transactions, each
   * reading two balances, writing both and adding the transfer's ledger record
   * ({@link BankSoak.Bank#next}: a few hundred bytes on average, a third sharing content).
   */
  static void runBank(Storage s, long seed, int transfers) {
    Map<String, byte[]> accounts = new LinkedHashMap<>();
    for (int a = 0; a < ACCOUNTS; a++) {
      accounts.put(BankSoak.account(a), BankSoak.balanceBytes(BankSoak.INITIAL_BALANCE));
    }
    s.putAllBytes(BankSoak.ACCOUNTS, accounts);
    BankSoak.Bank bank = new BankSoak.Bank(seed, ACCOUNTS);
    Random rnd = new Random(seed);
    for (int n = 0; n < transfers; n++) {
      BankSoak.Transfer t = bank.next(rnd, BankSoak.transferId(0, 0, n));
      s.useTransaction(tx -> BankSoak.transfer(tx, t));
    }
  }

  /** The bytes of the store's live values, each distinct content once, read back from it. */
  static long liveValueBytes(Storage s) {
    Set<ByteBuffer> seen = new HashSet<>();
    long total = 0;
    for (String collection : new String[] {BankSoak.ACCOUNTS, BankSoak.LEDGER}) {
      try (Stream<Map.Entry<String, byte[]>> all = s.entries(collection, "")) {
        for (var it = all.iterator(); it.hasNext(); ) {
          byte[] v = it.next().getValue();
          if (seen.add(ByteBuffer.wrap(v))) {
            total += v.length;
          }
        }
      }
    }
    return total;
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }
}
