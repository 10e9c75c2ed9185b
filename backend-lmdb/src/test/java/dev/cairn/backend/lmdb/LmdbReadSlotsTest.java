package dev.cairn.backend.lmdb;

import static dev.cairn.backend.lmdb.LmdbTestSupport.b;
import static dev.cairn.backend.lmdb.LmdbTestSupport.get;
import static dev.cairn.backend.lmdb.LmdbTestSupport.put;
import static dev.cairn.backend.lmdb.LmdbTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The read slots ({@link LmdbReadSlots}): each reading thread keeps a native read transaction,
 * reset while idle, and claims it without touching shared state. What must stay true: threads
 * that come and go (many more over time than LMDB has reader slots) never exhaust the reader
 * table, a thread can open a second read while its first is open, reads keep working while the
 * map grows, and close() ends and frees everything, also the idle slots of threads still alive.
 */
final class LmdbReadSlotsTest {

  private static final long SEED = Long.getLong("cairn.test.seed", 20261205L);

  @TempDir Path dir;

  @Test
  void manyMoreThreadsThanReaderSlotsOverTimeNeverExhaustTheReaderTable() throws Exception {
    // 4 reader slots in LMDB's table, 3 kept by the backend: at most 4 reads at once, from 300
    // threads that each read and exit. A slot owned by a dead thread forever would fail by the
    // fifth thread with "readers full".
    Map<String, String> options = Map.of("lmdb.maxReaders", "4", "lmdb.readTxnPoolSize", "3");
    try (Backend backend = LmdbTestSupport.open(dir, options)) {
      for (int i = 0; i < 10; i++) {
        put(backend, "records", b("k" + i), b("v" + i));
      }
      Semaphore atOnce = new Semaphore(4);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 300; t++) {
        int id = t;
        Thread thread = new Thread(() -> {
          try {
            for (int n = 0; n < 5; n++) {
              atOnce.acquireUninterruptibly();
              try (BackendTransaction tx = backend.beginRead()) {
                int k = (id + n) % 10;
                assertThat(s(tx.get("records", b("k" + k)))).isEqualTo("v" + k);
              } finally {
                atOnce.release();
              }
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }, "reader-" + t);
        thread.start();
        threads.add(thread);
        if (threads.size() == 8) { // a few alive at a time; the others have exited
          for (Thread th : threads) {
            th.join();
          }
          threads.clear();
        }
      }
      for (Thread th : threads) {
        th.join();
      }
      assertThat(failure.get()).isNull();
      assertThat(((LmdbBackend) backend).readSlots().withNativeTxn()).isLessThanOrEqualTo(3);
      // and the reader table still has room for as many reads as it allows
      BackendTransaction[] open = new BackendTransaction[4];
      try {
        for (int i = 0; i < 4; i++) {
          open[i] = backend.beginRead();
          assertThat(s(open[i].get("records", b("k1")))).isEqualTo("v1");
        }
      } finally {
        for (BackendTransaction tx : open) {
          if (tx != null) {
            tx.close();
          }
        }
      }
    }
  }

  @Test
  void eachReadingThreadKeepsASlotOfItsOwn() throws Exception {
    // Two threads reading side by side: after its first read, each always gets the same slot,
    // and not the other's (sharing one slot would bounce its cache line between the cores).
    try (Backend backend = LmdbTestSupport.open(dir)) {
      put(backend, "records", b("k"), b("v"));
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<java.util.Set<LmdbReadSlots.Slot>>> work = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          work.add(pool.submit(() -> {
            java.util.Set<LmdbReadSlots.Slot> used =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            start.await();
            for (int n = 0; n < 5_000; n++) {
              try (BackendTransaction tx = backend.beginRead()) {
                assertThat(s(tx.get("records", b("k")))).isEqualTo("v");
                used.add(((LmdbReadTransaction) tx).slot());
              }
            }
            return used;
          }));
        }
        start.countDown();
        java.util.Set<LmdbReadSlots.Slot> first = work.get(0).get(60, TimeUnit.SECONDS);
        java.util.Set<LmdbReadSlots.Slot> second = work.get(1).get(60, TimeUnit.SECONDS);
        assertThat(first).hasSize(1);
        assertThat(second).hasSize(1);
        assertThat(first.iterator().next()).isNotSameAs(second.iterator().next());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  // ---------------------------------------------- snapshots kept between reads (makeCurrent)

  private static byte[] latest(Backend backend, String key) {
    return backend.readLatest("records", b(key), v -> {
      byte[] out = new byte[v.remaining()];
      v.duplicate().get(out);
      return out;
    });
  }

  /** Runs {@code body} on a thread of its own and waits for it. */
  private static <T> T onOtherThread(java.util.concurrent.Callable<T> body) throws Exception {
    ExecutorService one = Executors.newSingleThreadExecutor();
    try {
      return one.submit(body).get(30, TimeUnit.SECONDS);
    } finally {
      one.shutdownNow();
    }
  }

  @Test
  void aSlotKeepsItsSnapshotUntilACommitAndTheCommitResetsItIfIdle() throws Exception {
    try (Backend backend = LmdbTestSupport.open(dir)) {
      LmdbReadSlots slots = ((LmdbBackend) backend).readSlots();
      put(backend, "records", b("k"), b("v1"));
      ExecutorService reader = Executors.newSingleThreadExecutor();
      try {
        assertThat(s(reader.submit(() -> latest(backend, "k")).get())).isEqualTo("v1");
        assertThat(slots.keptSnapshots()).as("kept after a read with nothing committed").isOne();
        assertThat(s(reader.submit(() -> get(backend, "records", b("k"))).get()))
            .isEqualTo("v1");
        assertThat(slots.keptSnapshots()).isOne();
        // a commit on another thread: the reader's idle slot must not pin the old snapshot
        put(backend, "records", b("k"), b("v2"));
        assertThat(slots.keptSnapshots()).as("reset by the commit").isZero();
        assertThat(s(reader.submit(() -> latest(backend, "k")).get())).isEqualTo("v2");
        assertThat(s(reader.submit(() -> get(backend, "records", b("k"))).get()))
            .isEqualTo("v2");
      } finally {
        reader.shutdownNow();
      }
    }
  }

  @Test
  void aReadInProgressDuringACommitDoesNotKeepItsSnapshot() throws Exception {
    try (Backend backend = LmdbTestSupport.open(dir)) {
      LmdbReadSlots slots = ((LmdbBackend) backend).readSlots();
      put(backend, "records", b("k"), b("v1"));
      BackendTransaction open = backend.beginRead(); // its slot is in use: the commit skips it
      assertThat(s(open.get("records", b("k")))).isEqualTo("v1");
      put(backend, "records", b("k"), b("v2"));
      assertThat(s(open.get("records", b("k")))).as("its own snapshot").isEqualTo("v1");
      open.close();
      assertThat(slots.keptSnapshots()).as("stale when it ended: reset").isZero();
      assertThat(s(latest(backend, "k"))).isEqualTo("v2");
      assertThat(s(get(backend, "records", b("k")))).isEqualTo("v2");
    }
  }

  @Test
  void aStaleSnapshotGivenBackAfterTheCommitsPassIsRenewedByTheNextRead() throws Exception {
    // The race the next commit's pass cleans up: a holder checks the count, a commit runs and its
    // pass skips the slot (in use), and the holder gives the slot back with the old snapshot.
    // Played here step by step on this thread's slot.
    try (Backend backend = LmdbTestSupport.open(dir)) {
      LmdbBackend lmdb = (LmdbBackend) backend;
      LmdbReadSlots slots = lmdb.readSlots();
      put(backend, "records", b("k"), b("v1"));
      assertThat(s(latest(backend, "k"))).isEqualTo("v1");
      LmdbReadSlots.Slot slot = slots.claimCached();
      assertThat(slot).isNotNull();
      slots.makeCurrent(slot);
      onOtherThread(() -> {
        put(backend, "records", b("k"), b("v2"));
        return null;
      });
      slots.release(slot); // as a holder that read the count before the commit began
      assertThat(slots.keptSnapshots()).isOne();
      assertThat(s(latest(backend, "k"))).as("renewed: the count moved").isEqualTo("v2");
      assertThat(slots.keptSnapshots()).isOne();
      // and a stale snapshot left idle is reset by the next commit
      slot = slots.claimCached();
      slots.makeCurrent(slot);
      onOtherThread(() -> {
        put(backend, "records", b("k"), b("v3"));
        return null;
      });
      slots.release(slot);
      onOtherThread(() -> {
        put(backend, "records", b("other"), b("x"));
        return null;
      });
      assertThat(slots.keptSnapshots()).isZero();
      assertThat(s(latest(backend, "k"))).isEqualTo("v3");
    }
  }

  @Test
  void whileACommitRunsNoSnapshotIsKept() throws Exception {
    try (Backend backend = LmdbTestSupport.open(dir)) {
      LmdbReadSlots slots = ((LmdbBackend) backend).readSlots();
      put(backend, "records", b("k"), b("v1"));
      slots.commitStarting(); // as the writer does just before mdb_txn_commit
      try {
        assertThat(s(latest(backend, "k"))).isEqualTo("v1");
        assertThat(slots.keptSnapshots()).as("taken while a commit ran").isZero();
      } finally {
        slots.commitEnded();
      }
      assertThat(s(latest(backend, "k"))).isEqualTo("v1");
      assertThat(slots.keptSnapshots()).isOne();
    }
  }

  @Test
  void readsOnManyThreadsSeeEveryCommitThatReturnedBeforeTheyBegan() throws Exception {
    // One writer counts up and, after each commit returns, publishes the count; readers note the
    // published count, then read: the value must never be less (a kept snapshot that missed a
    // commit would be). Reads by key and in read transactions, on more threads than cores.
    try (Backend backend = LmdbTestSupport.open(dir)) {
      put(backend, "records", b("n"), b("0"));
      AtomicLong returned = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<String> wrong = new AtomicReference<>();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Long>> readers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          boolean inTransactions = t % 2 == 1;
          readers.add(pool.submit(() -> {
            long reads = 0;
            while (!stop.get()) {
              long before = returned.get();
              long seen = Long.parseLong(s(inTransactions
                  ? get(backend, "records", b("n")) : latest(backend, "n")));
              if (seen < before) {
                wrong.compareAndSet(null, "read " + seen + " after commit " + before + " returned");
              }
              reads++;
            }
            return reads;
          }));
        }
        for (int i = 1; i <= 3_000; i++) {
          try (BackendTransaction tx = backend.beginWrite()) {
            tx.put("records", b("n"), b(Long.toString(i)));
            tx.commit(Durability.ASYNC);
          }
          returned.set(i);
        }
        stop.set(true);
        for (Future<Long> f : readers) {
          assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
        }
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
      assertThat(wrong.get()).isNull();
      assertThat(s(latest(backend, "n"))).isEqualTo("3000");
    }
  }

  @Test
  void moreLiveThreadsThanSlotsShareThemAndAllReadCorrectly() throws Exception {
    // 12 threads alive at once, 2 slots: threads take turns on the slots, and overflow reads get
    // a transaction of their own. Every value read matches what was committed.
    Map<String, String> options = Map.of("lmdb.maxReaders", "16", "lmdb.readTxnPoolSize", "2");
    try (Backend backend = LmdbTestSupport.open(dir, options)) {
      for (int i = 0; i < 100; i++) {
        put(backend, "records", b("k" + i), b("v" + i));
      }
      ExecutorService pool = Executors.newFixedThreadPool(12);
      try {
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
          int id = t;
          work.add(pool.submit(() -> {
            Random rnd = new Random(SEED + id);
            for (int n = 0; n < 2_000; n++) {
              int k = rnd.nextInt(100);
              try (BackendTransaction tx = backend.beginRead()) {
                assertThat(s(tx.get("records", b("k" + k)))).isEqualTo("v" + k);
              }
            }
            return null;
          }));
        }
        for (Future<?> f : work) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(((LmdbBackend) backend).readSlots().withNativeTxn()).isLessThanOrEqualTo(2);
    }
  }

  @ParameterizedTest(name = "readTxnPoolSize={0}")
  @ValueSource(ints = {0, 1, 2, 16})
  void aThreadCanNestReadTransactionsEachOnItsOwnSnapshot(int poolSize) {
    Map<String, String> options = Map.of("lmdb.readTxnPoolSize", Integer.toString(poolSize));
    try (Backend backend = LmdbTestSupport.open(dir, options)) {
      put(backend, "records", b("k"), b("1"));
      for (int round = 0; round < 50; round++) {
        BackendTransaction first = backend.beginRead();
        BackendCursor scan = first.scan("records", null, null);
        assertThat(scan.next()).isTrue();
        put(backend, "records", b("k"), b("2"));
        BackendTransaction second = backend.beginRead();
        put(backend, "records", b("k"), b("3"));
        BackendTransaction third = backend.beginRead();
        // each one its own snapshot: had two shared a native transaction, they would agree
        assertThat(s(first.get("records", b("k")))).isEqualTo("1");
        assertThat(s(scan.value())).isEqualTo("1");
        assertThat(s(second.get("records", b("k")))).isEqualTo("2");
        assertThat(s(third.get("records", b("k")))).isEqualTo("3");
        // ended out of order; the others stay usable
        if (round % 2 == 0) {
          scan.close();
          first.close();
          assertThat(s(third.get("records", b("k")))).isEqualTo("3");
          second.close();
        } else {
          second.close();
          assertThat(s(first.get("records", b("k")))).isEqualTo("1");
          scan.close();
          first.close();
        }
        assertThat(s(third.get("records", b("k")))).isEqualTo("3");
        third.close();
        assertThatThrownBy(() -> second.get("records", b("k")))
            .isInstanceOf(IllegalStateException.class);
        put(backend, "records", b("k"), b("1"));
      }
      assertThat(((LmdbBackend) backend).readSlots().withNativeTxn())
          .isLessThanOrEqualTo(poolSize);
    }
  }

  @Test
  void readsOnManyThreadsKeepWorkingWhileTheMapGrowsAgainAndAgain() throws Exception {
    // A 1 MiB map grown to tens of MiB by a writer while 4 threads read, some with a second read
    // open inside the first. Every growth has to wait for the reads on slots and free the idle
    // slots; a read that used a slot during a resize could crash the JVM.
    Map<String, String> options = Map.of("lmdb.mapSize", "1m", "lmdb.readTxnPoolSize", "3");
    try (Backend backend = LmdbTestSupport.open(dir, options)) {
      put(backend, "records", b("fixed"), b("value"));
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<Long>> readers = new ArrayList<>();
      try {
        for (int t = 0; t < 4; t++) {
          int id = t;
          readers.add(pool.submit(() -> {
            long reads = 0;
            while (!stop.get()) {
              try (BackendTransaction tx = backend.beginRead()) {
                assertThat(s(tx.get("records", b("fixed")))).isEqualTo("value");
                if (id % 2 == 0 && reads % 7 == 0) {
                  try (BackendTransaction inner = backend.beginRead()) {
                    assertThat(s(inner.get("records", b("fixed")))).isEqualTo("value");
                  }
                }
                byte[] blob = tx.get("blobs", b("blob" + (reads % 50)));
                if (blob != null) {
                  assertThat(blob).hasSize(100_000);
                }
              }
              reads++;
            }
            return reads;
          }));
        }
        long before = ((LmdbBackend) backend).mapSize();
        for (int i = 0; i < 300; i++) {
          try (BackendTransaction tx = backend.beginWrite()) {
            tx.put("blobs", b("blob" + i), new byte[100_000]);
            tx.commit(Durability.ASYNC);
          }
        }
        assertThat(((LmdbBackend) backend).mapSize()).isGreaterThanOrEqualTo(16 * before);
      } finally {
        stop.set(true);
        pool.shutdown();
      }
      for (Future<Long> f : readers) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
      }
    }
  }

