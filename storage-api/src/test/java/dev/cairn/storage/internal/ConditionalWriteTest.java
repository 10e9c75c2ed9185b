package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Bytes;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.Versioned;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conditional writes in the engine: one that does not apply leaves no trace (no version, no
 * counter, no listener call, no cache entry dropped), one that applies is a put or delete in
 * every respect, also in a group commit. (What they do to data is in the conformance kit.)
 */
final class ConditionalWriteTest {

  @TempDir Path dir;
  private final List<Storage> opened = new ArrayList<>();

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
    for (Storage s : opened) {
      StorageAdmin.VerificationReport v = s.admin().verify();
      assertThat(v.problems()).as("dedup invariants after test").isEmpty();
      s.close();
    }
    MemoryBackendProvider.STORES.clear();
  }

  private static byte[] value(String s) {
    return s.repeat(40).getBytes(StandardCharsets.UTF_8); // above the inline threshold
  }

  private static long version(Storage s, String key) {
    return s.metadata("c", key).orElseThrow().version();
  }

  @Test
  void aConditionalWriteThatDoesNotApplyIsNeitherCountedNorReportedAndTakesNoVersion() {
    ObserversTest.Recorder rec = new ObserversTest.Recorder();
    Storage s = open(b -> b.listener(rec));
    s.putBytes("c", "k", value("a"));
    long v = version(s, "k");
    StorageStats before = s.stats();
    List<String> callsBefore = List.copyOf(rec.calls);

    assertThat(s.putBytesIfAbsent("c", "k", value("b"))).isFalse();
    assertThat(s.putIfAbsent("c", "k", "typed")).isFalse();
    assertThat(s.replaceBytesIfVersion("c", "k", v + 1, value("b"))).isFalse();
    assertThat(s.replaceIfVersion("c", "absent", v, "typed")).isFalse();
    assertThat(s.deleteIfVersion("c", "k", v + 1)).isFalse();
    assertThat(s.deleteIfVersion("c", "absent", v)).isFalse();

    StorageStats after = s.stats();
    assertThat(after.transactionsCommitted()).isEqualTo(before.transactionsCommitted());
    assertThat(after.transactionsRolledBack()).isEqualTo(before.transactionsRolledBack());
    assertThat(after.writes()).isEqualTo(before.writes());
    assertThat(after.deletes()).isEqualTo(before.deletes());
    assertThat(after.rawBytesWritten()).isEqualTo(before.rawBytesWritten());
    assertThat(after.writeLatency().count()).isEqualTo(before.writeLatency().count());
    assertThat(rec.calls).as("no commit, rollback or retry was reported")
        .containsExactlyElementsOf(callsBefore);
    assertThat(version(s, "k")).isEqualTo(v);
    s.putBytes("c", "k", value("c"));
    assertThat(version(s, "k")).as("no version was taken by the writes that did not apply")
        .isEqualTo(v + 1);
  }

  @Test
  void aConditionalWriteThatAppliesIsReportedAsAPutOrADelete() {
    ObserversTest.Recorder rec = new ObserversTest.Recorder();
    Storage s = open(b -> b.listener(rec));
    assertThat(s.putBytesIfAbsent("c", "k", value("a"))).isTrue();
    assertThat(s.replaceBytesIfVersion("c", "k", version(s, "k"), value("b"))).isTrue();
    assertThat(s.deleteIfVersion("c", "k", version(s, "k"))).isTrue();
    assertThat(rec.calls).containsExactly(
        "commit SYNC w1 d0 g1", "commit SYNC w1 d0 g1", "commit SYNC w0 d1 g1");
    StorageStats st = s.stats();
    assertThat(st.transactionsCommitted()).isEqualTo(3);
    assertThat(st.writes()).isEqualTo(2);
    assertThat(st.deletes()).isEqualTo(1);
    assertThat(st.rawBytesWritten()).isEqualTo(2L * value("a").length);
  }

  @Test
  void inOneGroupCommitTheFirstPutIfAbsentWinsAndOnlyItIsCounted() throws Exception {
    ObserversTest.Recorder rec = new ObserversTest.Recorder();
    Engine s = (Engine) open(b -> b.durability(Durability.GROUP).listener(rec));
    int writers = 4;
    AtomicInteger wins = new AtomicInteger();
    try (QueuedGroup group = new QueuedGroup(s, writers, t -> () -> {
      if (s.putBytesIfAbsent("c", "k", value("w" + t))) {
        wins.incrementAndGet();
      }
    })) {
      group.releaseAndAwait();
    }
    assertThat(wins.get()).as("the others saw the winner's write in the group's transaction")
        .isEqualTo(1);
    StorageStats st = s.stats();
    assertThat(st.groupCommits()).isEqualTo(1);
    assertThat(st.groupedTransactions()).as("only the write that applied").isEqualTo(1);
    assertThat(st.transactionsCommitted()).as("the blocker and the winner").isEqualTo(2);
    assertThat(st.writes()).isEqualTo(1);
    assertThat(rec.calls).containsExactlyInAnyOrder("commit SYNC w0 d0 g1", "commit GROUP w1 d0 g1");
  }

  @Test
  void aGroupOfConditionalWritesThatAllFailCommitsNothingAndReportsNothing() throws Exception {
    ObserversTest.Recorder rec = new ObserversTest.Recorder();
    Engine s = (Engine) open(b -> b.durability(Durability.GROUP).listener(rec));
    s.putBytes("c", "k", value("a"));
    long v = version(s, "k");
    rec.calls.clear();
    try (QueuedGroup group = new QueuedGroup(s, 3, t -> () ->
        assertThat(s.replaceBytesIfVersion("c", "k", v + 1 + t, value("b"))).isFalse())) {
      group.releaseAndAwait();
    }
    assertThat(s.stats().groupCommits()).as("only the first put's group").isEqualTo(1);
    assertThat(rec.calls).containsExactly("commit SYNC w0 d0 g1");
    assertThat(s.getBytes("c", "k")).get().isEqualTo(value("a"));
  }

  @Test
  void theCacheNeverServesAValueAConditionalWriteReplacedAndKeepsOneItDidNot() {
    Storage s = open(b -> b.cache(new MapCacheProvider()));
    s.putBytes("c", "k", value("a"));
    assertThat(s.getBytes("c", "k")).get().isEqualTo(value("a")); // now cached
    Versioned<Bytes> cached = s.getVersioned("c", "k", Bytes.class).orElseThrow();
    assertThat(cached.version()).as("a cache hit carries the version of its value")
        .isEqualTo(version(s, "k"));
    long hits = s.stats().cacheTiers().get(0).hits();
    assertThat(s.replaceBytesIfVersion("c", "k", cached.version() + 1, value("x"))).isFalse();
    assertThat(s.getValue("c", "k")).get().isEqualTo(Bytes.copyOf(value("a")));
    assertThat(s.stats().cacheTiers().get(0).hits())
        .as("a write that did not apply left the cached entry").isEqualTo(hits + 1);
    assertThat(s.replaceBytesIfVersion("c", "k", cached.version(), value("b"))).isTrue();
    Versioned<Bytes> now = s.getVersioned("c", "k", Bytes.class).orElseThrow();
    assertThat(now.value()).isEqualTo(Bytes.copyOf(value("b")));
    assertThat(now.version()).isEqualTo(version(s, "k")).isNotEqualTo(cached.version());
    assertThat(s.deleteIfVersion("c", "k", now.version())).isTrue();
    assertThat(s.getBytes("c", "k")).isEmpty();
  }

  @Test
  void conditionalWriteCallsInsideATransactionFunctionAreRefusedAsPutIs() {
    Storage s = open(b -> b);
    assertThatThrownBy(() -> s.useTransaction(tx -> s.putBytesIfAbsent("c", "k", value("a"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("use the Transaction passed to it");
    assertThat(s.contains("c", "k")).isFalse();
  }
}
