package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Backups taken while writer threads keep transferring money between accounts restore to one
 * consistent point in time: the total is unchanged, every thread's ledger is a gap-free prefix
 * that includes every transfer acknowledged before the backup started, and replaying exactly
 * the restored ledger from the opening balances yields the restored balances.
 */
final class HotBackupTest {

  private static final int ACCOUNTS = 60;
  private static final int OPENING = 1000;
  private static final int WRITERS = 2;
  // padding makes every balance a deduplicated blob (above the 64-byte inline threshold), and
  // accounts with equal balances share one blob
  private static final String PAD = "x".repeat(80);

  @TempDir
  Path tmp;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"sqlite, NATIVE", "sqlite, LOGICAL", "h2, NATIVE", "h2, LOGICAL", "lmdb, NATIVE",
      "lmdb, LOGICAL"})
  void hotBackupRestoresAConsistentPointInTime(String backend, BackupKind kind) throws Exception {
    long seed = new Random().nextLong();
    AtomicIntegerArray acked = new AtomicIntegerArray(WRITERS);
    AtomicBoolean paused = new AtomicBoolean();
    int[] ackedDuringExport = new int[2]; // {at the pause, after it}
    // A logical export reads "accounts", then "docs", then "ledger". Midway through "docs" the
    // listener (called inside the export's read snapshot) waits until the writers have committed
    // ten more transfers: a reader without one snapshot would see accounts and ledger disagree.
    BackupListener pauseMidExport = e -> {
      if (e.phase() == BackupProgress.Phase.EXPORT && e.recordsDone() > 0
          && !paused.getAndSet(true)) {
        ackedDuringExport[0] = sum(acked);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sum(acked) < ackedDuringExport[0] + 10 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        ackedDuringExport[1] = sum(acked);
      }
    };
    BackupManager backups = BackupManager.builder().target(tmp.resolve("backups"))
        .workDirectory(tmp.resolve("work")).listener(pauseMidExport).build();
    Path storeDir = tmp.resolve("store");
    BackupManifest set;
    int[] ackedBeforeBackup = new int[WRITERS];
    try (Storage storage = Fixtures.open(backend, storeDir)) {
      Map<String, byte[]> opening = new HashMap<>();
      for (int a = 0; a < ACCOUNTS; a++) {
        opening.put(account(a), balance(OPENING));
      }
      storage.putAllBytes("accounts", opening);
      Fixtures.fill(storage, seed, 600); // "docs" and "small": the export takes several steps

      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch warmedUp = new CountDownLatch(WRITERS);
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int id = w;
        Random rnd = new Random(seed + w);
        writers.add(pool.submit(() -> {
          int n = 0;
          while (!stop.get()) {
            int from = rnd.nextInt(ACCOUNTS);
            int to = (from + 1 + rnd.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            int amount = 1 + rnd.nextInt(50);
            int seq = n;
            storage.useTransaction(tx -> {
              int fb = parse(tx.getBytes("accounts", account(from)).orElseThrow());
              int tb = parse(tx.getBytes("accounts", account(to)).orElseThrow());
              tx.putBytes("accounts", account(from), balance(fb - amount));
              tx.putBytes("accounts", account(to), balance(tb + amount));
              tx.putBytes("ledger", ledgerKey(id, seq),
                  (from + "," + to + "," + amount).getBytes(StandardCharsets.UTF_8));
            });
            acked.set(id, ++n);
            if (n == 20) {
              warmedUp.countDown();
            }
          }
          return null;
        }));
      }
      assertThat(warmedUp.await(60, TimeUnit.SECONDS)).as("writers started").isTrue();
      for (int w = 0; w < WRITERS; w++) {
        ackedBeforeBackup[w] = acked.get(w);
      }
      set = backups.backup(storage, kind);
      // keep writing a little after the backup so the store moves past it
      int[] afterBackup = new int[WRITERS];
      for (int w = 0; w < WRITERS; w++) {
        afterBackup[w] = acked.get(w);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline && acked.get(0) < afterBackup[0] + 10) {
        Thread.sleep(5);
      }
      stop.set(true);
      for (Future<?> f : writers) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(storage.count("ledger")).as("the store moved past the backup")
          .isGreaterThan(ackedBeforeBackup[0] + ackedBeforeBackup[1]);
    }

    VerifyReport report = backups.verify(set.setId());
    assertThat(report.problems()).as("verify of %s (seed %s)", set.setId(), seed).isEmpty();
    assertThat(report.recordsChecked()).isEqualTo(set.records());

    Path restoredDir = tmp.resolve("restored");
    backups.restoreTo(set.setId(), restoredDir, Fixtures.builder(backend, restoredDir));
    try (Storage restored = Fixtures.open(backend, restoredDir)) {
      assertThat(restored.admin().verify().problems()).as("seed %s", seed).isEmpty();
      Map<String, byte[]> ledger = new HashMap<>();
      restored.admin().exportRecords(r -> {
        if (r.collection().equals("ledger")) {
          ledger.put(r.key(), r.value());
        }
      });
      int[] balances = new int[ACCOUNTS];
      java.util.Arrays.fill(balances, OPENING);
      for (int w = 0; w < WRITERS; w++) {
        int k = 0;
        while (ledger.containsKey(ledgerKey(w, k))) {
          String[] t = new String(ledger.get(ledgerKey(w, k)), StandardCharsets.UTF_8).split(",");
          balances[Integer.parseInt(t[0])] -= Integer.parseInt(t[2]);
          balances[Integer.parseInt(t[1])] += Integer.parseInt(t[2]);
          k++;
        }
        assertThat(k).as("writer %s: transfers acknowledged before the backup are restored (seed %s)",
            w, seed).isGreaterThanOrEqualTo(ackedBeforeBackup[w]);
        int kk = k;
        int writer = w;
        assertThat(ledger.keySet().stream().filter(key -> key.startsWith("t" + writer + "-")).count())
            .as("writer %s: the restored ledger is a gap-free prefix (seed %s)", w, seed)
            .isEqualTo(kk);
      }
      long total = 0;
      for (int a = 0; a < ACCOUNTS; a++) {
        Optional<byte[]> b = restored.getBytes("accounts", account(a));
        assertThat(b).isPresent();
        int restoredBalance = parse(b.get());
        total += restoredBalance;
        assertThat(restoredBalance).as("account %s equals the replayed ledger (seed %s)", a, seed)
            .isEqualTo(balances[a]);
      }
      assertThat(total).as("seed %s", seed).isEqualTo((long) ACCOUNTS * OPENING);
      if (kind == BackupKind.LOGICAL) {
        assertThat(paused).as("the export was paused midway").isTrue();
        assertThat(ackedDuringExport[1]).as("writers committed during the export")
            .isGreaterThanOrEqualTo(ackedDuringExport[0] + 10);
        assertThat(ledger.size()).as("transfers committed during the export are not in the set")
            .isLessThan(ackedDuringExport[1]);
      }
    }
  }

  private static int sum(AtomicIntegerArray a) {
    int s = 0;
    for (int i = 0; i < a.length(); i++) {
      s += a.get(i);
    }
    return s;
  }

  private static String account(int a) {
    return "acct-" + a;
  }

  private static String ledgerKey(int writer, int seq) {
    return "t" + writer + "-" + seq;
  }

  private static byte[] balance(int b) {
    return (b + "|" + PAD).getBytes(StandardCharsets.UTF_8);
  }

  private static int parse(byte[] v) {
    String s = new String(v, StandardCharsets.UTF_8);
    return Integer.parseInt(s.substring(0, s.indexOf('|')));
  }
}
