package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin.VerificationReport;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.StorageListener;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.TransactionConflictException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What listeners are told and what {@code stats()} counts, after known workloads. */
final class ObserversTest {

  @TempDir Path dir;
  private final List<Storage> opened = new ArrayList<>();

  /** Records every call, in order, as a line; sums the nanoseconds it is given. */
  static final class Recorder implements StorageListener {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final AtomicLong readNanos = new AtomicLong();
    final AtomicLong commitNanos = new AtomicLong();
    final List<Throwable> rollbacks = new CopyOnWriteArrayList<>();
    final List<MaintenanceReport> maintenance = new CopyOnWriteArrayList<>();
    final List<VerificationReport> verifications = new CopyOnWriteArrayList<>();
    final List<DataCorruptionException> corruptions = new CopyOnWriteArrayList<>();

    @Override
    public void onRead(String collection, long nanos) {
      calls.add("read " + collection);
      readNanos.addAndGet(nanos);
    }

    @Override
    public void onCommit(Durability durability, long recordsWritten, long recordsDeleted,
        int groupSize, long nanos) {
      calls.add("commit " + durability + " w" + recordsWritten + " d" + recordsDeleted
          + " g" + groupSize);
      commitNanos.addAndGet(nanos);
    }

    @Override
    public void onRollback(Throwable cause) {
      calls.add("rollback");
      rollbacks.add(cause);
    }

    @Override
    public void onConflictRetry(TransactionConflictException conflict) {
      calls.add("retry");
    }

    @Override
    public void onMaintenance(MaintenanceReport report) {
      calls.add("maintenance");
      maintenance.add(report);
    }

    @Override
    public void onVerify(VerificationReport report, Duration duration) {
      calls.add("verify " + report.problems().size());
      verifications.add(report);
    }

    @Override
    public void onCorruption(DataCorruptionException exception) {
      calls.add("corruption");
      corruptions.add(exception);
    }

    long count(String prefix) {
      return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }
  }

  /** Throws from every method. */
  static final class Thrower implements StorageListener {
    final AtomicInteger calls = new AtomicInteger();

    private void boom() {
      calls.incrementAndGet();
      throw new IllegalStateException("listener bug");
    }

    @Override
    public void onRead(String collection, long nanos) {
      boom();
    }

    @Override
    public void onCommit(Durability durability, long recordsWritten, long recordsDeleted,
        int groupSize, long nanos) {
      boom();
    }

    @Override
    public void onRollback(Throwable cause) {
      boom();
    }

    @Override
    public void onMaintenance(MaintenanceReport report) {
      boom();
    }

    @Override
    public void onVerify(VerificationReport report, Duration duration) {
      boom();
    }
  }

  private Storage open(UnaryOperator<StorageBuilder> custom) {
    Storage s = custom.apply(Storage.builder()
        .directory(dir)
        .backend(new MemoryBackendProvider())
        .noScheduledMaintenance()).open();
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(Storage::close);
    MemoryBackendProvider.STORES.clear();
    MemoryBackendProvider.conflictingCommits.set(0);
  }

