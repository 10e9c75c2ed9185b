package dev.cairn.backend.postgres;

import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.Versioned;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The multi-instance workloads, shared by the in-JVM tests and the child JVMs: bank transfers
 * (read two balances, move money, write both) and deduplicated writes of a few shared contents
 * over a shared key range (overwrites and deletes move blob reference counts).
 */
final class Workloads {

  static final int ACCOUNTS = 10;
  static final long INITIAL = 1_000;
  static final int SHARED_KEYS = 12;
  static final int CONTENTS = 4;

  private Workloads() {}

  /**
   * Opens a storage on the postgres backend. No cache: this module does not depend on a cache
   * module (the conformance matrix runs postgres with the tiered cache).
   */
  static Storage open(Path dir, Map<String, String> options) {
    var b = Storage.builder().directory(dir).backend("postgres").noScheduledMaintenance().noCache();
    options.forEach(b::backendOption);
    return b.open();
  }

  static void createAccounts(Storage s) {
    Map<String, Long> start = new LinkedHashMap<>();
    for (int i = 0; i < ACCOUNTS; i++) {
      start.put("acct" + i, INITIAL);
    }
    s.putAll("bank", start);
  }

  static void transfers(Storage s, long seed, int count) {
    Random rnd = new Random(seed);
    for (int i = 0; i < count; i++) {
      String from = "acct" + rnd.nextInt(ACCOUNTS);
      String to = "acct" + rnd.nextInt(ACCOUNTS);
      long amount = 1 + rnd.nextInt(300);
      s.useTransaction(tx -> {
        long a = tx.get("bank", from, Long.class).orElseThrow();
        if (a < amount || from.equals(to)) {
          return;
        }
        long b = tx.get("bank", to, Long.class).orElseThrow();
        tx.put("bank", from, a - amount);
        tx.put("bank", to, b + amount);
      });
    }
  }

  /**
   * One transfer that also files a receipt under the new key {@code receipt}, its value one of
   * two shared contents: every transfer moves the reference count of a blob that the other
   * instances' transfers share, besides the balances of two of the {@link #ACCOUNTS} accounts.
   */
  static void transferWithReceipt(Storage s, Random rnd, String receipt) {
    String from = "acct" + rnd.nextInt(ACCOUNTS);
    String to = "acct" + rnd.nextInt(ACCOUNTS);
    long amount = 1 + rnd.nextInt(300);
    byte[] content = content(rnd.nextInt(2));
    s.useTransaction(tx -> {
      long a = tx.get("bank", from, Long.class).orElseThrow();
      if (a < amount || from.equals(to)) {
        return;
      }
      long b = tx.get("bank", to, Long.class).orElseThrow();
      tx.put("bank", from, a - amount);
      tx.put("bank", to, b + amount);
      tx.putBytes("ledger", receipt, content);
    });
  }

  /** Content {@code c}: 300 bytes, above the inline threshold, so it is stored as a blob. */
  static byte[] content(int c) {
    byte[] v = new byte[300];
    Arrays.fill(v, (byte) ('a' + c));
    byte[] tag = ("content-" + c).getBytes(StandardCharsets.UTF_8);
    System.arraycopy(tag, 0, v, 0, tag.length);
    return v;
  }

  static void dedupWrites(Storage s, long seed, int count) {
    Random rnd = new Random(seed);
    for (int i = 0; i < count; i++) {
      String key = "k" + rnd.nextInt(SHARED_KEYS);
      if (rnd.nextInt(5) == 0) {
        s.delete("shared", key);
      } else {
        s.putBytes("shared", key, content(rnd.nextInt(CONTENTS)));
      }
    }
  }

  /**
   * Adds one to the {@code Long} under {@code collection/key} by compare-and-set: reads value and
   * version together and replaces if the version is unchanged, again until it applies; counts
   * the lost races in {@code lost}.
   */
  static void incrementByCas(Storage s, String collection, String key, AtomicLong lost) {
    while (true) {
      Versioned<Long> seen = s.getVersioned(collection, key, Long.class).orElseThrow();
      if (s.replaceIfVersion(collection, key, seen.version(), seen.value() + 1)) {
        return;
      }
      lost.incrementAndGet();
    }
  }

  /** The bank total, read inside a transaction (never from a cache). */
  static long total(Storage s) {
    return s.transaction(tx -> {
      long sum = 0;
      for (int i = 0; i < ACCOUNTS; i++) {
        long v = tx.get("bank", "acct" + i, Long.class).orElseThrow();
        if (v < 0) {
          throw new AssertionError("negative balance " + v + " in acct" + i);
        }
        sum += v;
      }
      return sum;
    });
  }

  static Durability durability(String name) {
    return Durability.valueOf(name);
  }
}
