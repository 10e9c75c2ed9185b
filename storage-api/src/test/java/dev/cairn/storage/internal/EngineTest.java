package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Bytes;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.DedupMode;
import dev.cairn.storage.DedupScope;
import dev.cairn.storage.Durability;
import dev.cairn.storage.KeyRange;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.MaintenanceTask;
import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.SerializationException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.TransactionConflictException;
import dev.cairn.storage.ValueTooLargeException;
import dev.cairn.storage.VerifyMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine over an in-memory backend: data model, dedup invariants, API contract. */
final class EngineTest {

  @TempDir Path dir;
  private final List<Storage> opened = new ArrayList<>();

  record Player(String name, long balance) {}

  private Storage open() {
    return open(b -> b);
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
    for (Storage s : opened) {
      try {
        StorageAdmin.VerificationReport v = s.admin().verify();
        assertThat(v.problems()).as("dedup invariants after test").isEmpty();
      } catch (StorageClosedException ignored) {
        // closed by the test
      }
      s.close();
    }
    MemoryBackendProvider.STORES.clear();
    MemoryBackendProvider.afterBeginRead = null;
    MemoryBackendProvider.afterLatestGet = null;
    MemoryBackendProvider.recordWrites = null;
    MemoryBackendProvider.structureProblems = List.of();
    MemoryBackendProvider.conflictingCommits.set(0);
    MemoryBackendProvider.writesBegun.clear();
  }

  @Test
  void verifyReportsTheBackendsStructuralDamageAndReadsNoRecord() {
    Storage s = open();
    s.putBytes("c", "k", value("v", 100));
    MemoryBackendProvider.afterBeginRead = () -> {
      throw new AssertionError("verify read a record of a store whose structure is damaged");
    };
    MemoryBackendProvider.structureProblems = List.of("page 7 is damaged");
    StorageAdmin.VerificationReport report = s.admin().verify();
    assertThat(report.ok()).isFalse();
    assertThat(report.records()).isZero();
    assertThat(report.problems()).first().isEqualTo("page 7 is damaged");
    assertThat(report.problems()).last().asString().contains("records were not checked");
    MemoryBackendProvider.afterBeginRead = null;
    MemoryBackendProvider.structureProblems = List.of();
    assertThat(s.admin().verify().ok()).isTrue();
  }

