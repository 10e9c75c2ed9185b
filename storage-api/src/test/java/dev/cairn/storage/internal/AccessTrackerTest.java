package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
  void restorePutsAFailedFlushBackOnTopOfNewReads() {
    AccessTracker t = new AccessTracker();
    t.recordRead("c", "a", 5);
    List<AccessTracker.Drained> drained = t.drainAll();
    t.recordRead("c", "a", 3);
    t.restore(drained);
    assertThat(t.pendingFor("c", "a")).containsExactly(2, 5);
  }
}