  private static byte[] value(String s, int repeat) {
    return s.repeat(repeat).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aListenerIsToldOfEveryReportedOperationAndStatsCountTheSame() {
    Recorder rec = new Recorder();
    Storage s = open(b -> b.cache(new MapCacheProvider()).listener(rec));
    s.put("c", "a", 1);
    Map<String, Integer> two = new LinkedHashMap<>();
    two.put("b", 2);
    two.put("c", 3);
    s.putAll("c", two);
    s.delete("c", "a");
    s.delete("c", "absent");                       // commits, deletes nothing
    s.get("c", "b", Integer.class);                 // a miss: the backend answers
    s.get("c", "b", Integer.class);                 // a hit: not reported
    s.get("c", "nothing", Integer.class);           // absent: the backend answers
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(() -> s.useTransaction(tx -> {
      tx.put("c", "x", 9);
      throw boom;
    })).isSameAs(boom);
    MemoryBackendProvider.conflictingCommits.set(2);
    s.put("c", "d", 4);                             // two conflicts, then it commits
    s.transaction(Durability.ASYNC, tx -> {
      tx.put("e", "1", 1);
      tx.put("e", "2", 2);
      return null;
    });
    VerificationReport verified = s.admin().verify();
    Instant beforeMaintenance = Instant.now();
    MaintenanceReport report = s.maintenance();     // its verify step is a second verification

    assertThat(rec.calls).containsExactly(
        "commit SYNC w1 d0 g1",
        "commit SYNC w2 d0 g1",
        "commit SYNC w0 d1 g1",
        "commit SYNC w0 d0 g1",
        "read c",
        "read c",
        "rollback",
        "retry",
        "retry",
        "commit SYNC w1 d0 g1",
        "commit ASYNC w2 d0 g1",
        "verify 0",
        "verify 0",
        "maintenance");
    assertThat(rec.rollbacks).containsExactly(boom);
    assertThat(rec.verifications.get(0)).isSameAs(verified);
    assertThat(rec.maintenance).containsExactly(report);

    StorageStats st = s.stats();
    assertThat(st.transactionsCommitted()).isEqualTo(6);
    assertThat(st.transactionsRolledBack()).isEqualTo(1);
    assertThat(st.conflictsRetried()).isEqualTo(2);
    assertThat(st.writes()).isEqualTo(6);
    assertThat(st.deletes()).isEqualTo(1);
    assertThat(st.reads()).as("one backend read that found the value, one cache hit")
        .isEqualTo(2);
    assertThat(st.cacheHits()).isEqualTo(1);
    assertThat(st.cacheMisses()).isEqualTo(2);
    assertThat(st.readLatency().count()).isEqualTo(2);
    assertThat(st.writeLatency().count()).isEqualTo(6);
    // the listener is given the very nanoseconds the histograms add up
    assertThat(st.readLatency().totalMicros()).isEqualTo(rec.readNanos.get() / 1000);
    assertThat(st.writeLatency().totalMicros()).isEqualTo(rec.commitNanos.get() / 1000);
    assertThat(st.groupCommits()).isZero();
    assertThat(st.groupedTransactions()).isZero();
    assertThat(st.verifyRuns()).isEqualTo(2);
    assertThat(st.verifyFailures()).isZero();
    assertThat(st.lastVerify().orElseThrow()).isBetween(beforeMaintenance, Instant.now());
    assertThat(st.maintenanceRuns()).isEqualTo(1);
    assertThat(st.maintenanceFailures()).isZero();
    assertThat(st.lastMaintenance()).contains(report.startedAt());
    assertThat(st.corruptionsDetected()).isZero();
  }

  @Test
  void aFreshStoreHasNoMaintenanceOrVerificationYet() {
    StorageStats st = open(b -> b).stats();
    assertThat(st.lastMaintenance()).isEmpty();
    assertThat(st.lastVerify()).isEmpty();
    assertThat(st.readLatency().totalMicros()).isZero();
    assertThat(st.maintenanceRuns()).isZero();
    assertThat(st.verifyRuns()).isZero();
  }

  @Test
  void corruptionFailedVerificationsAndFailedMaintenanceAreReportedAndCounted() {
    Storage s = open(b -> b);
    s.putBytes("c", "inline", value("i", 10));
    s.putBytes("c", "blob", value("b", 500));
    s.close();
    NavigableMap<byte[], byte[]> records =
        MemoryBackendProvider.STORES.get(dir.toAbsolutePath()).get("records");
    byte[] inlineRecord = records.get(Keys.recordKey("c", Keys.keyBytes("inline")));
    inlineRecord[inlineRecord.length - 7] ^= 0x01; // inside the inline payload
    Recorder rec = new Recorder();
    Storage again = open(b -> b.listener(rec));

    assertThatThrownBy(() -> again.getBytes("c", "inline"))
        .isInstanceOf(DataCorruptionException.class);
    assertThat(again.admin().verify().ok()).isFalse();
    MaintenanceReport report = again.maintenance();
    assertThat(report.successful()).isFalse();

    assertThat(rec.calls).containsExactly("corruption", "verify 1", "verify 1", "maintenance");
    assertThat(rec.corruptions.get(0)).hasMessageContaining("c/inline");
    StorageStats st = again.stats();
    assertThat(st.corruptionsDetected()).isEqualTo(1);
    assertThat(st.verifyRuns()).isEqualTo(2);
    assertThat(st.verifyFailures()).isEqualTo(2);
    assertThat(st.maintenanceRuns()).isEqualTo(1);
    assertThat(st.maintenanceFailures()).isEqualTo(1);
    assertThat(st.readLatency().count()).as("a read that raised is not timed").isZero();
  }

  @Test
  void groupCommitsAreCountedOncePerBackendCommitAndEachTransactionKnowsItsGroup()
      throws Exception {
    Recorder rec = new Recorder();
    Engine s = (Engine) open(b -> b.durability(Durability.GROUP).listener(rec));
    int writers = 4;
    try (QueuedGroup group = new QueuedGroup(s, writers, t -> () -> {
      String key = "w" + t;
      s.putBytes("c", key, value(key, 10));
    })) {
      group.releaseAndAwait();
    }
    s.putBytes("c", "alone", value("a", 10)); // a group of one

    StorageStats st = s.stats();
    assertThat(st.groupCommits()).isEqualTo(2);
    assertThat(st.groupedTransactions()).isEqualTo(writers + 1);
    assertThat(st.transactionsCommitted()).isEqualTo(writers + 2);
    assertThat(rec.calls).hasSize(writers + 2);
    assertThat(rec.count("commit SYNC w0 d0 g1")).as("the blocker").isEqualTo(1);
    assertThat(rec.count("commit GROUP w1 d0 g" + writers)).isEqualTo(writers);
    assertThat(rec.calls.get(writers + 1)).isEqualTo("commit GROUP w1 d0 g1");
  }

  @Test
  void aThrowingListenerNeverFailsTheOperationNorStopsTheNextListener() {
    Thrower thrower = new Thrower();
    Recorder rec = new Recorder();
    Storage s = open(b -> b.listener(thrower).listener(rec));
    s.put("c", "a", 1);
    assertThat(s.get("c", "a", Integer.class)).contains(1);
    assertThatThrownBy(() -> s.useTransaction(tx -> {
      throw new IllegalArgumentException("mine");
    })).isInstanceOf(IllegalArgumentException.class).hasMessage("mine");
    assertThat(s.maintenance().successful()).isTrue();

    assertThat(rec.calls).containsExactly(
        "commit SYNC w1 d0 g1", "read c", "rollback", "verify 0", "maintenance");
    assertThat(thrower.calls).hasValue(5);
    assertThat(s.stats().transactionsCommitted()).isEqualTo(1);
    assertThat(s.stats().maintenanceFailures()).isZero();
  }

  @Test
  void aNullListenerIsRefusedByTheBuilder() {
    assertThatThrownBy(() -> Storage.builder().listener(null))
        .isInstanceOf(NullPointerException.class).hasMessage("listener");
  }
}