  private static byte[] value(String s, int repeat) {
    return s.repeat(repeat).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putThenGetReturnsTheSameBytes() {
    Storage s = open();
    byte[] v = value("hello ", 50);
    s.putBytes("c", "k", v);
    assertThat(s.getBytes("c", "k")).hasValueSatisfying(b -> assertThat(b).isEqualTo(v));
    assertThat(s.getBytes("c", "absent")).isEmpty();
  }

  @Test
  void typedValuesRoundTripThroughJson() {
    Storage s = open();
    s.put("players", "p1", new Player("Ada", 100));
    assertThat(s.get("players", "p1", Player.class)).contains(new Player("Ada", 100));
    assertThat(new String(s.getBytes("players", "p1").orElseThrow(), StandardCharsets.UTF_8))
        .contains("\"name\":\"Ada\"");
  }

  record Bet(String player, java.time.Instant placedAt, java.math.BigDecimal stake) {}

  @Test
  void javaTimeValuesRoundTripAsIsoStrings() {
    Storage s = open();
    Bet bet = new Bet("p1", java.time.Instant.parse("2026-11-25T10:15:30.123Z"), new java.math.BigDecimal("12.50"));
    s.put("bets", "b1", bet);
    assertThat(s.get("bets", "b1", Bet.class)).contains(bet);
    assertThat(new String(s.getBytes("bets", "b1").orElseThrow(), StandardCharsets.UTF_8))
        .contains("\"2026-11-25T10:15:30.123Z\"");
  }

  @Test
  void readingBytesAsTheWrongTypeIsASerializationException() {
    Storage s = open();
    s.putBytes("c", "k", "not json".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> s.get("c", "k", Player.class)).isInstanceOf(SerializationException.class);
  }

  @Test
  void zeroLengthValuesAreValues() {
    Storage s = open();
    s.putBytes("c", "empty", new byte[0]);
    assertThat(s.getBytes("c", "empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
    assertThat(s.contains("c", "empty")).isTrue();
  }

  @Test
  void deleteReturnsWhetherTheKeyExisted() {
    Storage s = open();
    s.putBytes("c", "k", value("x", 100));
    assertThat(s.delete("c", "k")).isTrue();
    assertThat(s.delete("c", "k")).isFalse();
    assertThat(s.getBytes("c", "k")).isEmpty();
    assertThat(s.contains("c", "k")).isFalse();
  }

  // ------------------------------------------------------------------------------------ dedup
  // The regression tests name the defects of the storage manager Cairn was modelled on: a
  // deduplicated write stored only a reference that reads never followed; overwriting a key
  // with another key's content left the old value; without reference counts, deleting the
  // original broke every copy; the hash was taken over compressed bytes, so the codec changed
  // what deduplicated; check-then-insert without a transaction raced.

  // DedupMode.DEFERRED (the default): values stay in their records until maintenance shares
  // equal ones; content already shared is shared at write time.

  /** The keyspaces the next single reads look in, in order. */
  private static List<String> lookups(Runnable reads) {
    return seen(hook -> MemoryBackendProvider.afterLatestGet = hook, reads);
  }

  /** What {@code run} reports to a hook of the memory backend that {@code install} sets. */
  private static List<String> seen(
      java.util.function.Consumer<java.util.function.Consumer<String>> install, Runnable run) {
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    install.accept(seen::add);
    try {
      run.run();
    } finally {
      install.accept(null);
    }
    return seen;
  }

  /** The operations on records of the write transactions {@code writes} runs, in order. */
  private static List<String> recordWrites(Runnable writes) {
    return seen(hook -> MemoryBackendProvider.recordWrites = hook, writes);
  }

  @Test
  void aNewKeyIsOneInsertAndWritesReadFirstOnceMostKeysExist() {
    Storage s = open();
    byte[] v = value("novel ", 30); // above the inline threshold, content never shared
    for (String c : List.of("c", "small")) {
      assertThat(recordWrites(() -> {
        for (int i = 0; i < 20; i++) {
          s.putBytes(c, "k" + i, c.equals("c") ? v : new byte[] {(byte) i});
        }
      })).as("new keys in %s: one insert each", c).containsOnly("putIfAbsent").hasSize(20);
    }
    List<java.time.Instant> created = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      created.add(s.metadata("c", "k" + i).orElseThrow().createdAt());
    }
    List<String> overwrites = recordWrites(() -> {
      for (int i = 0; i < 20; i++) {
        s.putBytes("c", "k" + i, value("changed " + i, 30));
      }
    });
    // the hint rose to MAX over the new keys and falls by one per existing key: the overwrites
    // insert first while it is at least THRESHOLD, then read first
    int insertFirst = NewKeyHint.MAX - NewKeyHint.THRESHOLD + 1;
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add(i < insertFirst ? "putIfAbsent" : "get");
      expected.add("put");
    }
    assertThat(overwrites).containsExactlyElementsOf(expected);
    for (int i = 0; i < 20; i++) {
      assertThat(s.getBytes("c", "k" + i)).contains(value("changed " + i, 30));
      assertThat(s.getBytes("small", "k" + i)).contains(new byte[] {(byte) i});
      assertThat(s.metadata("c", "k" + i).orElseThrow().createdAt())
          .as("an overwrite keeps the creation time, however it started").isEqualTo(created.get(i));
    }
    StorageStats st = s.stats();
    assertThat(st.storedBytesWritten() + st.bytesSavedByDedup() + st.bytesSavedByCompression())
        .as("every byte written counted once").isEqualTo(st.rawBytesWritten());
    assertThat(st.writes()).isEqualTo(60);
    assertThat(s.admin().verify().problems()).isEmpty();
  }

  @Test
  void deferredDedupReadsAnUnsharedValueWithOneLookupAndSharesEqualValuesAtMaintenance() {
    Storage s = open();
    byte[] v = value("shared content ", 20);
    s.putBytes("c", "a", v);
    s.putBytes("d", "b", v);
    assertThat(s.admin().verify().blobs()).as("nothing shared before maintenance").isZero();
    assertThat(s.metadata("c", "a").orElseThrow().deduplicated()).isFalse();
    assertThat(lookups(() -> assertThat(s.getBytes("c", "a")).contains(v)))
        .as("an unshared value is one lookup").containsExactly("records");

    MaintenanceReport r = s.maintenance();
    assertThat(r.step("deduplicate").orElseThrow().detail())
        .startsWith("2 records now share content (1 new shared blobs, " + v.length + " bytes saved)");
    assertThat(s.admin().verify().blobs()).isEqualTo(1);
    assertThat(s.metadata("c", "a").orElseThrow().deduplicated()).isTrue();
    assertThat(s.metadata("d", "b").orElseThrow().deduplicated()).isTrue();
    assertThat(s.stats().dedupHits()).isEqualTo(1);
    assertThat(s.stats().bytesSavedByDedup()).isEqualTo(v.length);
    StorageStats st = s.stats();
    assertThat(st.storedBytesWritten() + st.bytesSavedByDedup() + st.bytesSavedByCompression())
        .as("the shared copy's bytes moved from stored to saved").isEqualTo(st.rawBytesWritten())
        .isEqualTo(2L * v.length);
    assertThat(st.storedBytesWritten()).isEqualTo(v.length);
    assertThat(lookups(() -> assertThat(s.getBytes("d", "b")).contains(v)))
        .as("a shared value is two lookups").containsExactly("records", "blobs");

    s.putBytes("c", "third", v);
    assertThat(s.metadata("c", "third").orElseThrow().deduplicated())
        .as("content already shared is shared at write time").isTrue();
    assertThat(s.stats().dedupHits()).isEqualTo(2);

    s.delete("c", "a");
    s.delete("c", "third");
    assertThat(s.metadata("d", "b").orElseThrow().deduplicated()).isTrue();
    s.maintenance();
    assertThat(s.metadata("d", "b").orElseThrow().deduplicated())
        .as("the last reference goes back into its record").isFalse();
    assertThat(s.admin().verify().blobs()).isZero();
    assertThat(lookups(() -> assertThat(s.getBytes("d", "b")).contains(v)))
        .containsExactly("records");
    assertThat(s.maintenance().step("deduplicate").orElseThrow().detail())
        .startsWith("0 records now share content");
  }

  @Test
  void deferredDedupSharesAtWriteTimeWhatWasSharedBeforeAReopen() {
    Storage s = open();
    byte[] v = value("reopened ", 20);
    s.putBytes("c", "a", v);
    s.putBytes("c", "b", v);
    s.maintenance();
    s.close();
    Storage again = open();
    again.putBytes("c", "third", v);
    assertThat(again.metadata("c", "third").orElseThrow().deduplicated())
        .as("the shared contents are read at open").isTrue();
    assertThat(again.admin().verify().blobs()).isEqualTo(1);
  }

  @Test
  void deferredDedupKeepsTimesAndVersionsAndRespectsTheScope() {
    Storage s = open(b -> b.dedupScope(DedupScope.PER_COLLECTION));
    byte[] v = value("scoped ", 20);
    s.putBytes("one", "a", v);
    s.putBytes("two", "a", v);
    s.putBytes("two", "b", v);
    RecordMetadata before = s.metadata("two", "a").orElseThrow();
    s.maintenance();
    assertThat(s.metadata("one", "a").orElseThrow().deduplicated())
        .as("alone in its collection").isFalse();
    RecordMetadata after = s.metadata("two", "a").orElseThrow();
    assertThat(after.deduplicated()).isTrue();
    assertThat(after.version()).isEqualTo(before.version());
    assertThat(after.createdAt()).isEqualTo(before.createdAt());
    assertThat(after.updatedAt()).isEqualTo(before.updatedAt());
    assertThat(s.admin().verify().blobs()).isEqualTo(1);
  }

  @Test
  void dedupModeOffNeverSharesAndModesAreChosenPerCollection() {
    Storage s = open(b -> b.dedupMode(DedupMode.OFF).dedupMode("shared", DedupMode.ON_WRITE));
    byte[] v = value("mode ", 30);
    s.putBytes("plain", "a", v);
    s.putBytes("plain", "b", v);
    s.maintenance();
    assertThat(s.admin().verify().blobs()).as("OFF: never shared").isZero();
    List<StorageAdmin.ExportedRecord> out = new ArrayList<>();
    s.admin().exportRecords(out::add);
    assertThat(out).allSatisfy(e -> assertThat(e.contentHash()).as("OFF: no hash").isNull());
    s.putBytes("shared", "a", v);
    assertThat(s.metadata("shared", "a").orElseThrow().deduplicated())
        .as("ON_WRITE for this collection").isTrue();
    assertThat(s.admin().verify().blobs()).isEqualTo(1);
    s.maintenance();
    assertThat(s.metadata("shared", "a").orElseThrow().deduplicated())
        .as("maintenance leaves ON_WRITE content apart, even with one reference").isTrue();
    assertThat(s.admin().verify().blobs()).isEqualTo(1);
  }

  @Test
  void aDamagedInlineHashIsFoundByVerify() {
    Storage s = open();
    byte[] v = value("hashed ", 20);
    s.putBytes("c", "k", v);
    s.close();
    byte[] rk = Keys.recordKey("c", Keys.keyBytes("k"));
    NavigableMap<byte[], byte[]> records =
        MemoryBackendProvider.STORES.get(dir.toAbsolutePath()).get("records");
    RecordFormat.StoredRecord rec = RecordFormat.parseRecord(records.get(rk), rk, "k");
    assertThat(rec.hash()).isEqualTo(RecordStore.sha256(v));
    // a wrong hash behind a valid CRC32C: what a bug (not a flipped bit) would write
    records.put(rk, RecordFormat.encodeInline(rk, rec.codecId(), rec.dictId(), rec.rawLength(),
        rec.created(), rec.updated(), rec.version(), rec.payload(), new byte[32], RecordFormat.NEVER));
    Storage again = open();
    assertThat(again.getBytes("c", "k")).as("reads trust the CRC32C").contains(v);
    try (var entries = again.entries("c", "")) {
      assertThat(entries.map(Map.Entry::getValue)).as("so do scans").containsExactly(v);
    }
    assertThat(again.admin().verify().problems()).singleElement().asString()
        .contains("does not match its SHA-256");
    again.close();
    // with VerifyMode.ALWAYS a read and a scan compare the hash (reads parse it only then)
    Storage always = open(b -> b.verifyMode(VerifyMode.ALWAYS));
    assertThatThrownBy(() -> always.getBytes("c", "k")).as("a read, verifying always")
        .isInstanceOf(DataCorruptionException.class).hasMessageContaining("SHA-256");
    assertThatThrownBy(() -> {
      try (var entries = always.entries("c", "")) {
        entries.forEach(e -> { });
      }
    }).as("a scan, verifying always")
        .isInstanceOf(DataCorruptionException.class).hasMessageContaining("SHA-256");
    always.putBytes("c", "k", v); // repaired, for the check after the test
  }

  @Test
  void aValueWrittenUnderTwoKeysIsStoredOnceAndEachDeleteKeepsTheOther() {
    Storage s = open(b -> b.dedupMode(DedupMode.ON_WRITE));
    byte[] v = value("shared content ", 20);
    s.putBytes("c", "a", v);
    s.putBytes("c", "b", v);
    assertThat(s.admin().verify().blobs()).isEqualTo(1);
    assertThat(s.stats().dedupHits()).isEqualTo(1);
    assertThat(s.stats().bytesSavedByDedup()).isEqualTo(v.length);
    assertThat(s.getBytes("c", "a")).hasValueSatisfying(b -> assertThat(b).isEqualTo(v));
    assertThat(s.getBytes("c", "b")).hasValueSatisfying(b -> assertThat(b).isEqualTo(v));

    s.delete("c", "a");
    assertThat(s.getBytes("c", "b")).hasValueSatisfying(b -> assertThat(b).isEqualTo(v));
    assertThat(s.admin().verify().blobs()).isEqualTo(1);

    s.delete("c", "b");
    assertThat(s.admin().verify().blobs()).isZero();
  }

  @Test
  void regressionDedupedWriteIsReadableNotJustAReference() {
    Storage s = open(b -> b.dedupMode(DedupMode.ON_WRITE));
    byte[] v = value("payload ", 30);
    s.putBytes("one", "k", v);
    s.putBytes("two", "k", v);
    assertThat(s.getBytes("two", "k")).hasValueSatisfying(b -> assertThat(b).isEqualTo(v));
    assertThat(s.metadata("two", "k")).hasValueSatisfying(m -> assertThat(m.deduplicated()).isTrue());
  }

  @Test
  void regressionOverwritingWithAnotherKeysContentReplacesTheOldValue() {
    Storage s = open(b -> b.dedupMode(DedupMode.ON_WRITE));
    byte[] first = value("first ", 30);
    byte[] second = value("second ", 30);
    s.putBytes("c", "a", first);
    s.putBytes("c", "b", second);
    s.putBytes("c", "a", second);
    assertThat(s.getBytes("c", "a")).hasValueSatisfying(b -> assertThat(b).isEqualTo(second));
    assertThat(s.admin().verify().blobs()).as("the first value's blob is released").isEqualTo(1);
  }

  @Test
  void regressionDeletingTheOriginalKeepsEveryReference() {
    Storage s = open();
    byte[] v = value("origin ", 30);
    s.putBytes("c", "original", v);
    for (int i = 0; i < 5; i++) {
      s.putBytes("c", "copy" + i, v);
    }
    s.delete("c", "original");
    for (int i = 0; i < 5; i++) {
      assertThat(s.getBytes("c", "copy" + i)).hasValueSatisfying(b -> assertThat(b).isEqualTo(v));
    }
  }

  @Test
  void regressionHashIsOverRawBytesSoTheCodecDoesNotChangeDedup() {
    byte[] v = value("compressible compressible ", 40);
    try (Storage s = Storage.builder().directory(dir).backend(new MemoryBackendProvider())
        .codec(new DeflateTestCodecProvider()).dedupMode(DedupMode.ON_WRITE).noScheduledMaintenance().open()) {
      s.putBytes("c", "a", v);
      assertThat(s.metadata("c", "a").orElseThrow().codec()).isEqualTo("deflate-test");
    }
    Storage s = open(b -> b.registerCodec(new DeflateTestCodecProvider()));
    s.putBytes("c", "b", v);
    assertThat(s.stats().dedupHits()).isEqualTo(1);
    assertThat(s.getBytes("c", "a")).hasValueSatisfying(b -> assertThat(b).isEqualTo(v));
  }

  @Test
  void regressionConcurrentWritersOfEqualContentKeepCountsExact() throws Exception {
    Storage s = open(b -> b.dedupMode(DedupMode.ON_WRITE));
    byte[] v = value("race ", 40);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int tt = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < 25; i++) {
            s.putBytes("c", "t" + tt + "-" + i, v);
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    StorageAdmin.VerificationReport r = s.admin().verify();
    assertThat(r.problems()).isEmpty();
    assertThat(r.blobs()).isEqualTo(1);
    assertThat(r.records()).isEqualTo(200);
  }

  @Test
  void perCollectionScopeDoesNotShareAcrossCollections() {
    Storage s = open(b -> b.dedupScope(DedupScope.PER_COLLECTION).dedupMode(DedupMode.ON_WRITE));
    byte[] v = value("private ", 30);
    s.putBytes("alice", "doc", v);
    s.putBytes("bob", "doc", v);
    s.putBytes("bob", "doc2", v);
    assertThat(s.admin().verify().blobs()).isEqualTo(2);
    assertThat(s.stats().dedupHits()).isEqualTo(1);
  }

  @Test
  void valuesBelowTheInlineThresholdAreNotDeduplicated() {
    Storage s = open(b -> b.inlineThreshold(100).dedupMode(DedupMode.ON_WRITE));
    s.putBytes("c", "a", value("x", 99));
    s.putBytes("c", "b", value("x", 99));
    s.putBytes("c", "big", value("x", 100));
    assertThat(s.admin().verify().blobs()).isEqualTo(1);
    assertThat(s.metadata("c", "a").orElseThrow().deduplicated()).isFalse();
    assertThat(s.metadata("c", "big").orElseThrow().deduplicated()).isTrue();
  }

  @Test
  void compressionIsKeptOnlyWhenItSaves() {
    Storage s = open(b -> b.codec(new DeflateTestCodecProvider()));
    byte[] random = new byte[2000];
    new Random(1).nextBytes(random);
    s.putBytes("c", "random", random);
    s.putBytes("c", "text", value("abcabcabc", 200));
    assertThat(s.metadata("c", "random").orElseThrow().codec()).isEqualTo("identity");
    RecordMetadata text = s.metadata("c", "text").orElseThrow();
    assertThat(text.codec()).isEqualTo("deflate-test");
    assertThat(text.storedLength()).isLessThan(text.rawLength());
    assertThat(s.stats().bytesSavedByCompression()).isPositive();
    assertThat(s.getBytes("c", "random")).hasValueSatisfying(b -> assertThat(b).isEqualTo(random));
  }

  @Test
  void aRecordOfAMissingCodecIsAClearError() {
    byte[] v = value("compressible ", 40);
    try (Storage s = Storage.builder().directory(dir).backend(new MemoryBackendProvider())
        .codec(new DeflateTestCodecProvider()).noScheduledMaintenance().open()) {
      s.putBytes("c", "a", v);
    }
    Storage s = open();
    assertThatThrownBy(() -> s.getBytes("c", "a"))
        .hasMessageContaining("codec id 99")
        .hasMessageContaining("not installed");
    s.delete("c", "a"); // so the after-test verification can decode everything
  }

  @Test
  void randomSequencesKeepTheInvariantsAndMatchAModel() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    Storage s = open(b -> b.inlineThreshold(8));
    Map<String, byte[]> model = new HashMap<>();
    String[] collections = {"a", "b", "c"};
    byte[][] contents = new byte[6][];
    for (int i = 0; i < contents.length; i++) {
      contents[i] = value("content-" + i + " ", 2 + i);
    }
    for (int step = 0; step < 600; step++) {
      String c = collections[rnd.nextInt(collections.length)];
      String k = "k" + rnd.nextInt(15);
      int op = rnd.nextInt(10);
      if (op < 6) {
        byte[] v = contents[rnd.nextInt(contents.length)];
        s.putBytes(c, k, v);
        model.put(c + "/" + k, v);
      } else if (op < 9) {
        assertThat(s.delete(c, k)).as("seed %d step %d", seed, step).isEqualTo(model.remove(c + "/" + k) != null);
      } else {
        byte[] v = contents[rnd.nextInt(contents.length)];
        try {
          s.useTransaction(tx -> {
            tx.putBytes(c, k, v);
            throw new IllegalStateException("rolled back on purpose");
          });
        } catch (IllegalStateException expected) {
          // nothing changed
        }
      }
      if (step % 50 == 0) {
        assertThat(s.admin().verify().problems()).as("seed %d step %d", seed, step).isEmpty();
      }
    }
    for (String c : collections) {
      for (int i = 0; i < 15; i++) {
        byte[] expected = model.get(c + "/k" + i);
        Optional<byte[]> actual = s.getBytes(c, "k" + i);
        if (expected == null) {
          assertThat(actual).as("seed %d", seed).isEmpty();
        } else {
          assertThat(actual).as("seed %d", seed).hasValueSatisfying(b -> assertThat(b).isEqualTo(expected));
        }
      }
    }
    assertThat(s.admin().verify().problems()).as("seed %d", seed).isEmpty();
  }

