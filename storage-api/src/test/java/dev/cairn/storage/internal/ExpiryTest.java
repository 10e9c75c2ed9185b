package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.DedupMode;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.StorageStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expiring records in the engine: the expiry index, the cache, the format marker. */
final class ExpiryTest {

  @TempDir Path dir;
  private final List<Storage> opened = new ArrayList<>();
  /** The stores' clock, moved by hand. */
  private final AtomicLong now =
      new AtomicLong(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli());
  private final Duration hour = Duration.ofHours(1);

  private Storage open(UnaryOperator<StorageBuilder> custom) {
    Storage s = custom.apply(Storage.builder().directory(dir)
        .backend(new MemoryBackendProvider()).noScheduledMaintenance().clock(() -> Instant.ofEpochMilli(now.get()))).open();
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    for (Storage s : opened) {
      s.close();
    }
  }

  /** A keyspace of the store in {@code dir}, as its last close left it. */
  private NavigableMap<byte[], byte[]> keyspace(String name) {
    return MemoryBackendProvider.STORES.get(dir.toAbsolutePath()).get(name);
  }

  /** The expiry index entries: (expiry, collection/key). */
  private List<String> expiryIndex() {
    List<String> out = new ArrayList<>();
    for (byte[] k : keyspace("meta").keySet()) {
      if (k.length > RecordStore.EXPIRY_PREFIX.length && java.util.Arrays.equals(k, 0,
          RecordStore.EXPIRY_PREFIX.length, RecordStore.EXPIRY_PREFIX, 0,
          RecordStore.EXPIRY_PREFIX.length)) {
        byte[] rk = RecordStore.recordKeyOf(k);
        out.add(RecordStore.expiryOf(k) + " " + Keys.collectionOf(rk) + "/" + Keys.keyOf(rk));
      }
    }
    return out;
  }

  @Test
  void aStoreThatNeverUsesTtlWritesNoExpiryIndexAndItsRecordsCarryNoExpiry() {
    Storage s = open(b -> b);
    for (int i = 0; i < 100; i++) {
      s.putBytes("c", "k" + i, new byte[] {(byte) i});
    }
    s.delete("c", "k1");
    s.maintenance();
    s.close();
    assertThat(expiryIndex()).isEmpty();
    for (byte[] v : keyspace("records").values()) {
      assertThat(v[1] & RecordFormat.FLAG_EXPIRES).isZero();
    }
  }

  @Test
  void theExpiryIndexHoldsExactlyOneEntryPerExpiringRecord() {
    UnaryOperator<StorageBuilder> settings = b -> b.defaultTtl("d", hour.multipliedBy(2));
    Storage s = open(settings);
    long start = now.get();
    s.putBytes("c", "a", new byte[] {1}, hour);
    s.putBytes("c", "b", new byte[] {1}, hour);
    s.putBytes("d", "x", new byte[] {1});
    s.close();
    assertThat(expiryIndex()).containsExactly(
        (start + 3_600_000) + " c/a", (start + 3_600_000) + " c/b", (start + 7_200_000) + " d/x");
    s = open(settings);
    s.putBytes("c", "a", new byte[] {2}, hour.multipliedBy(3)); // moved
    s.putBytes("c", "b", new byte[] {2}); // no longer expires
    s.delete("d", "x");
    s.close();
    assertThat(expiryIndex()).containsExactly((start + 10_800_000) + " c/a");
    s = open(settings);
    s.useTransaction(tx -> tx.putBytes("c", "t", new byte[] {3}, hour));
    try {
      s.useTransaction(tx -> {
        tx.putBytes("c", "rolled-back", new byte[] {1}, hour);
        throw new IllegalStateException("roll back");
      });
    } catch (IllegalStateException expected) {
      // rolled back: its index entry with it
    }
    s.close();
    assertThat(expiryIndex()).hasSize(2);
    s = open(settings);
    now.addAndGet(hour.toMillis() + 1);
    assertThat(s.maintenance().step("purge-expired").orElseThrow().detail())
        .isEqualTo("purged 1 expired records");
    assertThat(s.admin().verify().problems()).isEmpty();
    s.close();
    assertThat(expiryIndex()).containsExactly((start + 10_800_000) + " c/a");
  }

