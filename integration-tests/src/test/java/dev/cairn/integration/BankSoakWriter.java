package dev.cairn.integration;

import dev.cairn.backup.BackupKind;
import dev.cairn.backup.BackupManager;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Main class of the child JVM that {@link BankSoak} starts and kills: opens the store and runs
 * bank transfers from several threads until killed, one {@code Storage} transaction per transfer
 * (read two balances, write both, add a ledger record keyed by a unique transfer id). After a
 * transaction returned it prints {@code ack <id>} in one unbuffered {@code write(2)}, so a line is
 * wholly in the pipe or not at all. Optionally, a thread takes backups and another runs
 * maintenance, both concurrently with the transfers.
 *
 * <p>Arguments: {@code dir backend codec durability seed cycle threads accounts backupDir|- maintain}.
 * Not a library entry point.
 */
final class BankSoakWriter {

  private static final FileOutputStream OUT = new FileOutputStream(FileDescriptor.out);

  private BankSoakWriter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String backend = args[1];
    String codec = args[2];
    Durability durability = Durability.valueOf(args[3]);
    long seed = Long.parseLong(args[4]);
    int cycle = Integer.parseInt(args[5]);
    int threads = Integer.parseInt(args[6]);
    int accounts = Integer.parseInt(args[7]);
    String backupDir = args[8];
    boolean maintain = Boolean.parseBoolean(args[9]);
    Storage storage = Storage.builder()
        .directory(dir)
        .backend(backend)
        .codec(codec)
        .durability(durability)
        .noScheduledMaintenance()
        .open(); // never closed: the parent kills this JVM
    BankSoak.Bank bank = new BankSoak.Bank(seed, accounts);
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      all.add(new Thread(() -> transfers(storage, bank, seed, cycle, thread), "soak-" + t));
    }
    if (!backupDir.equals("-")) {
      BackupManager backups = BackupManager.builder()
          .target(Path.of(backupDir))
          .kind(BackupKind.INCREMENTAL)
          .retainLast(2)
          .build();
      all.add(new Thread(() -> backups(storage, backups, seed, cycle), "soak-backup"));
    }
    if (maintain) {
      all.add(new Thread(() -> maintenance(storage, seed, cycle), "soak-maintenance"));
    }
    print("ready");
    all.forEach(Thread::start);
    for (Thread th : all) {
      th.join();
    }
  }

  private static void transfers(Storage storage, BankSoak.Bank bank, long seed, int cycle,
      int thread) {
    Random rnd = new Random(seed * 1_000_003L + cycle * 131L + thread);
    try {
      for (long n = 0; ; n++) {
        BankSoak.Transfer t = bank.next(rnd, BankSoak.transferId(cycle, thread, n));
        storage.useTransaction(tx -> BankSoak.transfer(tx, t));
        print("ack " + t.id());
      }
    } catch (RuntimeException e) {
      print("error " + thread + " " + e.toString().replace('\n', ' '));
    }
  }

  /** Backups at random moments while the transfers run (an INCREMENTAL chain, two sets kept). */
  private static void backups(Storage storage, BackupManager backups, long seed, int cycle) {
    Random rnd = new Random(seed ^ (cycle * 0x9E3779B97F4A7C15L));
    try {
      Thread.sleep(rnd.nextInt(300));
      backups.backup(storage);
      backups.applyRetention();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      print("error backup " + e.toString().replace('\n', ' '));
    }
  }

  /** Maintenance runs (statistics flush, verify, optimize) while the transfers run. */
  private static void maintenance(Storage storage, long seed, int cycle) {
    Random rnd = new Random(seed ^ (cycle * 0xC2B2AE3D27D4EB4FL));
    try {
      while (true) {
        Thread.sleep(50 + rnd.nextInt(400));
        var report = storage.maintenance();
        if (!report.failures().isEmpty()) {
          print("error maintenance " + report.failures());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void print(String line) {
    byte[] b = (line + "\n").getBytes(StandardCharsets.US_ASCII);
    synchronized (OUT) {
      try {
        OUT.write(b);
      } catch (IOException e) {
        // the parent is gone: nothing to report to
        Runtime.getRuntime().halt(3);
      }
    }
  }
}