  // ----------------------------------------------------------------------------- transactions

  @Test
  void aTransactionSpansCollectionsAndCommitsAtomically() {
    Storage s = open();
    s.put("accounts", "a", new Player("a", 100));
    s.put("accounts", "b", new Player("b", 0));
    s.useTransaction(tx -> {
      Player a = tx.get("accounts", "a", Player.class).orElseThrow();
      Player b = tx.get("accounts", "b", Player.class).orElseThrow();
      tx.put("accounts", "a", new Player("a", a.balance() - 40));
      tx.put("accounts", "b", new Player("b", b.balance() + 40));
      tx.put("ledger", "t1", Map.of("from", "a", "to", "b", "amount", 40));
    });
    assertThat(s.get("accounts", "a", Player.class)).contains(new Player("a", 60));
    assertThat(s.get("accounts", "b", Player.class)).contains(new Player("b", 40));
    assertThat(s.count("ledger")).isEqualTo(1);
  }

  @Test
  void aThrowingTransactionLeavesNothingAndRethrows() {
    Storage s = open();
    s.putBytes("c", "kept", value("kept ", 20));
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(() -> s.useTransaction(tx -> {
      tx.putBytes("c", "new", value("new ", 20));
      tx.delete("c", "kept");
      tx.putBytes("other", "x", value("x", 100));
      throw boom;
    })).isSameAs(boom);
    assertThat(s.contains("c", "new")).isFalse();
    assertThat(s.contains("c", "kept")).isTrue();
    assertThat(s.collections()).containsExactly("c");
    assertThat(s.stats().transactionsRolledBack()).isEqualTo(1);
  }

  /**
   * Optimistic retries can keep losing to other instances' writers: after three conflicts the
   * attempts run alone (Backend.beginWriteAlone), so the transaction gets through.
   */
  @Test
  void aTransactionThatKeepsConflictingRunsAloneAndCommits() {
    Storage s = open();
    MemoryBackendProvider.writesBegun.clear();
    MemoryBackendProvider.conflictingCommits.set(5);
    s.useTransaction(tx -> tx.put("c", "k", 1));
    assertThat(s.get("c", "k", Integer.class)).contains(1);
    assertThat(MemoryBackendProvider.writesBegun)
        .containsExactly("write", "write", "write", "alone", "alone", "alone");
    assertThat(s.stats().conflictsRetried()).isEqualTo(5);
    MemoryBackendProvider.conflictingCommits.set(9);
    assertThatThrownBy(() -> s.put("c", "k", 2)).as("nine attempts, then the conflict is the"
        + " caller's").isInstanceOf(TransactionConflictException.class);
    assertThat(s.get("c", "k", Integer.class)).contains(1);
  }

  /** A GROUP transaction that keeps conflicting also runs alone, committing SYNC. */
  @Test
  void aGroupTransactionThatKeepsConflictingRunsAloneToo() {
    Storage s = open(b -> b.durability(Durability.GROUP));
    MemoryBackendProvider.writesBegun.clear();
    MemoryBackendProvider.conflictingCommits.set(4);
    s.putBytes("c", "k", value("v", 100));
    assertThat(s.getBytes("c", "k")).get().isEqualTo(value("v", 100));
    assertThat(MemoryBackendProvider.writesBegun).startsWith("write", "write", "write", "alone")
        .hasSize(5);
  }