  @Test
  void aCachedValueIsNotServedPastItsExpiryAndCountsAsAMiss() {
    Storage s = open(b -> b.cache(new MapCacheProvider()));
    s.putBytes("c", "k", new byte[] {1}, hour);
    s.putBytes("c", "p", new byte[] {2});
    assertThat(s.getBytes("c", "k")).isPresent(); // a miss: populates the cache
    assertThat(s.getBytes("c", "k")).isPresent(); // a hit
    StorageStats before = s.stats();
    now.addAndGet(hour.toMillis());
    assertThat(s.getValue("c", "k")).isEmpty();
    assertThat(s.stats().cacheMisses() - before.cacheMisses())
        .as("the expired entry is a miss, and the backend found nothing live").isEqualTo(1);
    assertThat(s.getVersioned("c", "k", byte[].class)).isEmpty();
    assertThat(s.contains("c", "k")).isFalse();
    assertThat(s.getBytes("c", "p")).isPresent();
  }

  @Test
  void aPurgeIsACommittedDeleteThatInvalidatesTheCache() {
    Storage s = open(b -> b.cache(new MapCacheProvider()));
    s.putBytes("c", "k", new byte[] {1}, hour);
    s.getBytes("c", "k");
    now.addAndGet(hour.toMillis());
    now.addAndGet(-Duration.ofDays(1).toMillis()); // the clock going back brings the record back...
    assertThat(s.getBytes("c", "k")).isPresent();
    now.addAndGet(Duration.ofDays(1).toMillis());
    s.maintenance();
    now.addAndGet(-Duration.ofDays(1).toMillis()); // ...until a purge removed it and dropped its cached value
    assertThat(s.getBytes("c", "k")).isEmpty();
    s.close();
    assertThat(keyspace("records")).isEmpty();
  }

  @Test
  void aDefaultTtlOrDedupModeForANameNoCollectionCanHaveIsRefused() {
    // it would apply to no record: refused like a write to that collection, not ignored
    assertThatThrownBy(() -> Storage.builder().defaultTtl("no spaces", hour))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("collection name must match [A-Za-z0-9_.-]{1,64}: 'no spaces'");
    assertThatThrownBy(() -> Storage.builder().dedupMode("", DedupMode.OFF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("collection name must be 1 to 64 characters of [A-Za-z0-9_.-], got 0"
            + " characters");
  }

  @Test
  void storesAreMarkedWithTheCurrentFormatWhenOpened() {
    open(b -> b).close();
    byte[] f = keyspace("meta").get(StoreOpener.FORMAT_KEY);
    assertThat(RecordFormat.parseLong(f, "format")).isEqualTo(4);
  }

  @Test
  void verifyReportsAnExpiringRecordWithoutItsIndexEntryAndAnEntryWithoutItsRecord() {
    Storage s = open(b -> b);
    s.putBytes("c", "k", new byte[] {1}, hour);
    long expiresAt = s.metadata("c", "k").orElseThrow().expiresAt().orElseThrow().toEpochMilli();
    s.close();
    byte[] rk = Keys.recordKey("c", Keys.keyBytes("k"));
    byte[] gone = Keys.recordKey("c", Keys.keyBytes("gone"));
    NavigableMap<byte[], byte[]> meta = keyspace("meta");
    assertThat(meta.remove(RecordStore.expiryKey(expiresAt, rk))).isNotNull();
    meta.put(RecordStore.expiryKey(expiresAt, gone), new byte[] {1});
    List<String> problems = open(b -> b).admin().verify().problems();
    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).contains("record c/k", "no expiry index entry");
    assertThat(problems.get(1)).contains("names a record that does not expire then (absent)");
  }

  @Test
  void ttlsAreRoundedUpToAMillisecondAndCappedAtTheGreatestInstant() {
    assertThat(Expiry.ttlMillis(Duration.ofNanos(1))).isEqualTo(1);
    assertThat(Expiry.ttlMillis(Duration.ofMillis(1))).isEqualTo(1);
    assertThat(Expiry.ttlMillis(Duration.ofNanos(1_500_000))).isEqualTo(2);
    assertThat(Expiry.ttlMillis(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    assertThat(Expiry.after(Long.MAX_VALUE - 5, 10)).isEqualTo(Long.MAX_VALUE);
    Storage s = open(b -> b);
    s.putBytes("c", "tiny", new byte[] {1}, Duration.ofNanos(1));
    assertThat(s.metadata("c", "tiny").orElseThrow().expiresAt())
        .as("a TTL below a millisecond never expires a record at the instant of its write")
        .contains(Instant.ofEpochMilli(now.get() + 1));
    s.putBytes("c", "forever", new byte[] {1}, Duration.ofSeconds(Long.MAX_VALUE));
    assertThat(s.metadata("c", "forever").orElseThrow().expiresAt())
        .contains(Instant.ofEpochMilli(Long.MAX_VALUE));
  }
}
