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
    return RecordFormat.encodeInline(key(k), (byte) 0, 0, v.length, 1, 2, 3, v, null);
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
    byte[] stored = RecordFormat.encodeBlobRef(key("a"), (byte) 0, 0, 100, 100, 1, 2, 3, new byte[33], 7);
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
}
