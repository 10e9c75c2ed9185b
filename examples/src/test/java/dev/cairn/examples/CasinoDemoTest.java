package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Storage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CasinoDemoTest {

  @TempDir
  Path tmp;

  private CasinoDemo.Result run(Path dir, StringWriter text) {
    return CasinoDemo.run(new CasinoDemo.Options(dir, "sqlite", 7, 40), new PrintWriter(text, true));
  }

  @Test
  void theDemoStoresTheLedgerAndReportsSavingsTransfersAndMaintenance() {
    StringWriter text = new StringWriter();
    CasinoDemo.Result r = run(tmp.resolve("demo"), text);

    assertThat(r.recordsPerCollection().keySet()).containsExactlyElementsOf(CasinoLedger.COLLECTIONS);
    assertThat(r.recordsPerCollection().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(r.records());
    assertThat(r.stats().bytesSavedByDedup()).as("paytables and terms are shared").isPositive();
    assertThat(r.stats().bytesSavedByCompression()).isPositive();
    assertThat(r.stats().cacheHits()).isPositive();
    assertThat(r.transfers()).hasSize(2);
    assertThat(r.transfers().get(0).committed()).isTrue();
    assertThat(r.transfers().get(1).committed()).isFalse();
    assertThat(r.negativeBalances()).isZero();
    assertThat(r.maintenance().successful()).isTrue();
    assertThat(r.backup()).isNotNull();
    assertThat(CasinoDemo.backupDirectory(tmp.resolve("demo")).resolve(r.backup())).isDirectory();
    assertThat(text.toString()).contains("1. Loading", "4. Backup while the store stays open", "verified: ok", "committed", "REFUSED", "rolled back: balances unchanged",
        "transfer record not kept", "saved by deduplication", "saved by compression",
        "read latency", "cache hit rate", "Maintenance (all steps ok");
  }

  @Test
  void aRefusedTransferLeavesBothBalancesAndNoTransferRecord() {
    CasinoDemo.Result r = run(tmp.resolve("demo"), new StringWriter());
    CasinoDemo.TransferOutcome refused = r.transfers().get(1);

    assertThat(refused.fromBalanceAfter()).isEqualTo(refused.fromBalanceBefore());
    assertThat(refused.toBalanceAfter()).isEqualTo(refused.toBalanceBefore());
    assertThat(refused.amountCents()).isGreaterThan(refused.fromBalanceBefore());
    try (Storage s = Storage.builder().directory(tmp.resolve("demo")).open()) {
      assertThat(s.contains("transfers", refused.id())).isFalse();
      assertThat(s.contains("transfers", r.transfers().get(0).id())).isTrue();
    }
  }

  @Test
  void aSecondRunWipesTheStoreAndBehavesTheSame() {
    CasinoDemo.Result first = run(tmp.resolve("demo"), new StringWriter());
    CasinoDemo.Result second = run(tmp.resolve("demo"), new StringWriter());

    assertThat(second.recordsPerCollection()).isEqualTo(first.recordsPerCollection());
    assertThat(second.transfers()).isEqualTo(first.transfers());
    assertThat(second.stats().dedupHits()).isEqualTo(first.stats().dedupHits());
    try (var sets = java.nio.file.Files.list(CasinoDemo.backupDirectory(tmp.resolve("demo")))) {
      assertThat(sets.filter(java.nio.file.Files::isDirectory).count())
          .as("the backups of the first run were wiped too").isEqualTo(1);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theDemoRefusesToWipeADirectoryItDidNotCreate() throws IOException {
    Path precious = Files.createDirectories(tmp.resolve("precious"));
    Files.writeString(precious.resolve("thesis.tex"), "years of work");

    assertThatThrownBy(() -> run(precious, new StringWriter()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not created by the demo");
    assertThat(precious.resolve("thesis.tex")).hasContent("years of work");
  }

  @Test
  void theLedgerIsDeterministicAndNeverOverdraws() {
    long seed = 20_260_301L;
    Map<String, Map<String, Object>> a = CasinoLedger.generate(seed, 60);
    Map<String, Map<String, Object>> b = CasinoLedger.generate(seed, 60);

    assertThat(a).as("seed %d", seed).isEqualTo(b);
    assertThat(a.get("wallets").values()).as("seed %d", seed)
        .allSatisfy(w -> assertThat(((CasinoLedger.Wallet) w).balanceCents()).isNotNegative());
    assertThat(a.get("round-paytables").values().stream().distinct().count()).isLessThanOrEqualTo(6);
    assertThat(a.get("terms-accepted").values().stream().distinct().count()).isLessThanOrEqualTo(3);
    // every bet's stake and every payout is accounted for in the wallets
    long deposits = 0;
    for (Object w : a.get("wallets").values()) {
      deposits += ((CasinoLedger.Wallet) w).balanceCents();
    }
    long staked = a.get("bets").values().stream().mapToLong(x -> ((CasinoLedger.Bet) x).stakeCents()).sum();
    long paid = a.get("payouts").values().stream().mapToLong(x -> ((CasinoLedger.Payout) x).amountCents()).sum();
    assertThat(deposits + staked - paid).as("initial deposits, seed %d", seed).isPositive();
  }
}
