package dev.cairn.benchmarks;

import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * What the change feed costs the write path: the same writes with the feed {@code off} (the
 * default) and {@code on} (unlimited retention, so no trimming runs), on one backend, identity
 * codec, no cache, 256-byte values:
 *
 * <ul>
 *   <li>{@code durablePut}: one {@code putBytes} with {@code SYNC} durability (one change, one
 *       entry and the head written in the commit's transaction);
 *   <li>{@code batchLoad}: one {@code putAllBytes} of 100 new values with {@code SYNC}
 *       durability (100 changes in one commit);
 *   <li>{@code concurrentPut}: four threads of {@code durablePut}, each on its own keys (the
 *       commits queue on the write lock, or on PostgreSQL on the feed's head row).
 * </ul>
 *
 * Backend {@code postgres} runs on the server {@code TestPostgres} starts for the run (as
 * SpaceReport), each trial in a new schema. Off, the write path allocates nothing for the feed and touches
 * no keyspace of it. Results: benchmarks/README.md, "Change feed".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class FeedBenchmark {

  private static final int KEYS = 4096;
  private static final int BATCH = 100;

  /** The backend. */
  @Param({"sqlite", "lmdb", "h2", "postgres"})
  public String backend;

  /** off or on. */
  @Param({"off", "on"})
  public String feed;

  private Path root;
  private Storage storage;
  private String[] keys;
  private byte[] value;
  private int next;
  private long batches;

  @Setup(Level.Trial)
  public void setUp() {
    root = BenchDirs.fresh("feed-" + backend + "-" + feed);
    StorageBuilder b = Storage.builder().directory(root.resolve("store")).backend(backend)
        .durability(Durability.SYNC).noScheduledMaintenance();
    if (backend.equals("postgres")) {
      dev.cairn.backend.postgres.TestPostgres.get().freshOptions("feed").forEach(b::backendOption);
    }
    if (feed.equals("on")) {
      b.changeFeed(ChangeFeedRetention.unlimited());
    } else if (!feed.equals("off")) {
      throw new IllegalArgumentException("feed must be off or on, got " + feed);
    }
    storage = b.open();
    keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "order-" + i;
    }
    value = new byte[256];
    new Random(1).nextBytes(value);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    storage.close();
    BenchDirs.delete(root);
  }

  @Benchmark
  public void durablePut() {
    next = (next + 1) & (KEYS - 1);
    storage.putBytes("bench", keys[next], value);
  }

  /** A writer thread's own keys. */
  @State(Scope.Thread)
  public static class Writer {
    private static final java.util.concurrent.atomic.AtomicInteger THREADS =
        new java.util.concurrent.atomic.AtomicInteger();
    private final String[] keys = new String[KEYS];
    private int next;

    /** Keys {@code writer<n>-<i>}. */
    public Writer() {
      int n = THREADS.incrementAndGet();
      for (int i = 0; i < KEYS; i++) {
        keys[i] = "writer" + n + "-" + i;
      }
    }
  }

  @Benchmark
  @Threads(4)
  public void concurrentPut(Writer w) {
    w.next = (w.next + 1) & (KEYS - 1);
    storage.putBytes("bench", w.keys[w.next], value);
  }

  @Benchmark
  public void batchLoad() {
    Map<String, byte[]> batch = new LinkedHashMap<>();
    long b = batches++;
    for (int i = 0; i < BATCH; i++) {
      batch.put("load-" + b + "-" + i, value);
    }
    storage.putAllBytes("load", batch);
  }
}
