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

  /**
   * {@code record} (format 3, the checksum before the payload, its fields ending at
   * {@code fieldsEnd}) in the layout of record formats 1 and 2 that earlier builds wrote: the
   * checksum at the end, over {@code crcKey} (null: format 1, none) and the bytes before it.
   */
  private static byte[] crcAtEnd(byte[] record, int fieldsEnd, byte format, byte[] crcKey) {
    byte[] v = new byte[record.length];
    System.arraycopy(record, 0, v, 0, fieldsEnd);
    System.arraycopy(record, fieldsEnd + 4, v, fieldsEnd, record.length - fieldsEnd - 4);
    v[0] = format;
    CRC32C crc = new CRC32C();
    if (crcKey != null) {
      crc.update(crcKey);
    }
    crc.update(v, 0, v.length - 4);
    ByteBuffer.wrap(v, v.length - 4, 4).putInt((int) crc.getValue());
    return v;
  }

  @Test
  void formatOneRecordsWithoutTheKeyInTheirChecksumStillRead() {
    byte[] v = crcAtEnd(inline("k", "old"), 39, RecordFormat.FORMAT, null);
    assertThat(RecordFormat.parseRecord(v, key("any"), "k").payload())
        .isEqualTo("old".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void formatTwoRecordsOfEarlierStoresStillRead() {
    byte[] hash = new byte[32];
    hash[5] = 5;
    byte[] plain = crcAtEnd(inline("k", "old"), 39, RecordFormat.FORMAT_KEYED, key("k"));
    byte[] hashedExpiring = crcAtEnd(
        expiringInline("k", "old", hash), 39 + 8 + 32, RecordFormat.FORMAT_KEYED, key("k"));
    assertThat(RecordFormat.parseRecord(plain, key("k"), "k").payload())
        .isEqualTo("old".getBytes(StandardCharsets.UTF_8));
    RecordFormat.StoredRecord r = RecordFormat.parseRecord(hashedExpiring, key("k"), "k");
    assertThat(r.payload()).isEqualTo("old".getBytes(StandardCharsets.UTF_8));
    assertThat(r.hash()).isEqualTo(hash);
    assertThat(r.expiresAt()).isEqualTo(EXPIRES);
    assertThatThrownBy(() -> RecordFormat.parseRecord(plain, key("j"), "record c/j"))
        .isInstanceOf(DataCorruptionException.class).hasMessageContaining("CRC32C");
    assertThatThrownBy(() -> RecordFormat.parseRecord(
        ByteBuffer.wrap(plain, 0, 39 + 4), "old".getBytes(StandardCharsets.UTF_8), key("k"), "k",
        true)).as("a record of format 2 is never read in two parts")
        .isInstanceOf(DataCorruptionException.class).hasMessageContaining("two parts");
  }

  // ---------------------------------------------------------------- records in two parts

  @Test
  void anInlineRecordIsItsHeadFollowedByItsPayload() {
    byte[] hash = new byte[32];
    hash[0] = 1;
    byte[] payload = "the value".getBytes(StandardCharsets.UTF_8);
    byte[] head = RecordFormat.encodeInlineHead(
        key("k"), (byte) 0, 0, payload.length, 1, 2, 3, payload, hash, EXPIRES);
    byte[] whole = RecordFormat.encodeInline(
        key("k"), (byte) 0, 0, payload.length, 1, 2, 3, payload, hash, EXPIRES);
    assertThat(head).hasSize(39 + 8 + 32 + 4);
    assertThat(whole[0]).isEqualTo(RecordFormat.FORMAT_SPLIT);
    assertThat(java.util.Arrays.copyOf(whole, head.length)).isEqualTo(head);
    assertThat(java.util.Arrays.copyOfRange(whole, head.length, whole.length)).isEqualTo(payload);
    // the checksum covers the same bytes as format 2's: key, fields, payload
    CRC32C crc = new CRC32C();
    crc.update(key("k"));
    crc.update(head, 0, head.length - 4);
    crc.update(payload);
    assertThat(ByteBuffer.wrap(head, head.length - 4, 4).getInt()).isEqualTo((int) crc.getValue());

    RecordFormat.StoredRecord fromWhole = RecordFormat.parseRecord(whole, key("k"), "k");
    byte[] body = payload.clone();
    RecordFormat.StoredRecord fromParts =
        RecordFormat.parseRecord(ByteBuffer.wrap(head), body, key("k"), "k", true);
    assertThat(fromParts.payload()).as("the body is the payload, not copied").isSameAs(body);
    assertThat(fromWhole.payload()).isEqualTo(payload);
    for (RecordFormat.StoredRecord r : java.util.List.of(fromWhole, fromParts)) {
      assertThat(r.hash()).isEqualTo(hash);
      assertThat(r.expiresAt()).isEqualTo(EXPIRES);
      assertThat(r.version()).isEqualTo(3);
      assertThat(r.storedLength()).isEqualTo(payload.length);
    }
  }

  @Test
  void aRecordReadInTwoPartsIsCheckedAsAWhole() {
    byte[] payload = "payload".getBytes(StandardCharsets.UTF_8);
    byte[] head = RecordFormat.encodeInlineHead(
        key("k"), (byte) 0, 0, payload.length, 1, 2, 3, payload, null, RecordFormat.NEVER);
    for (int i = 0; i < payload.length; i++) {
      byte[] bad = payload.clone();
      bad[i] ^= 0x10;
      assertThatThrownBy(() -> RecordFormat.parseRecord(ByteBuffer.wrap(head), bad, key("k"),
          "record c/k", true)).as("body byte %d", i)
          .isInstanceOf(DataCorruptionException.class).hasMessageContaining("CRC32C");
    }
    for (int i = 0; i < head.length; i++) {
      byte[] bad = head.clone();
      bad[i] ^= 0x04;
      assertThatThrownBy(() -> RecordFormat.parseRecord(ByteBuffer.wrap(bad), payload, key("k"),
          "record c/k", true)).as("head byte %d", i)
          .isInstanceOf(DataCorruptionException.class);
    }
    assertThatThrownBy(() -> RecordFormat.parseRecord(
        ByteBuffer.wrap(head), payload, key("j"), "record c/j", true))
        .as("bound to its key").isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("CRC32C");
    assertThatThrownBy(() -> RecordFormat.parseRecord(ByteBuffer.wrap(head), new byte[0],
        key("k"), "record c/k", true)).as("a body cut short")
        .isInstanceOf(DataCorruptionException.class).hasMessageContaining("CRC32C");
    byte[] whole = RecordFormat.encodeInline(
        key("k"), (byte) 0, 0, payload.length, 1, 2, 3, payload, null, RecordFormat.NEVER);
    assertThatThrownBy(() -> RecordFormat.parseRecord(ByteBuffer.wrap(whole), payload, key("k"),
        "record c/k", true)).as("a head longer than its fields")
        .isInstanceOf(DataCorruptionException.class).hasMessageContaining("does not end");
    byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 1);
    assertThatThrownBy(() -> RecordFormat.parseRecord(truncated, key("k"), "record c/k"))
        .isInstanceOf(DataCorruptionException.class);
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
    assertThat(stored).hasSize(39 + 4 + 1); // header, CRC32C, payload: no room for an expiry
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
    // format 1 records had no expiry: the flag cannot be set
    byte[] v = crcAtEnd(expiringInline("k", "old", null), 39 + 8, RecordFormat.FORMAT, null);
    assertThatThrownBy(() -> RecordFormat.parseRecord(v, key("k"), "k"))
        .isInstanceOf(DataCorruptionException.class).hasMessageContaining("expiry");
  }
}