  @Test
  void aThreadHoldingAReadCanOpenAnotherWhileAGrowthWaitsForIt() throws Exception {
    // The growth waits for this thread's first read; had the second read waited for the growth,
    // both would wait until the growth gave up after lmdb.writerTimeoutMs and failed the write.
    Map<String, String> options = Map.of("lmdb.mapSize", "1m", "lmdb.writerTimeoutMs", "20000");
    try (Backend backend = LmdbTestSupport.open(dir, options)) {
      put(backend, "records", b("k"), b("v"));
      BackendTransaction first = backend.beginRead();
      ExecutorService writer = Executors.newSingleThreadExecutor();
      try {
        Future<?> big = writer.submit(() -> {
          try (BackendTransaction tx = backend.beginWrite()) {
            for (int i = 0; i < 20; i++) {
              tx.put("blobs", b("blob" + i), new byte[100_000]);
            }
            tx.commit(Durability.SYNC);
          }
          return null;
        });
        LmdbMapGrowthGate gate = ((LmdbBackend) backend).mapGate;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!gate.exclusivePending() && System.nanoTime() < until) {
          Thread.sleep(1);
        }
        assertThat(gate.exclusivePending()).as("the growth waits for the open read").isTrue();
        long start = System.nanoTime();
        try (BackendTransaction second = backend.beginRead()) {
          assertThat(s(second.get("records", b("k")))).isEqualTo("v");
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        first.close();
        big.get(30, TimeUnit.SECONDS);
      } finally {
        first.close();
        writer.shutdownNow();
      }
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.get("blobs", b("blob19"))).hasSize(100_000);
      }
    }
  }

  @Test
  void closeEndsOpenReadsAndFreesTheIdleSlotsOfThreadsStillAlive() throws Exception {
    LmdbBackend backend = (LmdbBackend) LmdbTestSupport.open(dir);
    put(backend, "records", b("k"), b("v"));
    int n = 6;
    CountDownLatch ready = new CountDownLatch(n);
    CountDownLatch closedLatch = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    List<Future<?>> work = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      boolean holdOpen = t % 2 == 0;
      work.add(pool.submit(() -> {
        // every thread takes a slot; half keep a read (with a cursor) open, half go idle
        try (BackendTransaction tx = backend.beginRead()) {
          tx.get("records", b("k"));
        }
        BackendTransaction open = holdOpen ? backend.beginRead() : null;
        BackendCursor cursor = holdOpen ? open.scan("records", null, null) : null;
        if (holdOpen) {
          assertThat(cursor.next()).isTrue();
        }
        ready.countDown();
        closedLatch.await();
        if (holdOpen) {
          // ended by close(): every use is an IllegalStateException, never native code
          assertThatThrownBy(() -> open.get("records", b("k")))
              .isInstanceOf(IllegalStateException.class);
          assertThatThrownBy(cursor::next).isInstanceOf(IllegalStateException.class);
          cursor.close();
          open.close();
        }
        assertThatThrownBy(backend::beginRead).isInstanceOf(IllegalStateException.class);
        return null;
      }));
    }
    try {
      assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(backend.readSlots().withNativeTxn()).isPositive();
      Thread closer = new Thread(backend::close);
      closer.start();
      closer.join(30_000);
      assertThat(closer.isAlive()).as("close() returned").isFalse();
      assertThat(backend.readSlots().withNativeTxn()).isZero();
      closedLatch.countDown();
      for (Future<?> f : work) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      closedLatch.countDown();
      pool.shutdownNow();
    }
    // the store reopens: nothing of the old environment is held
    try (Backend again = LmdbTestSupport.open(dir)) {
      assertThat(LmdbTestSupport.get(again, "records", b("k"))).isEqualTo(b("v"));
    }
  }

  @Test
  void closeRacingWithNestedReadsAndGrowthEndsEveryCallCleanly() throws Exception {
    Random rnd = new Random(SEED);
    AtomicReference<Throwable> wrong = new AtomicReference<>();
    for (int round = 0; round < 60 && wrong.get() == null; round++) {
      Backend backend = LmdbTestSupport.open(dir.resolve("store" + round),
          Map.of("lmdb.mapSize", "256k", "lmdb.readTxnPoolSize", "2"));
      put(backend, "records", b("k"), b("v"));
      AtomicBoolean stop = new AtomicBoolean();
      int threads = 4;
      CountDownLatch running = new CountDownLatch(threads);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        boolean writer = t == 0;
        work.add(pool.submit(() -> {
          running.countDown();
          for (long i = 0; !stop.get(); i++) {
            try {
              if (writer) {
                try (BackendTransaction tx = backend.beginWrite()) {
                  tx.put("blobs", b("b" + (i % 40)), new byte[20_000]);
                  tx.commit(Durability.ASYNC);
                }
              } else {
                try (BackendTransaction tx = backend.beginRead()) {
                  assertThat(s(tx.get("records", b("k")))).isEqualTo("v");
                  if (i % 3 == 0) {
                    try (BackendTransaction inner = backend.beginRead();
                        BackendCursor c = inner.scan("blobs", null, null)) {
                      for (int n = 0; n < 3 && c.next(); n++) {
                        c.value();
                      }
                    }
                  }
                }
              }
            } catch (IllegalStateException | StorageException e) {
              return null; // what a call that meets close() may do
            } catch (RuntimeException | Error e) {
              wrong.compareAndSet(null, e);
              return null;
            }
          }
          return null;
        }));
      }
      running.await(10, TimeUnit.SECONDS);
      Thread.sleep(rnd.nextInt(20));
      try {
        backend.close();
      } catch (RuntimeException | Error e) {
        wrong.compareAndSet(null, e);
      }
      stop.set(true);
      for (Future<?> f : work) {
        f.get(30, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
      assertThat(((LmdbBackend) backend).readSlots().withNativeTxn()).isZero();
    }
    assertThat(wrong.get()).as("a call racing with close() (seed %d)", SEED).isNull();
  }
}
