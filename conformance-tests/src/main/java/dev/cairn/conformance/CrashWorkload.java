package dev.cairn.conformance;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The deterministic write sequence of the crash harness. Step {@code i} of writer thread
 * {@code t} is a pure function of (seed, t, i) and of the state it reads, so the child JVM that
 * writes it and the parent that checks the recovered store apply exactly the same changes: the
 * child to a {@link dev.cairn.storage.Storage}, the parent to an in-memory model.
 *
 * <p>Each thread owns the keys starting with {@code t<thread>-} in three collections:
 *
 * <ul>
 *   <li>{@value #ACCOUNTS}: {@value #ACCOUNTS_PER_THREAD} balances, created by step 0 in one
 *       batch; transfers move amounts between them, so their sum stays
 *       {@value #ACCOUNTS_PER_THREAD} × {@value #INITIAL_BALANCE} after every committed step.
 *   <li>{@value #DOCS}: values of mixed sizes (empty, below and above the inline threshold, up
 *       to 128 KiB), random or compressible, unique or drawn from a pool shared by all threads
 *       (so that deduplicated blobs gain and lose references across threads and steps).
 *   <li>{@value #LEDGER}: one entry per transfer in a ring of slots, written in the transfer's
 *       transaction (overwrites move reference counts).
 * </ul>
 *
 * <p>Kinds of step: single {@code putBytes}, single {@code delete}, {@code putAllBytes} batches,
 * transactions copying one key's value to another (dedup of equal content), transactions of
 * 2–5 puts and deletes, and transfers (two balances plus a ledger entry, sometimes a ledger
 * delete: 3–4 records over two collections).
 */
final class CrashWorkload {

  static final String ACCOUNTS = "accounts";
  static final String DOCS = "docs";
  static final String LEDGER = "ledger";
  static final int ACCOUNTS_PER_THREAD = 8;
  static final long INITIAL_BALANCE = 1000;
  private static final int DOC_KEYS = 40;
  private static final int LEDGER_SLOTS = 24;
  private static final int[] POOL_SIZES = {0, 1, 17, 63, 64, 65, 300, 4096, 20_000, 70_000};

  /** How a step reaches the store. */
  enum Kind {
    /** One {@code Storage.putBytes} call. */
    SINGLE_PUT,
    /** One {@code Storage.delete} call. */
    SINGLE_DELETE,
    /** One {@code Storage.putAllBytes} call. */
    BATCH,
    /** One {@code Storage.transaction} call. */
    TRANSACTION
  }

  /** What a step does to the store or the model. */
  interface Ops {
    byte[] get(String collection, String key);

    void put(String collection, String key, byte[] value);

    void delete(String collection, String key);

    void putAll(String collection, Map<String, byte[]> values);
  }

  private final long seed;
  private final byte[][] pool;

  CrashWorkload(long seed) {
    this.seed = seed;
    Random rnd = new Random(seed);
    pool = new byte[POOL_SIZES.length][];
    for (int i = 0; i < POOL_SIZES.length; i++) {
      pool[i] = i % 2 == 0
          ? KitSupport.compressibleBytes(rnd, POOL_SIZES[i])
          : KitSupport.randomBytes(rnd, POOL_SIZES[i]);
    }
  }

  static String prefix(int thread) {
    return "t" + thread + "-";
  }

  static String account(int thread, int n) {
    return prefix(thread) + "a" + n;
  }

  static byte[] balance(long amount) {
    return ("balance=" + amount).getBytes(StandardCharsets.US_ASCII);
  }

  static long parseBalance(byte[] value) {
    String s = new String(value, StandardCharsets.US_ASCII);
    if (!s.startsWith("balance=")) {
      throw new IllegalStateException("not a balance: " + KitSupport.hex(value));
    }
    return Long.parseLong(s.substring("balance=".length()));
  }

  private long stepSeed(int thread, long index) {
    long h = seed ^ (0x9E3779B97F4A7C15L * (thread + 1)) ^ (0xC2B2AE3D27D4EB4FL * (index + 1));
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    return h;
  }

  /** How step {@code index} of {@code thread} reaches the store. */
  Kind kind(int thread, long index) {
    if (index == 0) {
      return Kind.BATCH;
    }
    int draw = new Random(stepSeed(thread, index)).nextInt(100);
    if (draw < 25) {
      return Kind.SINGLE_PUT;
    }
    if (draw < 35) {
      return Kind.SINGLE_DELETE;
    }
    if (draw < 45) {
      return Kind.BATCH;
    }
    return Kind.TRANSACTION;
  }

  /**
   * Applies step {@code index} of {@code thread}. May run more than once for one step (a
   * retried transaction): every decision comes from a fresh {@link Random} of the step's seed.
   */
  void apply(int thread, long index, Ops ops) {
    String p = prefix(thread);
    if (index == 0) {
      Map<String, byte[]> accounts = new LinkedHashMap<>();
      for (int a = 0; a < ACCOUNTS_PER_THREAD; a++) {
        accounts.put(account(thread, a), balance(INITIAL_BALANCE));
      }
      ops.putAll(ACCOUNTS, accounts);
      return;
    }
    Random rnd = new Random(stepSeed(thread, index));
    int draw = rnd.nextInt(100);
    switch (kind(thread, index)) {
      case SINGLE_PUT -> ops.put(DOCS, doc(p, rnd), value(rnd, thread, index, 0));
      case SINGLE_DELETE -> ops.delete(DOCS, doc(p, rnd));
      case BATCH -> {
        Map<String, byte[]> batch = new LinkedHashMap<>();
        int n = 2 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
          batch.put(doc(p, rnd), value(rnd, thread, index, i));
        }
        ops.putAll(DOCS, batch);
      }
      case TRANSACTION -> {
        if (draw < 55) {
          copy(p, rnd, thread, index, ops);
        } else if (draw < 70) {
          multi(p, rnd, thread, index, ops);
        } else {
          transfer(thread, rnd, index, ops);
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  /** Puts the value of one doc under another key too (same content: one more reference). */
  private void copy(String p, Random rnd, int thread, long index, Ops ops) {
    String from = doc(p, rnd);
    String to = doc(p, rnd);
    byte[] v = ops.get(DOCS, from);
    ops.put(DOCS, to, v != null ? v : value(rnd, thread, index, 0));
  }

  /** 2–5 puts and deletes of docs in one transaction. */
  private void multi(String p, Random rnd, int thread, long index, Ops ops) {
    int n = 2 + rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      if (rnd.nextInt(4) == 0) {
        ops.delete(DOCS, doc(p, rnd));
      } else {
        ops.put(DOCS, doc(p, rnd), value(rnd, thread, index, i));
      }
    }
  }

  /** Moves an amount between two accounts and records it in the ledger: all or nothing. */
  private void transfer(int thread, Random rnd, long index, Ops ops) {
    int from = rnd.nextInt(ACCOUNTS_PER_THREAD);
    int to = (from + 1 + rnd.nextInt(ACCOUNTS_PER_THREAD - 1)) % ACCOUNTS_PER_THREAD;
    long amount = 1 + rnd.nextInt(300);
    long fromBalance = parseBalance(ops.get(ACCOUNTS, account(thread, from)));
    long toBalance = parseBalance(ops.get(ACCOUNTS, account(thread, to)));
    amount = Math.min(amount, fromBalance);
    ops.put(ACCOUNTS, account(thread, from), balance(fromBalance - amount));
    ops.put(ACCOUNTS, account(thread, to), balance(toBalance + amount));
    String p = prefix(thread);
    byte[] entry = rnd.nextBoolean()
        ? value(rnd, thread, index, 0)
        : ("transfer " + index + ": " + amount + " from a" + from + " to a" + to)
            .getBytes(StandardCharsets.US_ASCII);
    ops.put(LEDGER, p + "l" + (index % LEDGER_SLOTS), entry);
    if (rnd.nextInt(3) == 0) {
      ops.delete(LEDGER, p + "l" + rnd.nextInt(LEDGER_SLOTS));
    }
  }

  private static String doc(String prefix, Random rnd) {
    return prefix + "d" + rnd.nextInt(DOC_KEYS);
  }

  /** A value: from the shared pool (35 %) or unique, of a size below or above the threshold. */
  private byte[] value(Random rnd, int thread, long index, int n) {
    if (rnd.nextInt(100) < 35) {
      return pool[rnd.nextInt(pool.length)].clone();
    }
    int sizeClass = rnd.nextInt(100);
    int size;
    if (sizeClass < 25) {
      size = rnd.nextInt(64);
    } else if (sizeClass < 65) {
      size = 64 + rnd.nextInt(4032);
    } else if (sizeClass < 90) {
      size = 4096 + rnd.nextInt(28_672);
    } else {
      size = 32_768 + rnd.nextInt(98_304);
    }
    byte[] v = rnd.nextBoolean()
        ? KitSupport.compressibleBytes(rnd, size)
        : KitSupport.randomBytes(rnd, size);
    // make it unique: a stamp of who wrote it, where it fits
    byte[] stamp = ("<" + thread + ":" + index + ":" + n + ">").getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(stamp, 0, v, 0, Math.min(stamp.length, v.length));
    return v;
  }
}
