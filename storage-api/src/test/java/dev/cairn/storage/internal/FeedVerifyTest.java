package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code admin().verify()} on the change feed: a healthy feed, trimmed or not, verifies clean;
 * a feed damaged through the backend SPI (an entry removed, one above the head, garbage, a
 * malformed one behind a valid checksum, a record changed without its change) is reported by
 * position.
 */
final class FeedVerifyTest {

  @TempDir Path dir;
  private final List<Storage> opened = new ArrayList<>();
  /** The stores' clock, moved by hand. */
  private final AtomicLong now =
      new AtomicLong(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli());

  private Storage open(UnaryOperator<StorageBuilder> custom) {
    Storage s = custom.apply(Storage.builder().directory(dir)
        .backend(new MemoryBackendProvider()).noScheduledMaintenance()
        .clock(() -> Instant.ofEpochMilli(now.get()))).open();
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(Storage::close);
  }

  /** Changes the closed store in {@code dir} through the backend SPI, in one commit. */
  private void tamper(Consumer<BackendTransaction> change) {
    try (Backend backend = new MemoryBackendProvider().open(
            new BackendConfig(dir, RecordStore.KEYSPACES, Map.of()));
        BackendTransaction tx = backend.beginWrite()) {
      change.accept(tx);
      tx.commit(Durability.SYNC);
    }
  }

  private static byte[] at(long position) {
    return FeedLog.positionKey(position);
  }

  /**
   * Six puts at positions 1 to 6, keys k0 k1 k2 k0 k1 k2 of collection c, each with the version
   * of its position; the store closed.
   */
  private void sixPuts() {
    Storage s = open(b -> b.changeFeed(ChangeFeedRetention.unlimited()));
    for (int i = 0; i < 6; i++) {
      s.putBytes("c", "k" + (i % 3), new byte[] {(byte) i});
    }
    assertThat(s.changes().read(0, 10)).extracting(c -> c.position() + " " + c.key() + " "
        + c.version()).containsExactly("1 k0 1", "2 k1 2", "3 k2 3", "4 k0 4", "5 k1 5", "6 k2 6");
    s.close();
  }

  private List<String> problems() {
    return open(UnaryOperator.identity()).admin().verify().problems();
  }

  @Test
  void aStoreWithoutAFeedVerifiesClean() {
    Storage s = open(UnaryOperator.identity());
    s.putBytes("c", "k", new byte[] {1});
    s.delete("c", "k");
    assertThat(s.admin().verify().problems()).isEmpty();
  }

  @Test
  void aHealthyFeedVerifiesCleanBeforeAndAfterTrimming() {
    Duration hour = Duration.ofHours(1);
    Storage s = open(b -> b.changeFeed(ChangeFeedRetention.unlimited().withMaxChanges(4)));
    for (int i = 0; i < 10; i++) {
      s.putBytes("c", "k" + (i % 3), new byte[] {(byte) i});
    }
    s.useTransaction(tx -> {
      tx.putBytes("c", "t", new byte[] {1});
      tx.delete("c", "k0");
      tx.putBytes("c", "k0", new byte[] {2});
      tx.delete("c", "k1");
    });
    s.put("c", "expires", "v", hour);
    assertThat(s.admin().verify().problems()).isEmpty();
    now.addAndGet(hour.toMillis() + 1);
    s.maintenance(); // purges the expired record (a DELETE), then trims to the last 4 changes
    assertThat(s.changes().oldest()).isEqualTo(13);
    assertThat(s.changes().head()).isEqualTo(16);
    assertThat(s.admin().verify().problems()).isEmpty();
    s.close();
    assertThat(problems()).as("after a reopen").isEmpty();
  }

  @Test
  void aFeedTrimmedToNothingVerifiesClean() {
    Storage s = open(b -> b.changeFeed(
        ChangeFeedRetention.unlimited().withMaxAge(Duration.ofMillis(1))));
    s.putBytes("c", "k", new byte[] {1});
    long committed = s.changes().read(0, 1).get(0).committed().toEpochMilli();
    while (System.currentTimeMillis() <= committed + 1) {
      Thread.onSpinWait(); // until the change is older than the limit (trimming reads real time)
    }
    s.maintenance();
    assertThat(s.changes().oldest()).isEqualTo(2);
    assertThat(s.admin().verify().problems()).isEmpty();
  }

  @Test
  void anEntryRemovedFromTheMiddleIsAGap() {
    sixPuts();
    tamper(tx -> tx.delete(FeedLog.FEED, at(3)));
    assertThat(problems()).containsExactly("change feed position 3 is missing (entries at 2 and"
        + " 4): a gap, which readers report as damage");
  }