  /**
   * Access statistics flushed by several instances of a shared store conflict (each updates the
   * same records' statistics): the flush retries like a transaction instead of failing and, at
   * close, losing the counts.
   */
  @Test
  void anAccessStatisticsFlushThatConflictsIsRetriedNotLost() {
    Storage s = open(b -> b.accessStatistics(true));
    s.putBytes("c", "k", value("v", 100));
    for (int i = 0; i < 3; i++) {
      assertThat(s.getBytes("c", "k")).isPresent();
    }
    MemoryBackendProvider.conflictingCommits.set(4);
    assertThat(s.maintenance().failures()).isEmpty();
    assertThat(MemoryBackendProvider.conflictingCommits.get()).as("conflicts injected").isZero();
    assertThat(s.metadata("c", "k")).get().extracting(RecordMetadata::accessCount).isEqualTo(3L);
    s.close();
    Storage again = open(b -> b.accessStatistics(true));
    assertThat(again.metadata("c", "k")).get().extracting(RecordMetadata::accessCount)
        .isEqualTo(3L);
  }

  @Test
  void aFailedCommitLeavesNothingAndIsReported() {
    Storage s = open();
    MemoryBackendProvider.failNextCommit = new BackendException("disk on fire");
    assertThatThrownBy(() -> s.putBytes("c", "k", value("v", 100))).hasMessageContaining("disk on fire");
    assertThat(s.contains("c", "k")).isFalse();
    s.putBytes("c", "k", value("v", 100));
    assertThat(s.contains("c", "k")).isTrue();
  }

  @Test
  void transactionsSeeTheirOwnWrites() {
    Storage s = open();
    List<String> keys = s.transaction(tx -> {
      tx.putBytes("c", "b", value("1", 100));
      tx.putBytes("c", "a", value("2", 100));
      assertThat(tx.getBytes("c", "a")).isPresent();
      assertThat(tx.contains("c", "b")).isTrue();
      tx.delete("c", "b");
      assertThat(tx.contains("c", "b")).isFalse();
      return tx.keys("c", "");
    });
    assertThat(keys).containsExactly("a");
  }

  @Test
  void nestedTransactionsOnOneThreadAreRejected() {
    Storage s = open();
    assertThatThrownBy(() -> s.useTransaction(tx -> s.putBytes("c", "k", new byte[1])))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");
  }

