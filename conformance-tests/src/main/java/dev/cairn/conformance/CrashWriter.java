package dev.cairn.conformance;

import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.DedupMode;
import dev.cairn.storage.Durability;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Main class of the child JVM that {@link CrashHarness} starts and kills: opens the store and
 * writes the {@link CrashWorkload} from the given step of each writer thread until killed. After
 * each write call returns it prints {@code ack <thread> <step>} on stdout in one unbuffered
 * {@code write(2)} (so a line is either wholly in the pipe or not at all).
 *
 * <p>Arguments: {@code dir backend codec durability seed start0,start1,... [option=value ...]}
 * where the options are backend options. Not a library entry point.
 *
 * <p>For {@link PowerLossHarness}, the system property {@value #STEPS_PROPERTY} bounds the run:
 * each thread writes that many steps, then the JVM prints {@code done} and halts without closing
 * the store (like a crash), or, when {@value #END_PROPERTY} is {@code close}, closes the store,
 * prints {@code closed} and halts.
 */
final class CrashWriter {

  private static final FileOutputStream OUT = new FileOutputStream(FileDescriptor.out);

  /** Steps per thread before the writer stops (default: unbounded, until killed). */
  static final String STEPS_PROPERTY = "cairn.crashWriter.steps";
  /**
   * The {@code DedupMode} to write with (default {@code ON_WRITE}); with {@code DEFERRED} a
   * thread also runs {@code maintenance()} every 100–400 ms while the writers write.
   */
  static final String DEDUP_PROPERTY = "cairn.crashWriter.dedup";
  /** {@code true}: write with the change feed on (unlimited retention). */
  static final String FEED_PROPERTY = "cairn.crashWriter.feed";
  /** {@code close}: close the store after the last step; anything else: halt without closing. */
  static final String END_PROPERTY = "cairn.crashWriter.end";

  private CrashWriter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    StorageBuilder b = KitSupport.selectBackend(Storage.builder(), args[1])
        .directory(dir)
        .codec(args[2])
        .durability(Durability.valueOf(args[3]))
        .noScheduledMaintenance();
    DedupMode dedup = DedupMode.valueOf(System.getProperty(DEDUP_PROPERTY, "ON_WRITE"));
    b.dedupMode(dedup);
    if (Boolean.getBoolean(FEED_PROPERTY)) {
      b.changeFeed(ChangeFeedRetention.unlimited());
    }
    long seed = Long.parseLong(args[4]);
    String[] starts = args[5].split(",");
    for (int i = 6; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      b.backendOption(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    Storage storage = b.open(); // never closed: the parent kills this JVM
    CrashWorkload workload = new CrashWorkload(seed);
    long steps = Long.getLong(STEPS_PROPERTY, Long.MAX_VALUE);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < starts.length; t++) {
      int thread = t;
      long start = Long.parseLong(starts[t]);
      long end = steps == Long.MAX_VALUE ? Long.MAX_VALUE : start + steps;
      Thread th = new Thread(() -> write(storage, workload, thread, start, end),
          "crash-writer-" + t);
      th.setDaemon(false);
      threads.add(th);
    }
    if (dedup == DedupMode.DEFERRED) {
      Thread maintenance = new Thread(() -> maintain(storage, seed), "crash-maintenance");
      maintenance.setDaemon(true);
      maintenance.start();
    }
    print("ready");
    threads.forEach(Thread::start);
    for (Thread th : threads) {
      th.join();
    }
    if ("close".equals(System.getProperty(END_PROPERTY))) {
      storage.close();
      print("closed");
    } else {
      print("done");
    }
    Runtime.getRuntime().halt(0); // no shutdown hook, no close: as if the process died here
  }

  /** Runs maintenance (deferred dedup among its steps) until the JVM dies; a failure ends it. */
  private static void maintain(Storage storage, long seed) {
    java.util.Random rnd = new java.util.Random(seed);
    try {
      while (true) {
        Thread.sleep(100 + rnd.nextInt(300));
        MaintenanceReport r = storage.maintenance();
        if (!r.successful()) {
          print("error maintenance " + r.failures());
          System.exit(3);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      e.printStackTrace();
      print("error maintenance " + e);
      System.exit(3);
    }
  }

  private static void write(
      Storage storage, CrashWorkload workload, int thread, long start, long end) {
    try {
      for (long i = start; i < end; i++) {
        long step = i;
        switch (workload.kind(thread, step)) {
          case SINGLE_PUT, SINGLE_DELETE, BATCH -> workload.apply(thread, step, direct(storage));
          case TRANSACTION -> storage.useTransaction(tx -> workload.apply(thread, step, inTx(tx)));
          default -> throw new IllegalStateException();
        }
        print("ack " + thread + " " + step);
      }
    } catch (Throwable e) {
      e.printStackTrace();
      print("error " + thread + " " + e);
      System.exit(3);
    }
  }

  private static CrashWorkload.Ops direct(Storage storage) {
    return new CrashWorkload.Ops() {
      @Override
      public byte[] get(String collection, String key) {
        throw new IllegalStateException("a single-call step does not read");
      }

      @Override
      public void put(String collection, String key, byte[] value) {
        storage.putBytes(collection, key, value);
      }

      @Override
      public void delete(String collection, String key) {
        storage.delete(collection, key);
      }

      @Override
      public void putAll(String collection, Map<String, byte[]> values) {
        storage.putAllBytes(collection, values);
      }
    };
  }

  private static CrashWorkload.Ops inTx(dev.cairn.storage.Transaction tx) {
    return new CrashWorkload.Ops() {
      @Override
      public byte[] get(String collection, String key) {
        return tx.getBytes(collection, key).orElse(null);
      }

      @Override
      public void put(String collection, String key, byte[] value) {
        tx.putBytes(collection, key, value);
      }

      @Override
      public void delete(String collection, String key) {
        tx.delete(collection, key);
      }

      @Override
      public void putAll(String collection, Map<String, byte[]> values) {
        values.forEach((k, v) -> tx.putBytes(collection, k, v));
      }
    };
  }

  private static void print(String line) {
    byte[] b = (line + "\n").getBytes(StandardCharsets.US_ASCII);
    synchronized (OUT) {
      try {
        OUT.write(b);
      } catch (IOException e) {
        // the parent went away: nothing left to acknowledge to
        Runtime.getRuntime().halt(4);
      }
    }
  }
}