  @Test
  void theNewestEntriesRemovedBelowTheHeadAreAGap() {
    sixPuts();
    tamper(tx -> {
      tx.delete(FeedLog.FEED, at(5));
      tx.delete(FeedLog.FEED, at(6));
    });
    // the last changes of k1 and k2 are gone: not compared with the records, a gap is enough
    assertThat(problems()).containsExactly(
        "change feed positions 5 to 6 are missing: the newest entry is at 4 but the head is 6:"
            + " a gap, which readers report as damage");
  }

  @Test
  void anEntryAboveTheHeadIsReported() {
    sixPuts();
    tamper(tx -> tx.put(FeedLog.FEED, at(9), tx.get(FeedLog.FEED, at(6))));
    assertThat(problems()).containsExactly("change feed entry at position 9 is above the head 6"
        + " (no reader sees it, and a later commit would overwrite it)");
  }

  @Test
  void garbageInAnEntryIsReportedByPosition() {
    sixPuts();
    tamper(tx -> {
      byte[] flipped = tx.get(FeedLog.FEED, at(2));
      flipped[12] ^= 0x10; // inside the commit time: only the CRC32C notices
      tx.put(FeedLog.FEED, at(2), flipped);
      tx.put(FeedLog.FEED, at(4), new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef});
      tx.put(FeedLog.FEED, new byte[] {1, 2, 3}, new byte[] {1});
    });
    assertThat(problems()).containsExactly(
        "change feed entry at position 2 fails its CRC32C check",
        "change feed entry at position 4 is damaged (length 4)",
        "change feed entry with a key of 3 bytes, not 8: 010203");
  }

  @Test
  void aSealedEntryWithAMalformedKeyOrAVersionNeverIssuedIsReported() {
    sixPuts();
    tamper(tx -> {
      byte[] badName = Keys.recordKey("no spaces", Keys.keyBytes("k"));
      tx.put(FeedLog.FEED, at(2), FeedLog.encode(new FeedLog.Pending(false, badName, 2), 1));
      byte[] badUtf8 = {'c', 0, (byte) 0xff};
      tx.put(FeedLog.FEED, at(3), FeedLog.encode(new FeedLog.Pending(true, badUtf8, 1), 1));
      tx.put(FeedLog.FEED, at(4), FeedLog.encode(new FeedLog.Pending(false,
          Keys.recordKey("c", Keys.keyBytes("k0")), Long.MAX_VALUE), 1));
      tx.put(FeedLog.FEED, at(5), FeedLog.encode(new FeedLog.Pending(false,
          Keys.recordKey("c", Keys.keyBytes("k1")), 0), 1));
    });
    List<String> problems = problems();
    assertThat(problems).hasSize(4);
    assertThat(problems.get(0)).isEqualTo("change feed entry at position 2 names a malformed"
        + " record key 6e6f20737061636573006b: collection name must match [A-Za-z0-9_.-]{1,64}:"
        + " 'no spaces'");
    assertThat(problems.get(1)).isEqualTo("change feed entry at position 3 names a malformed"
        + " record key 6300ff: key is not well-formed UTF-8");
    assertThat(problems.get(2)).startsWith("change feed entry at position 4 (PUT of c/k0) has"
        + " version 9223372036854775807, which the store's version sequence (at ")
        .endsWith(") never issued");
    assertThat(problems.get(3)).isEqualTo("change feed entry at position 5 (PUT of c/k1) has"
        + " version 0: versions start at 1 (a delete's is 0 when the record was unreadable)");
  }

  @Test
  void aRecordChangedWithoutItsChangeIsReported() {
    sixPuts();
    byte[] k2 = Keys.recordKey("c", Keys.keyBytes("k2"));
    tamper(tx -> tx.delete(RecordStore.RECORDS, k2));
    assertThat(problems()).containsExactly(lastChange(6, "c/k2", "does not exist"));
  }

  @Test
  void theHeadMissingIsReported() {
    sixPuts();
    tamper(tx -> tx.delete(RecordStore.META, FeedLog.HEAD_KEY));
    assertThat(problems()).containsExactly(
        "the change feed is on but its head (meta entry 'feed-head') is missing");
  }

  /** The problem of a record whose last change in the feed, a put at {@code position}, is off. */
  private static String lastChange(long position, String record, String instead) {
    return "change feed position " + position + " is the last change of record " + record
        + " (PUT of version " + position + ") but the record " + instead + " (written without a"
        + " change: by an instance that opened the store before its feed was turned on?)";
  }
}