  @Test
  void aTransactionObjectIsUselessAfterItsFunctionReturns() {
    Storage s = open();
    dev.cairn.storage.Transaction leaked = s.transaction(tx -> tx);
    assertThatThrownBy(() -> leaked.putBytes("c", "k", new byte[1])).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void putAllIsAllOrNothing() {
    Storage s = open(b -> b.maxValueBytes(1000));
    Map<String, byte[]> batch = new java.util.LinkedHashMap<>();
    batch.put("a", value("a", 10));
    batch.put("b", value("b", 2000));
    assertThatThrownBy(() -> s.putAllBytes("c", batch)).isInstanceOf(ValueTooLargeException.class);
    assertThat(s.count("c")).isZero();
    batch.put("b", value("b", 10));
    s.putAllBytes("c", batch);
    assertThat(s.getAll("c", List.of("zz"), String.class)).isEmpty();
    assertThat(s.count("c")).isEqualTo(2);
  }

  @Test
  void getAllReturnsThePresentKeys() {
    Storage s = open();
    s.putAll("players", Map.of("p1", new Player("a", 1), "p2", new Player("b", 2)));
    assertThat(s.getAll("players", List.of("p1", "p2", "p3"), Player.class))
        .containsOnlyKeys("p1", "p2")
        .containsEntry("p2", new Player("b", 2));
  }

  // ----------------------------------------------------------------------------- keys, count

  @Test
  void keysArePagedOrderedAndFilteredByPrefix() {
    Storage s = open();
    Map<String, byte[]> batch = new java.util.TreeMap<>();
    int n = 2 * Math.max(ScanPager.KEY_PAGE, ScanPager.ENTRY_PAGE) + 52; // over two pages of each
    for (int i = 0; i < n; i++) {
      batch.put(String.format("user-%05d", i), new byte[] {1});
    }
    s.putAllBytes("c", batch);
    s.putBytes("c", "zeta", new byte[1]);
    s.putBytes("c2", "user-x", new byte[1]);
    try (var keys = s.keys("c", "user-")) {
      assertThat(keys.toList()).containsExactlyElementsOf(batch.keySet());
    }
    assertThat(s.keys("c", "user-006").count()).isEqualTo(100);
    assertThat(s.keys("c", "").count()).isEqualTo(n + 1);
    assertThat(s.keys("c", "nope")).isEmpty();
    try (var entries = s.entries("c", "user-006")) {
      List<Map.Entry<String, byte[]>> list = entries.toList();
      assertThat(list).extracting(Map.Entry::getKey)
          .containsExactlyElementsOf(batch.keySet().stream().filter(k -> k.startsWith("user-006")).toList());
      assertThat(list).allSatisfy(e -> assertThat(e.getValue()).containsExactly(1));
    }
    try (var entries = s.entries("c", "")) {
      assertThat(entries.map(Map.Entry::getKey).toList())
          .containsExactlyElementsOf(java.util.stream.Stream.concat(
              batch.keySet().stream(), java.util.stream.Stream.of("zeta")).toList());
    }
    assertThat(s.count("c")).isEqualTo(n + 1);
    assertThat(s.collections()).containsExactly("c", "c2");
  }

  @Test
  void entriesTakenOneAtATimeAreThoseOfTheWholePageWalk() {
    // the iterator asks the pager for one entry at a time (tryAdvance, clearing each slot it
    // hands out), forEach takes whole pages; both over two pages with shared values, which are
    // decoded after the walk from their blobs
    Storage s = open();
    byte[] shared = new byte[300];
    java.util.Arrays.fill(shared, (byte) 7);
    Map<String, byte[]> batch = new java.util.TreeMap<>();
    for (int i = 0; i < ScanPager.ENTRY_PAGE + 300; i++) {
      byte[] own = new byte[100 + i % 50];
      java.util.Arrays.fill(own, (byte) i);
      batch.put(String.format("k%05d", i), i % 5 == 0 ? shared : own);
    }
    s.putAllBytes("c", batch);
    s.maintenance(); // shares the equal values: their records now refer to one blob
    assertThat(s.stats().bytesSavedByDedup()).as("values shared by maintenance").isPositive();
    List<Map.Entry<String, byte[]>> oneByOne = new ArrayList<>();
    try (var entries = s.entries("c", "")) {
      java.util.Iterator<Map.Entry<String, byte[]>> it = entries.iterator();
      while (it.hasNext()) {
        oneByOne.add(it.next());
      }
    }
    List<Map.Entry<String, byte[]>> byPage;
    try (var entries = s.entries("c", "")) {
      byPage = entries.toList();
    }
    for (List<Map.Entry<String, byte[]>> got : List.of(oneByOne, byPage)) {
      assertThat(got).extracting(Map.Entry::getKey).containsExactlyElementsOf(batch.keySet());
      assertThat(got).allSatisfy(e ->
          assertThat(e.getValue()).as(e.getKey()).isEqualTo(batch.get(e.getKey())));
    }
  }

  @Test
  void aPageOfLargeValuesEndsAtItsByteBudget() {
    Storage s = open();
    int mib = 1 << 20;
    for (int i = 0; i < 9; i++) {
      byte[] v = new byte[mib];
      java.util.Arrays.fill(v, (byte) i);
      s.putBytes("big", "k" + i, v);
    }
    java.util.concurrent.atomic.AtomicInteger pages = new java.util.concurrent.atomic.AtomicInteger();
    MemoryBackendProvider.afterBeginRead = pages::incrementAndGet;
    List<Map.Entry<String, byte[]>> all;
    try (var entries = s.entries("big", "")) {
      all = entries.toList();
    } finally {
      MemoryBackendProvider.afterBeginRead = null;
    }
    assertThat(all).extracting(Map.Entry::getKey)
        .containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8");
    assertThat(all).allSatisfy(e -> assertThat(e.getValue()).hasSize(mib)
        .containsOnly((byte) (e.getKey().charAt(1) - '0')));
    long perPage = ScanPager.ENTRY_PAGE_BYTES / mib;
    assertThat(pages.get()).as("read transactions of 9 values of 1 MiB, %d MiB a page", perPage)
        .isEqualTo((int) ((9 + perPage - 1) / perPage));
  }

  @Test
  void keysWithMultiByteCharactersAreOrderedByUtf8Bytes() {
    Storage s = open();
    for (String k : List.of("b", "\u00e9", "a", "\uD83D\uDE00", "z")) {
      s.putBytes("c", k, new byte[1]);
    }
    assertThat(s.keys("c", "").toList()).containsExactly("a", "b", "z", "\u00e9", "\uD83D\uDE00");
  }

  // ------------------------------------------------------------------------------- bad input

  @Test
  void badArgumentsAreRejectedAndChangeNothing() {
    Storage s = open(b -> b.maxValueBytes(100));
    assertThatThrownBy(() -> s.putBytes(null, "k", new byte[1])).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("collection");
    assertThatThrownBy(() -> s.putBytes("c", null, new byte[1])).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> s.putBytes("c", "k", null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("value");
    assertThatThrownBy(() -> s.putBytes("c", "", new byte[1])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key must not be empty");
    assertThatThrownBy(() -> s.putBytes("c", "k".repeat(257), new byte[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
    assertThatThrownBy(() -> s.putBytes("c", "\u00e9".repeat(129), new byte[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("258 bytes");
    assertThatThrownBy(() -> s.putBytes("c", "bad\uD800", new byte[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("surrogate");
    for (String bad : List.of("", "has space", "slash/", "x".repeat(65), "nul\u0000")) {
      assertThatThrownBy(() -> s.putBytes(bad, "k", new byte[1]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("collection name");
    }
    assertThatThrownBy(() -> s.putBytes("c", "k", new byte[101])).isInstanceOf(ValueTooLargeException.class)
        .hasMessageContaining("101 bytes");
    assertThatThrownBy(() -> s.keys("c", (String) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> s.keys("c", (KeyRange) null)).isInstanceOf(NullPointerException.class);
    assertThat(s.collections()).isEmpty();
    assertThat(s.stats().writes()).isZero();
    s.putBytes("c", "k".repeat(256), new byte[100]);
    s.putBytes("A-z_0.9", "k", new byte[1]);
    assertThat(s.count("c")).isEqualTo(1);
  }

  @Test
  void builderRejectsBadSettingsAtOnce() {
    StorageBuilder b = Storage.builder();
    assertThatThrownBy(() -> b.inlineThreshold(-1)).hasMessageContaining("inline threshold");
    assertThatThrownBy(() -> b.maxValueBytes(0)).hasMessageContaining("max value bytes");
    assertThatThrownBy(() -> b.minSavings(1.5)).hasMessageContaining("min savings");
    assertThatThrownBy(() -> b.maintenanceInterval(Duration.ZERO)).hasMessageContaining("positive");
    assertThatThrownBy(() -> b.cacheMaxHeapBytes(-1)).hasMessageContaining("negative");
    assertThatThrownBy(b::open).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directory is required");
  }

  @Test
  void unknownPluginNamesListWhatWasFound() {
    assertThatThrownBy(() -> Storage.builder().directory(dir).backend("nosuch").open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no backend named 'nosuch'")
        .hasMessageContaining("cairn-backend-nosuch");
    assertThatThrownBy(() -> Storage.builder().directory(dir).backend(new MemoryBackendProvider())
        .codec("nosuch").open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no codec named 'nosuch'")
        .hasMessageContaining("identity");
  }

  @Test
  void aReadOnlyDirectoryIsAClearErrorAndNothingIsCreated() throws Exception {
    Path ro = java.nio.file.Files.createDirectories(dir.resolve("ro"));
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      // root ignores permission bits; an immutable directory is read-only even for root
      org.assertj.core.api.Assumptions.assumeThat(run("chattr", "+i", ro.toString()))
          .as("needs chattr +i when running as root").isZero();
    } else {
      java.nio.file.Files.setPosixFilePermissions(ro,
          java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    try {
      assertThatThrownBy(() -> Storage.builder().directory(ro).backend(new MemoryBackendProvider())
          .noScheduledMaintenance().open())
          .isInstanceOf(BackendException.class)
          .hasMessageContaining(ro.toString())
          .hasMessageContaining("writable");
      try (var files = java.nio.file.Files.list(ro)) {
        assertThat(files).isEmpty();
      }
    } finally {
      if (root) {
        run("chattr", "-i", ro.toString());
      } else {
        java.nio.file.Files.setPosixFilePermissions(ro,
            java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
  }

  private static int run(String... command) throws java.io.IOException, InterruptedException {
    return new ProcessBuilder(command).redirectErrorStream(true).start().waitFor();
  }

  @Test
  void aStoreCannotBeOpenedTwice() {
    open();
    assertThatThrownBy(this::open).isInstanceOf(BackendException.class).hasMessageContaining("already open");
  }

  /**
   * Regression: the refused second open closed its own channel on cairn.lock, and closing any
   * channel of a file drops every POSIX lock this process holds on it, so the first open's lock
   * was gone and another process could open the store at the same time.
   */
  @Test
  void aRefusedSecondOpenLeavesTheFirstOpensLockInPlace() throws Exception {
    open();
    assertThatThrownBy(this::open).isInstanceOf(BackendException.class)
        .hasMessageContaining("already open in this JVM");
    Path lock = dir.resolve("cairn.lock").toRealPath();
    List<String> cmd = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), TryLock.class.getName(), lock + "@-1");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out.trim()).as("the lock seen from another process").isEqualTo("held");
  }

  // ------------------------------------------------------------------------ lifecycle, misc

  @Test
  void dataSurvivesCloseAndReopen() {
    Storage s = open();
    s.putBytes("c", "k", value("durable ", 20));
    s.close();
    Storage again = open();
    assertThat(again.getBytes("c", "k")).hasValueSatisfying(b -> assertThat(b).isEqualTo(value("durable ", 20)));
    again.putBytes("c", "k2", value("more ", 20));
    assertThat(again.metadata("c", "k2").orElseThrow().version())
        .isGreaterThan(again.metadata("c", "k").orElseThrow().version());
  }

  @Test
  void everyCallAfterCloseThrowsAndCloseIsIdempotent() {
    Storage s = open();
    s.close();
    s.close();
    assertThatThrownBy(() -> s.getBytes("c", "k")).isInstanceOf(StorageClosedException.class);
    assertThatThrownBy(() -> s.putBytes("c", "k", new byte[1])).isInstanceOf(StorageClosedException.class);
    assertThatThrownBy(() -> s.keys("c", "")).isInstanceOf(StorageClosedException.class);
    assertThatThrownBy(s::stats).isInstanceOf(StorageClosedException.class);
    assertThatThrownBy(s::maintenance).isInstanceOf(StorageClosedException.class);
    assertThatThrownBy(s::async).isInstanceOf(StorageClosedException.class);
    assertThatThrownBy(() -> s.count("c")).isInstanceOf(StorageClosedException.class);
  }

  @Test
  void metadataTracksVersionsTimesAndAccessCounts() {
    Storage s = open(b -> b.accessStatistics(true));
    s.putBytes("c", "k", value("v", 100));
    RecordMetadata first = s.metadata("c", "k").orElseThrow();
    s.getBytes("c", "k");
    s.getBytes("c", "k");
    s.putBytes("c", "k", value("w", 100));
    RecordMetadata m = s.metadata("c", "k").orElseThrow();
    assertThat(m.version()).isGreaterThan(first.version());
    assertThat(m.createdAt()).isEqualTo(first.createdAt());
    assertThat(m.updatedAt()).isAfterOrEqualTo(first.updatedAt());
    assertThat(m.accessCount()).isEqualTo(2);
    assertThat(m.lastAccessedAt()).isPresent();
    s.maintenance(); // flushes to the store
    assertThat(s.metadata("c", "k").orElseThrow().accessCount()).isEqualTo(2);
    s.close();
    Storage again = open(); // access statistics off: the counts flushed before are kept
    assertThat(again.metadata("c", "k").orElseThrow().accessCount()).isEqualTo(2);
    again.getBytes("c", "k");
    again.maintenance();
    assertThat(again.metadata("c", "k").orElseThrow().accessCount()).isEqualTo(2);
  }

  @Test
  void asyncOperationsComplete() throws Exception {
    Storage s = open(b -> b.asyncThreads(2).asyncQueueCapacity(4));
    List<java.util.concurrent.CompletableFuture<Void>> fs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      fs.add(s.async().putBytes("c", "k" + i, value("v" + i, 10)));
    }
    java.util.concurrent.CompletableFuture.allOf(fs.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
        .get(30, TimeUnit.SECONDS);
    assertThat(s.async().getBytes("c", "k7").get(10, TimeUnit.SECONDS))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(value("v7", 10)));
    assertThat(s.async().delete("c", "k7").get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(s.async().getBytes("c", "bad key with a\uD800").handle((v, e) -> e).get(10, TimeUnit.SECONDS))
        .isInstanceOf(java.util.concurrent.CompletionException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(s.count("c")).isEqualTo(49);
  }

  @Test
  void entriesReadBlobsInIdOrderAndMatchAModel() {
    // blob ids follow write order, not key order: write keys in random order, share content
    // (one blob id for several records), mix inline values, and punch gaps with deletes and
    // overwrites so the page's ids form runs, singletons and duplicates
    Storage s = open(b -> b.accessStatistics(true));
    Random random = new Random(7);
    Map<String, byte[]> model = new java.util.TreeMap<>();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 900; i++) {
      order.add(i);
    }
    java.util.Collections.shuffle(order, random);
    for (int i : order) {
      String key = String.format("k%04d", i);
      byte[] v = switch (i % 5) {
        case 0 -> value("inline" + i, 1);                // below the inline threshold
        case 1 -> value("shared" + (i % 7), 40);          // deduplicated: shared blob ids
        default -> value("own" + i + "-", 30);            // a blob of its own
      };
      s.putBytes("c", key, v);
      model.put(key, v);
    }
    for (int i = 0; i < 900; i += 3) {
      String key = String.format("k%04d", i);
      if (random.nextBoolean()) {
        s.delete("c", key);
        model.remove(key);
      } else {
        byte[] v = value("new" + i + "-", 30);
        s.putBytes("c", key, v);
        model.put(key, v);
      }
    }
    try (var entries = s.entries("c", "")) {
      List<Map.Entry<String, byte[]>> list = entries.toList();
      assertThat(list).extracting(Map.Entry::getKey).containsExactlyElementsOf(model.keySet());
      for (Map.Entry<String, byte[]> e : list) {
        assertThat(e.getValue()).as(e.getKey()).isEqualTo(model.get(e.getKey()));
      }
    }
    String first = model.keySet().iterator().next();
    assertThat(s.metadata("c", first).orElseThrow().accessCount())
        .as("a scan does not count as an access").isZero();
    s.getBytes("c", first);
    assertThat(s.metadata("c", first).orElseThrow().accessCount()).isEqualTo(1);
  }

  @Test
  void entriesReportAMissingBlobByItsRecord() {
    Storage s = open(b -> b.dedupMode(DedupMode.ON_WRITE));
    for (int i = 0; i < 20; i++) {
      s.putBytes("c", "k" + (100 + i), value("v" + i + "-", 40));
    }
    s.close();
    NavigableMap<byte[], byte[]> blobs = MemoryBackendProvider.STORES.get(dir.toAbsolutePath()).get("blobs");
    byte[] tenth = blobs.keySet().stream().skip(10).findFirst().orElseThrow();
    blobs.remove(tenth); // inside a run of neighbouring ids
    Storage again = open();
    assertThatThrownBy(() -> again.entries("c", "").count())
        .isInstanceOf(DataCorruptionException.class).hasMessageContaining("c/k110")
        .hasMessageContaining("missing");
    again.delete("c", "k110");
    assertThat(again.entries("c", "").count()).isEqualTo(19);
  }

  @Test
  void aCorruptedRecordRaisesDataCorruptionNeverWrongBytes() {
    Storage s = open(b -> b.dedupMode(DedupMode.ON_WRITE));
    s.putBytes("c", "inline", value("i", 10));
    s.putBytes("c", "blob", value("b", 500));
    s.close();
    NavigableMap<byte[], byte[]> records = MemoryBackendProvider.STORES.get(dir.toAbsolutePath()).get("records");
    NavigableMap<byte[], byte[]> blobs = MemoryBackendProvider.STORES.get(dir.toAbsolutePath()).get("blobs");
    byte[] inlineRecord = records.get(Keys.recordKey("c", Keys.keyBytes("inline")));
    inlineRecord[inlineRecord.length - 7] ^= 0x01; // inside the inline payload
    blobs.values().forEach(v -> v[20] ^= 0x40);
    Storage again = open();
    assertThatThrownBy(() -> again.getBytes("c", "inline")).isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("c/inline");
    assertThatThrownBy(() -> again.getBytes("c", "blob")).isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("c/blob");
    assertThat(again.admin().verify().problems()).hasSize(3); // 2 records + the blob itself
    assertThat(again.stats().corruptionsDetected()).isEqualTo(2);
    MaintenanceReport report = again.maintenance();
    assertThat(report.step("verify").orElseThrow().outcome()).isEqualTo(MaintenanceReport.Outcome.FAILED);
    // overwriting repairs the records
    again.putBytes("c", "inline", value("i", 10));
    again.delete("c", "blob");
    assertThat(again.admin().verify().problems()).isEmpty();
  }

  @Test
  void maintenanceRunsEveryStepAndAFailedStepDoesNotStopTheOthers() {
    AtomicInteger ran = new AtomicInteger();
    Storage s = open(b -> b
        .maintenanceTask(task("boom", () -> {
          throw new IllegalStateException("task failed");
        }))
        .maintenanceTask(task("after", () -> "ran " + ran.incrementAndGet())));
    s.putBytes("c", "k", value("v", 100));
    MaintenanceReport r = s.maintenance();
    assertThat(r.steps()).extracting(MaintenanceReport.Step::name)
        .containsExactly("flush-access-stats", "cache-cleanup", "purge-expired", "deduplicate",
            "trim-change-feed", "verify", "optimize", "boom", "after");
    assertThat(r.step("trim-change-feed").orElseThrow().outcome())
        .isEqualTo(MaintenanceReport.Outcome.SKIPPED);
    assertThat(r.step("cache-cleanup").orElseThrow().outcome()).isEqualTo(MaintenanceReport.Outcome.SKIPPED);
    assertThat(r.step("boom").orElseThrow().error()).contains("task failed");
    assertThat(r.step("after").orElseThrow().outcome()).isEqualTo(MaintenanceReport.Outcome.OK);
    assertThat(r.step("verify").orElseThrow().detail()).contains("1 records");
    assertThat(r.successful()).isFalse();
    assertThat(ran).hasValue(1);
  }

  @Test
  void regressionScheduledMaintenanceWaitsOneIntervalAndStopsAtClose() throws Exception {
    CountDownLatch twice = new CountDownLatch(2);
    AtomicInteger runs = new AtomicInteger();
    Storage s = Storage.builder().directory(dir).backend(new MemoryBackendProvider())
        .maintenanceInterval(Duration.ofMillis(300))
        .maintenanceTask(task("count", () -> {
          runs.incrementAndGet();
          twice.countDown();
          return "";
        })).open();
    assertThat(runs).as("nothing runs at open").hasValue(0);
    assertThat(twice.await(30, TimeUnit.SECONDS)).isTrue();
    s.close();
    int atClose = runs.get();
    Thread.sleep(700);
    assertThat(runs).as("no run after close").hasValue(atClose);
  }

  private static MaintenanceTask task(String name, java.util.concurrent.Callable<String> body) {
    return new MaintenanceTask() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String run(Storage storage) throws Exception {
        return body.call();
      }
    };
  }

  @Test
  void statsCountOperationsAndLatencies() {
    Storage s = open();
    s.putBytes("c", "a", value("a", 100));
    s.getBytes("c", "a");
    s.getBytes("c", "missing");
    s.delete("c", "a");
    s.delete("c", "a");
    var st = s.stats();
    assertThat(st.writes()).isEqualTo(1);
    assertThat(st.reads()).isEqualTo(1);
    assertThat(st.deletes()).isEqualTo(1);
    assertThat(st.rawBytesWritten()).isEqualTo(100);
    assertThat(st.readLatency().count()).isEqualTo(2);
    assertThat(st.writeLatency().count()).isEqualTo(3);
    assertThat(st.readLatency().p50Micros()).isLessThanOrEqualTo(st.readLatency().maxMicros());
  }

  @Test
  void exportAndImportCarryRecordsWithTheirTimes() {
    Storage s = open();
    s.putBytes("c", "a", value("a", 100));
    s.putBytes("c", "small", value("s", 3));
    List<StorageAdmin.ExportedRecord> out = new ArrayList<>();
    s.admin().exportRecords(out::add);
    assertThat(out).extracting(StorageAdmin.ExportedRecord::key).containsExactly("a", "small");
    assertThat(out.get(0).contentHash()).hasSize(32);
    assertThat(out.get(1).contentHash()).isNull();
    s.close();
    MemoryBackendProvider.STORES.clear();
    Storage fresh = open();
    fresh.admin().importRecords(out);
    assertThat(fresh.getBytes("c", "a")).hasValueSatisfying(b -> assertThat(b).isEqualTo(value("a", 100)));
    assertThat(fresh.metadata("c", "a").orElseThrow().createdAt().toEpochMilli())
        .isEqualTo(out.get(0).createdAtMillis());
  }

  // ----------------------------------------------------------------------------- dictionaries

  private static byte[] bet(int i) {
    return String.format("{\"player\":\"player-%05d\",\"game\":\"roulette\",\"table\":%d,"
        + "\"stake\":%d,\"currency\":\"EUR\",\"placedAt\":\"2026-11-25T10:%02d:00Z\"}",
        i, i % 7, 10 + i % 90, i % 60).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void trainedDictionariesShrinkSmallRecordsAndKeepOldOnesReadable() {
    Storage s = open(b -> b.codec(new DeflateTestCodecProvider()).dictionaryTrainingSamples(0)
        .minSavings(0.01));
    for (int i = 0; i < 200; i++) {
      s.putBytes("bets", "b" + i, bet(i));
    }
    s.putBytes("bets", "before", bet(5000));
    int before = s.metadata("bets", "before").orElseThrow().storedLength();
    assertThat(s.admin().trainDictionary("bets")).hasValue(1);
    s.putBytes("bets", "after", bet(5001));
    int after = s.metadata("bets", "after").orElseThrow().storedLength();
    assertThat(after).isLessThan(before);
    assertThat(s.admin().trainDictionary("bets")).as("retraining adds a dictionary").hasValue(2);
    s.putBytes("bets", "after2", bet(198));
    s.close();
    Storage again = open(b -> b.codec(new DeflateTestCodecProvider()).dictionaryTrainingSamples(0));
    // a scan first: its walk meets "after", written with dictionary 1, which no read has loaded
    // yet (open loads the collection's current one, 2); that value is decoded after the walk
    Map<String, byte[]> scanned = new HashMap<>();
    try (var entries = again.entries("bets", "")) {
      entries.forEach(e -> scanned.put(e.getKey(), e.getValue()));
    }
    assertThat(scanned).hasSize(203);
    assertThat(scanned.get("after")).isEqualTo(bet(5001));
    assertThat(scanned.get("after2")).isEqualTo(bet(198));
    assertThat(scanned.get("b17")).isEqualTo(bet(17));
    for (int i = 0; i < 200; i++) {
      int ii = i;
      assertThat(again.getBytes("bets", "b" + i)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bet(ii)));
    }
    assertThat(again.getBytes("bets", "after")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bet(5001)));
    assertThat(again.getBytes("bets", "after2")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bet(198)));
    assertThat(again.admin().trainDictionary("empty")).isEmpty();
  }

  @Test
  void aDictionaryIsTrainedAutomaticallyOnceEnoughValuesWereWritten() throws Exception {
    Storage s = open(b -> b.codec(new DeflateTestCodecProvider()).dictionaryTrainingSamples(50)
        .minSavings(0.01));
    for (int i = 0; i < 60; i++) {
      s.putBytes("bets", "b" + i, bet(i));
    }
    int plain = s.metadata("bets", "b59").orElseThrow().storedLength();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int withDict = plain;
    for (int probe = 1; withDict >= plain && System.nanoTime() < deadline; probe++) {
      Thread.sleep(50);
      s.putBytes("bets", "probe", bet(10_000 + probe));
      withDict = s.metadata("bets", "probe").orElseThrow().storedLength();
    }
    assertThat(withDict).isLessThan(plain);
  }

  @Test
  void identityCodecCannotTrainDictionaries() {
    Storage s = open();
    assertThatThrownBy(() -> s.admin().trainDictionary("c")).isInstanceOf(UnsupportedOperationException.class);
  }

  // ----------------------------------------------------------------------------- group commit

  @Test
  void groupCommitsKeepEachCallersWritesAndIsolateFailures() throws Exception {
    Storage s = open(b -> b.durability(dev.cairn.storage.Durability.GROUP));
    byte[] shared = value("shared ", 30);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    AtomicInteger failed = new AtomicInteger();
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int tt = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < 30; i++) {
            int ii = i;
            try {
              s.useTransaction(tx -> {
                tx.putBytes("c", "t" + tt + "-" + ii, shared);
                tx.putBytes("d", "t" + tt + "-" + ii, value("own" + tt, 20));
                if (ii % 7 == 3) {
                  throw new IllegalStateException("fails on purpose");
                }
              });
            } catch (IllegalStateException e) {
              failed.incrementAndGet();
            }
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int ok = 16 * 30 - failed.get();
    assertThat(failed.get()).isEqualTo(16 * 4);
    assertThat(s.count("c")).isEqualTo(ok);
    assertThat(s.count("d")).isEqualTo(ok);
    assertThat(s.contains("c", "t0-3")).isFalse();
    assertThat(s.contains("c", "t0-4")).isTrue();
    StorageAdmin.VerificationReport r = s.admin().verify();
    assertThat(r.problems()).isEmpty();
    assertThat(s.stats().transactionsCommitted()).isEqualTo(ok);
  }

  @Test
  void aFailedGroupCommitFailsEveryCallerInIt() {
    Storage s = open(b -> b.durability(dev.cairn.storage.Durability.GROUP));
    MemoryBackendProvider.failNextCommit = new BackendException("disk on fire");
    assertThatThrownBy(() -> s.putBytes("c", "k", value("v", 100))).hasMessageContaining("disk on fire");
    assertThat(s.contains("c", "k")).isFalse();
    s.putBytes("c", "k", value("v", 100));
    assertThat(s.getBytes("c", "k")).isPresent();
  }

  @Test
  void groupCommitLeaderStopsWaitingOnceEveryWriterHasJoined() throws Exception {
    // regression: the leader parked for the whole window even with every writer in its group
    Duration window = Duration.ofSeconds(1);   // the longest the builder allows
    Engine s = (Engine) open(b -> b.durability(dev.cairn.storage.Durability.GROUP)
        .groupCommitWindow(window));
    int writers = 8;
    try (QueuedGroup group = new QueuedGroup(s, writers, t -> () -> {
      String key = "w" + t;
      s.putBytes("c", key, value(key, 10));
    })) {
      long commitsBefore = MemoryBackendProvider.COMMITS.get();

      long start = System.nanoTime();
      group.releaseAndAwait();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).as("all %d writers were in the group: no reason to wait the %s window",
          writers, window).isLessThan(window.dividedBy(2));
      assertThat(MemoryBackendProvider.COMMITS.get() - commitsBefore)
          .as("the blocker's commit and one group commit").isEqualTo(2);
      assertThat(s.count("c")).isEqualTo(writers);
    }
  }

  @Test
  void aLoneGroupWriterDoesNotWaitTheWindow() {
    Duration window = Duration.ofSeconds(1);
    Storage s = open(b -> b.durability(dev.cairn.storage.Durability.GROUP).groupCommitWindow(window));

    long start = System.nanoTime();
    s.putBytes("c", "k", value("v", 10));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(window.dividedBy(2));
  }

  @Test
  void theWindowStillWaitsForAnotherRecentWriterToJoin() throws Exception {
    Engine s = (Engine) open(b -> b.durability(dev.cairn.storage.Durability.GROUP)
        .groupCommitWindow(Duration.ofSeconds(1)));
    ExecutorService second = Executors.newSingleThreadExecutor();
    try {
      second.submit(() -> s.putBytes("c", "b0", value("b", 10))).get(30, TimeUnit.SECONDS);
      long commitsBefore = MemoryBackendProvider.COMMITS.get();
      Future<?> b = second.submit(() -> {
        while (s.groupQueued() == 0) {   // until this thread's leader waits in its window
          Thread.onSpinWait();
        }
        s.putBytes("c", "b1", value("b", 10));
      });

      s.putBytes("c", "a1", value("a", 10));
      b.get(30, TimeUnit.SECONDS);

      assertThat(MemoryBackendProvider.COMMITS.get() - commitsBefore)
          .as("the leader waited for the other recent writer: one commit for both").isEqualTo(1);
    } finally {
      second.shutdownNow();
    }
  }

  // ------------------------------------------------------------------- zero-copy reads, hits

  @Test
  void getBufferIsAReadOnlyViewOfTheValueWithAndWithoutACache() {
    for (Storage s : List.of(open(), open(b -> b.directory(dir.resolve("cached"))
        .cache(new MapCacheProvider())))) {
      byte[] v = value("0123456789", 20);
      s.putBytes("c", "k", v);
      for (int round = 0; round < 2; round++) { // a backend read, then (cached) a hit
        java.nio.ByteBuffer b = s.getBuffer("c", "k").orElseThrow();
        assertThat(b.isReadOnly()).isTrue();
        assertThat(b.position()).isZero();
        assertThat(b.remaining()).isEqualTo(v.length);
        byte[] read = new byte[b.remaining()];
        b.get(read);
        assertThat(read).isEqualTo(v);
        assertThatThrownBy(() -> b.put(0, (byte) 1))
            .isInstanceOf(java.nio.ReadOnlyBufferException.class);
      }
      assertThat(s.getBuffer("c", "absent")).isEmpty();
      s.transaction(tx -> {
        tx.putBytes("c", "k", value("t", 100));
        assertThat(s.getBuffer("c", "k").orElseThrow().remaining())
            .as("a read in a transaction sees its own write").isEqualTo(100);
        return null;
      });
      assertThatThrownBy(() -> s.getBuffer("c", "")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void getValueReadsImmutableBytesWithAndWithoutACache() {
    for (Storage s : List.of(open(), open(b -> b.directory(dir.resolve("cached"))
        .cache(new MapCacheProvider())))) {
      byte[] v = value("0123456789", 20);
      s.putBytes("c", "k", v);
      for (int round = 0; round < 2; round++) { // a backend read, then (cached) a hit
        Bytes b = s.getValue("c", "k").orElseThrow();
        assertThat(b.toByteArray()).isEqualTo(v);
        b.toByteArray()[0] = 'X';
        b.asReadOnlyBuffer().position(5);
        assertThat(b).as("nothing handed out changes the value").isEqualTo(Bytes.copyOf(v));
      }
      assertThat(s.getValue("c", "absent")).isEmpty();
      s.putBytes("c", "empty", new byte[0]);
      assertThat(s.getValue("c", "empty")).contains(Bytes.EMPTY);
      s.transaction(tx -> {
        tx.putBytes("c", "k", value("t", 100));
        assertThat(s.getValue("c", "k").orElseThrow().length())
            .as("a read in a transaction sees its own write").isEqualTo(100);
        return null;
      });
      assertThat(s.getValue("c", "k").orElseThrow().length()).as("committed").isEqualTo(100);
      assertThatThrownBy(() -> s.getValue("c", "")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.getValue(null, "k")).isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void aCacheHitThroughGetValueReturnsTheEntrysOwnOptional() {
    Storage s = open(b -> b.cache(new MapCacheProvider()));
    s.putBytes("c", "k", value("abc", 50));
    Optional<Bytes> miss = s.getValue("c", "k"); // populates the cache
    Optional<Bytes> hit = s.getValue("c", "k");
    assertThat(s.getValue("c", "k")).as("a hit allocates nothing").isSameAs(hit);
    assertThat(hit).isEqualTo(miss);
    s.putBytes("c", "k", value("new", 50));
    assertThat(s.getValue("c", "k")).as("a write invalidates the entry")
        .contains(Bytes.copyOf(value("new", 50)));
    assertThat(s.stats().cacheHits()).isEqualTo(2);
  }

  @Test
  void bytesAreStoredAsIsByPutAndReadAsIsByTypedGet() {
    for (Storage s : List.of(open(), open(b -> b.directory(dir.resolve("cached"))
        .cache(new MapCacheProvider())))) {
      byte[] v = {0, (byte) 0xff, '"', '{'}; // not JSON: the value mapper must not see it
      s.put("c", "k", Bytes.copyOf(v));
      assertThat(s.getBytes("c", "k")).get().isEqualTo(v);
      assertThat(s.get("c", "k", Bytes.class)).contains(Bytes.copyOf(v));
      s.useTransaction(tx -> tx.put("c", "t", Bytes.copyOf(v)));
      assertThat(s.getBytes("c", "t")).get().isEqualTo(v);
      s.transaction(tx -> assertThat(tx.get("c", "t", Bytes.class)).contains(Bytes.copyOf(v)));
      s.putAll("c", Map.of("a", Bytes.copyOf(v), "j", "text"));
      assertThat(s.getAll("c", List.of("a"), Bytes.class)).containsEntry("a", Bytes.copyOf(v));
      assertThat(s.get("c", "j", String.class)).contains("text");
    }
  }

  @Test
  void aCacheHitNeverExposesTheCachesArray() {
    Storage s = open(b -> b.cache(new MapCacheProvider()));
    s.putBytes("c", "k", value("abc", 50));
    byte[] first = s.getBytes("c", "k").orElseThrow(); // miss: populates the cache
    java.util.Arrays.fill(first, (byte) 'X');
    byte[] hit = s.getBytes("c", "k").orElseThrow();
    assertThat(hit).as("after modifying the array of the populating read").isEqualTo(value("abc", 50));
    java.util.Arrays.fill(hit, (byte) 'Y');
    assertThat(s.getBytes("c", "k")).as("after modifying a hit's array").contains(value("abc", 50));
    assertThat(s.getBuffer("c", "k").orElseThrow()).isEqualTo(java.nio.ByteBuffer.wrap(value("abc", 50)));
    s.put("c", "json", "x".repeat(100));
    assertThat(s.get("c", "json", String.class)).contains("x".repeat(100));
    Map<String, String> all = s.getAll("c", List.of("json"), String.class);
    assertThat(all).containsEntry("json", "x".repeat(100));
    assertThat(s.get("c", "json", String.class)).as("typed reads map the cached array in place")
        .contains("x".repeat(100));
  }

  @Test
  void cacheHitsCountAsReadsAndAccessesAndFailAfterClose() {
    Storage s = open(b -> b.cache(new MapCacheProvider()).accessStatistics(true));
    s.put("c", "k", "abc".repeat(50));
    for (int i = 0; i < 5; i++) {
      s.getBytes("c", "k");
    }
    s.getBuffer("c", "k");
    s.getValue("c", "k");
    s.get("c", "k", String.class);
    assertThat(s.stats().reads()).as("1 backend read + 7 hits").isEqualTo(8);
    assertThat(s.stats().cacheHits()).isEqualTo(7);
    assertThat(s.metadata("c", "k").orElseThrow().accessCount()).isEqualTo(8);
    s.getAll("c", List.of("k", "absent"), String.class); // a hit and a backend read
    assertThat(s.stats().cacheHits()).isEqualTo(8);
    assertThat(s.stats().readLatency().count())
        .as("only the reads the backend answered are timed: the first get and the absent key")
        .isEqualTo(2);
    s.close();
    assertThatThrownBy(() -> s.getBuffer("c", "k")).isInstanceOf(StorageClosedException.class);
    assertThatThrownBy(() -> s.getBytes("c", "k")).isInstanceOf(StorageClosedException.class);
    assertThatThrownBy(() -> s.getValue("c", "k")).isInstanceOf(StorageClosedException.class);
  }

  /**
   * Access statistics are off unless asked for, as file systems mount {@code noatime}: a store
   * that is only read is never written to, not even by a flush at close.
   */
  @Test
  void byDefaultReadsAreNotCountedAndNeverWrite() {
    for (boolean counted : new boolean[] {false, true}) {
      Storage s = open(b -> counted ? b.accessStatistics(true) : b);
      s.put("c", "k", "abc".repeat(50));
      long commitsBefore = MemoryBackendProvider.COMMITS.get();
      for (int i = 0; i < 3; i++) {
        s.getBytes("c", "k");
      }
      RecordMetadata m = s.metadata("c", "k").orElseThrow();
      assertThat(m.accessCount()).isEqualTo(counted ? 3 : 0);
      assertThat(m.lastAccessedAt().isPresent()).isEqualTo(counted);
      assertThat(s.stats().reads()).as("reads are counted either way").isEqualTo(3);
      s.close(); // flushes access statistics, if any
      assertThat(MemoryBackendProvider.COMMITS.get() - commitsBefore)
          .as("commits for three reads and a close, access statistics " + counted)
          .isEqualTo(counted ? 1 : 0);
    }
  }

  @Test
  void accessStatisticsTuningWithoutTurningThemOnIsRefused() {
    assertThatThrownBy(() -> open(b -> b.accessStatsFlushInterval(java.time.Duration.ofMinutes(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("access statistics are off (the default)")
        .hasMessageContaining("accessStatistics(true)");
    assertThatThrownBy(() -> open(b -> b.accessStatistics(false).accessStatsMaxPending(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("accessStatistics(true)");
    open(b -> b.accessStatistics(true).accessStatsMaxPending(10)).close();
  }

  @Test
  void accessStatisticsOffLeavesCountsAlone() {
    Storage s = open(b -> b.accessStatistics(false).cache(new MapCacheProvider()));
    s.put("c", "k", "abc".repeat(50));
    for (int i = 0; i < 3; i++) {
      s.getBytes("c", "k");
    }
    RecordMetadata m = s.metadata("c", "k").orElseThrow();
    assertThat(m.accessCount()).isZero();
    assertThat(m.lastAccessedAt()).isEmpty();
    assertThat(s.stats().reads()).as("reads are still counted").isEqualTo(3);
  }

  // ------------------------------------------------------------------------------ cache races

  @Test
  void regressionGetAllNeverCachesAValueOlderThanACommitMadeAfterItsSnapshot() {
    Storage s = open(b -> b.cache(new MapCacheProvider()));
    s.put("bank", "acct", 1);
    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
    MemoryBackendProvider.afterBeginRead = () -> {
      if (once.compareAndSet(false, true)) {
        s.put("bank", "acct", 2); // commits after getAll's snapshot, before getAll reads
      }
    };
    assertThat(s.getAll("bank", List.of("acct"), Integer.class)).containsEntry("acct", 1);
    MemoryBackendProvider.afterBeginRead = null;
    assertThat(s.get("bank", "acct", Integer.class)).as("read after the write returned").contains(2);
  }

  @Test
  void aReadWhoseBlobIsReleasedAfterItsRecordWasReadReadsAgainFromOneSnapshot() {
    // single reads run without a snapshot (Backend.beginReadLatest): an overwrite committing
    // between the record and the blob read frees the old blob; the read must not call that
    // corruption, and must return the value of one committed state
    for (boolean cached : new boolean[] {false, true}) {
      Storage s = open(b -> (cached
          ? b.directory(dir.resolve("cached")).cache(new MapCacheProvider())
          : b.directory(dir.resolve("uncached"))).dedupMode(DedupMode.ON_WRITE));
      s.putBytes("c", "k", value("old", 100));
      java.util.concurrent.atomic.AtomicInteger recordReads = new java.util.concurrent.atomic.AtomicInteger();
      MemoryBackendProvider.afterLatestGet = keyspace -> {
        if (keyspace.equals("records") && recordReads.incrementAndGet() == 1) {
          s.putBytes("c", "k", value("new", 100)); // frees the blob the record just named
        }
      };
      assertThat(s.getBytes("c", "k")).contains(value("new", 100));
      MemoryBackendProvider.afterLatestGet = null;
      assertThat(recordReads).hasValue(1);
      assertThat(s.stats().corruptionsDetected()).isZero();
      assertThat(s.getBytes("c", "k")).as("and the cache, if any, holds the new value")
          .contains(value("new", 100));
    }
  }

  @Test
  void aSingleReadNeverCachesAValueOlderThanACommitMadeAfterItsSnapshot() {
    // a single read has no snapshot (Backend.beginReadLatest): the commit lands right after it
    // read the record
    Storage s = open(b -> b.cache(new MapCacheProvider()));
    s.put("bank", "acct", 1);
    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
    MemoryBackendProvider.afterLatestGet = keyspace -> {
      if (keyspace.equals("records") && once.compareAndSet(false, true)) {
        s.put("bank", "acct", 2);
      }
    };
    assertThat(s.get("bank", "acct", Integer.class)).contains(1);
    MemoryBackendProvider.afterLatestGet = null;
    assertThat(once).isTrue();
    assertThat(s.get("bank", "acct", Integer.class)).contains(2);
  }
}
