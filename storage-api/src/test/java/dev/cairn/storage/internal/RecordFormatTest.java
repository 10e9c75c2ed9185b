package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.DataCorruptionException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The record checksum binds a value to its key (found by the conformance corruption checker). */
final class RecordFormatTest {

  private static byte[] key(String k) {
    return Keys.recordKey("c", k.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] inline(String k, String value) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    return RecordFormat.encodeInline(
        key(k), (byte) 0, 0, v.length, 1, 2, 3, v, null, RecordFormat.NEVER);
  }

  @Test
  void recordParsesUnderItsOwnKey() {
    RecordFormat.StoredRecord r = RecordFormat.parseRecord(inline("k-013", "v13"), key("k-013"), "here");
    assertThat(new String(r.payload(), StandardCharsets.UTF_8)).isEqualTo("v13");
  }

  @Test
  void recordWhoseKeyWasDamagedOntoANeighbourFailsVerification() {
    // on disk, a flipped byte turned key k-013 into k-014: the value must not be returned for it
    byte[] stored = inline("k-013", "v13");
    assertThatThrownBy(() -> RecordFormat.parseRecord(stored, key("k-014"), "record c/k-014"))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("record c/k-014")
        .hasMessageContaining("CRC32C");
  }

  @Test
  void blobReferenceIsBoundToItsKeyToo() {
    byte[] stored = RecordFormat.encodeBlobRef(key("a"), (byte) 0, 0, 100, 100, 1, 2, 3, new byte[33], 7,
        RecordFormat.NEVER);
    assertThat(RecordFormat.parseRecord(stored, key("a"), "a").isBlob()).isTrue();
    assertThat(RecordFormat.parseRecord(stored, key("a"), "a").blobId()).isEqualTo(7);
    assertThatThrownBy(() -> RecordFormat.parseRecord(stored, key("b"), "b"))
        .isInstanceOf(DataCorruptionException.class);
  }

  @Test
  void formatOneRecordsWithoutTheKeyInTheirChecksumStillRead() {
    byte[] v = inline("k", "old");
    v[0] = RecordFormat.FORMAT;
    CRC32C crc = new CRC32C();
    crc.update(v, 0, v.length - 4);
    ByteBuffer.wrap(v, v.length - 4, 4).putInt((int) crc.getValue());
    assertThat(RecordFormat.parseRecord(v, key("any"), "k").payload())
        .isEqualTo("old".getBytes(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------------- expiring records

  private static final long EXPIRES = 1_900_000_000_123L;

  private static byte[] expiringInline(String k, String value, byte[] hash) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    return RecordFormat.encodeInline(key(k), (byte) 0, 0, v.length, 1, 2, 3, v, hash, EXPIRES);
  }

  @Test
  void aRecordWithoutExpiryIsWrittenExactlyAsBeforeAndNeverExpires() {
    byte[] stored = inline("k", "v");
    assertThat(stored[1] & RecordFormat.FLAG_EXPIRES).isZero();
    assertThat(stored).hasSize(39 + 1 + 4); // header, payload, CRC32C: no room for an expiry
    RecordFormat.StoredRecord r = RecordFormat.parseRecord(stored, key("k"), "k");
    assertThat(r.expiresAt()).isEqualTo(RecordFormat.NEVER);
    assertThat(r.expired(Long.MAX_VALUE)).isFalse();
    assertThat(RecordFormat.peekExpiry(ByteBuffer.wrap(stored))).isEqualTo(RecordFormat.NEVER);
  }

  @Test
  void theExpiryRoundTripsInlineHashedAndAsABlobReference() {
    byte[] hash = new byte[32];
    hash[0] = 9;
    for (byte[] stored : new byte[][] {expiringInline("k", "value", null),
        expiringInline("k", "value", hash),
        RecordFormat.encodeBlobRef(key("k"), (byte) 0, 0, 5, 5, 1, 2, 3, new byte[33], 7,
            EXPIRES)}) {
      RecordFormat.StoredRecord r = RecordFormat.parseRecord(stored, key("k"), "k");
      assertThat(r.expiresAt()).isEqualTo(EXPIRES);
      assertThat(r.version()).isEqualTo(3);
      assertThat(r.expired(EXPIRES - 1)).isFalse();
      assertThat(r.expired(EXPIRES)).as("expired from its expiry instant on").isTrue();
      assertThat(RecordFormat.peekExpiry(ByteBuffer.wrap(stored))).isEqualTo(EXPIRES);
      if (!r.isBlob()) {
        assertThat(new String(r.payload(), StandardCharsets.UTF_8)).isEqualTo("value");
      }
    }
    assertThat(RecordFormat.parseRecord(expiringInline("k", "value", hash), key("k"), "k").hash())
        .isEqualTo(hash);
  }

  @Test
  void peekExpiryReadsFromTheBufferPositionOfABackendsOwnMemory() {
    byte[] stored = expiringInline("k", "v", null);
    ByteBuffer big = ByteBuffer.allocate(stored.length + 10);
    big.position(7);
    big.put(stored);
    big.position(7).limit(7 + stored.length);
    assertThat(RecordFormat.peekExpiry(big.order(java.nio.ByteOrder.LITTLE_ENDIAN)))
        .isEqualTo(EXPIRES);
  }

  @Test
  void everyFlippedByteOfTheExpiryFailsTheChecksum() {
    byte[] good = expiringInline("k", "v", null);
    for (int i = 39; i < 39 + 8; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = good.clone();
        bad[i] ^= (byte) (1 << bit);
        assertThatThrownBy(() -> RecordFormat.parseRecord(bad, key("k"), "record c/k"))
            .as("byte %d bit %d", i, bit)
            .isInstanceOf(DataCorruptionException.class).hasMessageContaining("CRC32C");
      }
    }
    byte[] flagCleared = good.clone();
    flagCleared[1] &= ~RecordFormat.FLAG_EXPIRES;
    assertThatThrownBy(() -> RecordFormat.parseRecord(flagCleared, key("k"), "k"))
        .isInstanceOf(DataCorruptionException.class);
  }

  @Test
  void anExpiryInAFormatOneRecordIsCorruption() {
    byte[] v = expiringInline("k", "old", null);
    v[0] = RecordFormat.FORMAT; // format 1 records had no expiry: the flag cannot be set
    CRC32C crc = new CRC32C();
    crc.update(v, 0, v.length - 4);
    ByteBuffer.wrap(v, v.length - 4, 4).putInt((int) crc.getValue());
    assertThatThrownBy(() -> RecordFormat.parseRecord(v, key("k"), "k"))
        .isInstanceOf(DataCorruptionException.class).hasMessageContaining("expiry");
  }
}
