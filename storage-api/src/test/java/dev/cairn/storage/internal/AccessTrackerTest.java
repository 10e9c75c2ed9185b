package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AccessTrackerTest {

  @Test
  void countsEveryReadOfManyThreadsExactly() throws Exception {
    AccessTracker t = new AccessTracker();
    int threads = 6;
    int reads = 3 * AccessTracker.LOG_CAPACITY * AccessTracker.MAX_QUEUED / threads; // fills
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (int th = 0; th < threads; th++) {
      int me = th;
      done.add(pool.submit(() -> {
        for (int i = 0; i < reads; i++) {
          if (t.recordRead("c", "k" + (i % 100), 1000L * me + i % 7) && i % 3 == 0) {
            t.collect(); // what the flusher does when asked
          }
        }
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    Map<String, long[]> byKey = new HashMap<>();
    for (AccessTracker.Drained d : t.drainAll()) {
      byKey.put(d.ref().key(), new long[] {d.count(), d.lastMillis()});
    }
    assertThat(byKey).hasSize(100);
    long total = 0;
    for (int k = 0; k < 100; k++) {
      long[] c = byKey.get("k" + k);
      long expected = 0;
      for (int i = 0; i < reads; i++) {
        expected += i % 100 == k ? 1 : 0;
      }
      assertThat(c[0]).as("reads of k" + k).isEqualTo(expected * threads);
      total += c[0];
    }
    assertThat(total).isEqualTo((long) reads * threads);
    assertThat(byKey.get("k0")[1]).isEqualTo(1000L * (threads - 1) + 6); // the latest time wins
    assertThat(t.drainAll()).isEmpty();
  }

  @Test
  void pendingForSeesReadsStillInTheLogs() {
    AccessTracker t = new AccessTracker();
    t.recordRead("c", "a", 5);
    t.recordRead("c", "a", 9);
    t.recordRead("c", "b", 7);
    assertThat(t.pendingFor("c", "a")).containsExactly(2, 9);
    assertThat(t.pendingFor("c", "x")).isNull();
    assertThat(t.pendingRecords()).isEqualTo(2);
  }

  @Test
  void forgetDropsLoggedReadsOfDeletedRecords() {
    AccessTracker t = new AccessTracker();
    t.recordRead("c", "a", 5);
    t.recordRead("c", "b", 6);
    t.forget(List.of(new AccessTracker.Ref("c", "a")));
    assertThat(t.pendingFor("c", "a")).isNull();
    assertThat(t.pendingFor("c", "b")).containsExactly(1, 6);
  }

  @Test
  void aTrackerThatDoesNotLogHasNothingPending() {
    AccessTracker t = new AccessTracker(false);
    assertThat(t.pendingFor("c", "a")).isNull();
    t.forget(List.of(new AccessTracker.Ref("c", "a")));
    t.collect();
    assertThat(t.drainAll()).isEmpty();
    assertThat(t.pendingRecords()).isZero();
  }

  @Test
  void restorePutsAFailedFlushBackOnTopOfNewReads() {
    AccessTracker t = new AccessTracker();
    t.recordRead("c", "a", 5);
    List<AccessTracker.Drained> drained = t.drainAll();
    t.recordRead("c", "a", 3);
    t.restore(drained);
    assertThat(t.pendingFor("c", "a")).containsExactly(2, 5);
  }

  @Test
  void longKeysAndAlternatingCollectionsAreCountedExactly() {
    AccessTracker t = new AccessTracker();
    // keys far longer than a log's slab holds on average (it grows), not all Latin-1; reads
    // that alternate between two collections, one named by a new string instance each time
    String[] keys = {"x".repeat(300) + "0", "x".repeat(300) + "1", "\u043a\u043b\u044e\u0447",
        "\uD83D\uDE00k"};
    int reads = 2 * AccessTracker.LOG_CAPACITY + 5;
    long[][] count = new long[2][keys.length];
    long[][] last = new long[2][keys.length];
    for (int i = 0; i < reads; i++) {
      int c = i % 2;
      int k = i % keys.length == 0 ? 0 : (i / 2) % keys.length;
      t.recordRead(c == 0 ? "a" : new String("b"), keys[k], 10L * i);
      count[c][k]++;
      last[c][k] = 10L * i;
    }
    int records = 0;
    for (int c = 0; c < 2; c++) {
      for (int k = 0; k < keys.length; k++) {
        String collection = c == 0 ? "a" : "b";
        if (count[c][k] == 0) {
          assertThat(t.pendingFor(collection, keys[k])).isNull();
          continue;
        }
        records++;
        assertThat(t.pendingFor(collection, new String(keys[k])))
            .as("%s/%s", collection, keys[k].substring(0, Math.min(4, keys[k].length())))
            .containsExactly(count[c][k], last[c][k]);
      }
    }
    assertThat(t.pendingRecords()).isEqualTo(records);
    long total = 0;
    for (AccessTracker.Drained d : t.drainAll()) {
      total += d.count();
    }
    assertThat(total).isEqualTo(reads);
  }

  @Test
  void recordsWhoseHashesCollideAreCountedApart() {
    AccessTracker t = new AccessTracker();
    // equal String hashes: "Aa" and "BB", as keys and as collections; equal record hashes of
    // other names: 31 * 'a' + 'b' == 31 * 'b' + 'C'; record hashes 0 and 1, which share a tag
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    assertThat(AccessTracker.hash("a", "b")).isEqualTo(AccessTracker.hash("b", "C"));
    assertThat(AccessTracker.hash("", "")).isZero();
    assertThat(AccessTracker.hash("", "\u0001")).isEqualTo(1);
    String[][] records = {{"c", "Aa"}, {"c", "BB"}, {"a", "b"}, {"b", "C"}, {"", ""},
        {"", "\u0001"}, {"Aa", "k"}, {"BB", "k"}};
    for (int r = 0; r < records.length; r++) {
      for (int i = 0; i <= r; i++) {
        t.recordRead(records[r][0], records[r][1], 100 + 10 * r + i);
      }
    }
    for (int r = 0; r < records.length; r++) {
      // names equal to the logged ones, not the same instances
      assertThat(t.pendingFor(new String(records[r][0]), new String(records[r][1])))
          .as("%s/%s", records[r][0], records[r][1])
          .containsExactly(r + 1, 100 + 10 * r + r);
    }
    assertThat(t.pendingRecords()).isEqualTo(records.length);

    t.forget(List.of(new AccessTracker.Ref("c", new String("Aa")),
        new AccessTracker.Ref("b", "C"), new AccessTracker.Ref("", "")));
    assertThat(t.pendingFor("c", "Aa")).isNull();
    assertThat(t.pendingFor("c", "BB")).containsExactly(2, 111);
    assertThat(t.pendingFor("a", "b")).containsExactly(3, 122);
    assertThat(t.pendingFor("b", "C")).isNull();
    assertThat(t.pendingFor("", "")).isNull();
    assertThat(t.pendingFor("", "\u0001")).containsExactly(6, 155);
    assertThat(t.pendingFor("Aa", "k")).containsExactly(7, 166);
    assertThat(t.pendingFor("BB", "k")).containsExactly(8, 177);
    assertThat(t.pendingRecords()).isEqualTo(5);
  }

  @Test
  void manyKeysOfOneHashAreCountedExactly() {
    // every string of n blocks, each "Aa" or "BB", has the same hash: 256 keys in one probe run
    List<String> keys = new ArrayList<>();
    for (int bits = 0; bits < 256; bits++) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        b.append((bits >> i & 1) == 0 ? "Aa" : "BB");
      }
      keys.add(b.toString());
    }
    assertThat(keys.stream().mapToInt(String::hashCode).distinct()).hasSize(1);
    AccessTracker t = new AccessTracker();
    for (int k = 0; k < keys.size(); k++) {
      for (int i = 0; i <= k % 5; i++) {
        t.recordRead("c", keys.get(k), k);
      }
    }
    List<AccessTracker.Ref> forgotten = new ArrayList<>();
    for (int k = 0; k < keys.size(); k += 3) {
      forgotten.add(new AccessTracker.Ref("c", keys.get(k)));
    }
    t.forget(forgotten);
    for (int k = 0; k < keys.size(); k++) {
      if (k % 3 == 0) {
        assertThat(t.pendingFor("c", keys.get(k))).isNull();
      } else {
        assertThat(t.pendingFor("c", keys.get(k))).containsExactly(k % 5 + 1, k);
      }
    }
    Map<String, Long> drained = new HashMap<>();
    for (AccessTracker.Drained d : t.drainAll()) {
      assertThat(drained.put(d.ref().key(), d.count())).isNull();
    }
    assertThat(drained).hasSize(keys.size() - forgotten.size());
  }

  @Test
  void tableGrowsForManyRecordsAndShrinksAfterADrain() {
    AccessTracker.Counts c = new AccessTracker.Counts();
    int n = 100_000;
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < n; k++) {
        String key = "k" + k;
        c.add(AccessTracker.hash("c", key), "c", key, 1 + k % 3, k);
      }
    }
    assertThat(c.size()).isEqualTo(n);
    assertThat(c.capacity()).isGreaterThanOrEqualTo(2 * n);
    for (int k = 0; k < n; k += 997) {
      String key = "k" + k;
      assertThat(c.get(AccessTracker.hash("c", key), "c", key)).containsExactly(2 * (1 + k % 3), k);
    }
    List<AccessTracker.Drained> drained = c.drain();
    assertThat(drained).hasSize(n);
    long reads = 0;
    for (int k = 0; k < n; k++) {
      reads += 2 * (1 + k % 3);
    }
    assertThat(drained.stream().mapToLong(AccessTracker.Drained::count).sum()).isEqualTo(reads);
    assertThat(c.size()).isZero();
    assertThat(c.get(AccessTracker.hash("c", "k1"), "c", "k1")).isNull();

    c.add(AccessTracker.hash("c", "x"), "c", "x", 1, 1);
    c.drain(); // one record pending at the last drain: the table starts again small
    assertThat(c.capacity()).isEqualTo(AccessTracker.Counts.MIN_CAPACITY);
  }

  @Test
  void removalInsideAProbeRunThatWrapsAroundKeepsTheRestFindable() {
    AccessTracker.Counts c = new AccessTracker.Counts();
    int capacity = c.capacity();
    // tags whose probe starts at the last slot and at the first: their runs interleave and wrap
    int last = tagWithHome(capacity - 1, capacity);
    int first = tagWithHome(0, capacity);
    Map<String, Integer> hashOf = new HashMap<>();
    for (int k = 0; k < capacity / 2; k++) {
      String key = "k" + k;
      int h = k % 3 == 0 ? first : last;
      hashOf.put(key, h);
      c.add(h, "c", key, k + 1, k);
    }
    assertThat(c.capacity()).as("no resize: the run must wrap").isEqualTo(capacity);
    SplittableRandom random = new SplittableRandom(7);
    List<String> live = new ArrayList<>(hashOf.keySet());
    while (!live.isEmpty()) {
      String gone = live.remove(random.nextInt(live.size()));
      c.remove(hashOf.get(gone), "c", gone);
      assertThat(c.get(hashOf.get(gone), "c", gone)).isNull();
      for (String key : live) {
        int k = Integer.parseInt(key.substring(1));
        assertThat(c.get(hashOf.get(key), "c", key)).as(key).containsExactly(k + 1, k);
      }
      assertThat(c.size()).isEqualTo(live.size());
    }
  }

  /** A tag whose probe starts at slot {@code home} of a table of {@code capacity} slots. */
  private static int tagWithHome(int home, int capacity) {
    int shift = Integer.numberOfLeadingZeros(capacity) + 1;
    for (int tag = 2; ; tag++) {
      if ((tag * 0x9E3779B9) >>> shift == home) {
        return tag;
      }
    }
  }

  @Test
  void countsAgreeWithAMapUnderRandomAddsRemovalsAndDrains() {
    for (int seed = 0; seed < 40; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      int records = 1 + random.nextInt(600);
      // few distinct hashes make long probe runs, the full hash short ones
      int distinctHashes = random.nextBoolean() ? 1 + random.nextInt(6) : 0;
      AccessTracker.Counts c = new AccessTracker.Counts();
      Map<AccessTracker.Ref, long[]> model = new HashMap<>();
      for (int op = 0; op < 6000; op++) {
        String collection = random.nextInt(4) == 0 ? "d" : "c";
        String key = "k" + random.nextInt(records);
        int h = AccessTracker.hash(collection, key);
        if (distinctHashes > 0) {
          h = Math.floorMod(h, distinctHashes);
        }
        AccessTracker.Ref ref = new AccessTracker.Ref(collection, key);
        int what = random.nextInt(100);
        if (what < 60) {
          long count = 1 + random.nextInt(3);
          long millis = random.nextInt(1000);
          c.add(h, new String(collection), key, count, millis);
          model.merge(ref, new long[] {count, millis},
              (a, b) -> new long[] {a[0] + b[0], Math.max(a[1], b[1])});
        } else if (what < 90) {
          c.remove(h, collection, new String(key));
          model.remove(ref);
        } else if (what < 99) {
          long[] expected = model.get(ref);
          if (expected == null) {
            assertThat(c.get(h, collection, key)).isNull();
          } else {
            assertThat(c.get(h, collection, key)).containsExactly(expected);
          }
        } else {
          assertDrainsTo(c, model);
          model.clear();
        }
        assertThat(c.size()).isEqualTo(model.size());
      }
      assertDrainsTo(c, model);
    }
  }

  private static void assertDrainsTo(AccessTracker.Counts c, Map<AccessTracker.Ref, long[]> model) {
    Map<AccessTracker.Ref, List<Long>> drained = new HashMap<>();
    for (AccessTracker.Drained d : c.drain()) {
      assertThat(drained.put(d.ref(), List.of(d.count(), d.lastMillis()))).isNull();
    }
    Map<AccessTracker.Ref, List<Long>> expected = new HashMap<>();
    model.forEach((r, v) -> expected.put(r, List.of(v[0], v[1])));
    assertThat(drained).isEqualTo(expected);
    assertThat(c.size()).isZero();
  }

  @Test
  void drainsWhileManyThreadsReadLoseAndDoubleNoRead() throws Exception {
    AccessTracker t = new AccessTracker();
    int threads = 8;
    int reads = 60_000;
    int records = 5_000; // per thread, half of them shared with the next thread
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean reading = new AtomicBoolean(true);
    Map<String, Long> flushed = new HashMap<>();
    Future<?> drainer = pool.submit(() -> {
      start.await();
      for (int round = 0; reading.get(); round++) {
        if (round % 2 == 0) {
          t.collect(); // what the flusher does between flushes
        } else {
          for (AccessTracker.Drained d : t.drainAll()) {
            flushed.merge(d.ref().key(), d.count(), Long::sum);
          }
        }
      }
      return null;
    });
    List<Future<?>> done = new ArrayList<>();
    for (int th = 0; th < threads; th++) {
      int me = th;
      done.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < reads; i++) {
          int k = me * records / 2 + i % records;
          if (t.recordRead("c", "k" + k, i) && i % 5 == 0) {
            t.collect();
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    reading.set(false);
    drainer.get();
    pool.shutdown();
    for (AccessTracker.Drained d : t.drainAll()) {
      flushed.merge(d.ref().key(), d.count(), Long::sum);
    }
    Map<String, Long> expected = new HashMap<>();
    for (int th = 0; th < threads; th++) {
      for (int i = 0; i < reads; i++) {
        expected.merge("k" + (th * records / 2 + i % records), 1L, Long::sum);
      }
    }
    assertThat(flushed).isEqualTo(expected);
  }
}
