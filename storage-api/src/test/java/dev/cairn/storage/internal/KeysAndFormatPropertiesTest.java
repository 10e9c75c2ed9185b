package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.DataCorruptionException;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Properties of the key layout and the record format that every backend's ordering and every
 * read's integrity rest on, checked by jqwik over generated inputs (it prints the failing
 * sample and its seed).
 */
final class KeysAndFormatPropertiesTest {

  @Property
  void everyKeyWithAPrefixSortsBelowThePrefixEnd(
      @ForAll @Size(max = 8) byte[] prefix, @ForAll @Size(max = 8) byte[] suffix) {
    byte[] key = Arrays.copyOf(prefix, prefix.length + suffix.length);
    System.arraycopy(suffix, 0, key, prefix.length, suffix.length);
    byte[] end = Keys.prefixEnd(prefix);
    if (end == null) {
      for (byte b : prefix) {
        assertThat(b).as("only an all-0xFF prefix has no end").isEqualTo((byte) 0xFF);
      }
    } else {
      assertThat(Arrays.compareUnsigned(key, end)).isNegative();
      assertThat(Arrays.compareUnsigned(prefix, end)).isNegative();
    }
  }

  @Property
  void thePrefixEndIsTheSmallestKeyWithoutThePrefix(
      @ForAll @Size(min = 1, max = 8) byte[] prefix, @ForAll @Size(max = 8) byte[] other) {
    byte[] end = Keys.prefixEnd(prefix);
    boolean hasPrefix = other.length >= prefix.length
        && Arrays.equals(other, 0, prefix.length, prefix, 0, prefix.length);
    if (end != null && !hasPrefix && Arrays.compareUnsigned(other, prefix) > 0) {
      assertThat(Arrays.compareUnsigned(other, end)).as("a larger key without the prefix").isNotNegative();
    }
  }

  @Property
  void recordKeysSplitBackIntoCollectionAndKey(
      @ForAll("collections") String collection, @ForAll @StringLength(min = 1, max = 60) String key) {
    byte[] kb;
    try {
      kb = Keys.keyBytes(key);
    } catch (IllegalArgumentException malformed) {
      return; // lone surrogates are rejected by design
    }
    byte[] rk = Keys.recordKey(collection, kb);
    assertThat(Keys.collectionOf(rk)).isEqualTo(collection);
    assertThat(Keys.keyOf(rk)).isEqualTo(key);
    byte[] start = Keys.collectionStart(collection);
    assertThat(Arrays.compareUnsigned(rk, start)).isPositive();
    assertThat(Arrays.compareUnsigned(rk, Keys.prefixEnd(start))).isNegative();
  }

  @Property
  void aRecordKeyEncodedFromTheKeyStringIsTheOneFromItsCheckedBytes(
      @ForAll("collections") String collection, @ForAll("keys") String key) {
    byte[] expected;
    try {
      expected = Keys.recordKey(collection, Keys.keyBytes(key));
    } catch (IllegalArgumentException refused) {
      // empty, more than 256 UTF-8 bytes, or a lone surrogate: refused the same way
      assertThatThrownBy(() -> Keys.recordKey(collection, key))
          .isInstanceOf(IllegalArgumentException.class).hasMessage(refused.getMessage());
      return;
    }
    assertThat(Keys.recordKey(collection, key)).isEqualTo(expected);
  }

  /** Keys around the limits: ASCII, Latin-1, other planes, lone surrogates; 0 to 300 chars. */
  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> keys() {
    net.jqwik.api.Arbitrary<String> ascii =
        net.jqwik.api.Arbitraries.strings().ascii().ofMinLength(0).ofMaxLength(300);
    net.jqwik.api.Arbitrary<String> any =
        net.jqwik.api.Arbitraries.strings().all().ofMinLength(0).ofMaxLength(140);
    net.jqwik.api.Arbitrary<String> nearLimit = net.jqwik.api.Arbitraries.strings().ascii()
        .ofMinLength(250).ofMaxLength(262)
        .map(s -> s.length() % 3 == 0 ? s.substring(1) + "\u00e9" : s);
    return net.jqwik.api.Arbitraries.oneOf(ascii, any, nearLimit);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> collections() {
    return net.jqwik.api.Arbitraries.strings().withChars("abcXYZ019_.-").ofMinLength(1).ofMaxLength(64);
  }

  @Property
  void inlineRecordsRoundTripAndAnyFlippedBitIsDetected(
      @ForAll @Size(max = 300) byte[] payload, @ForAll long version,
      @ForAll @IntRange(min = 0, max = 1_000_000) int flipAt) {
    byte[] rk = Keys.recordKey("c", Keys.keyBytes("k"));
    byte[] v = RecordFormat.encodeInline(rk, (byte) 0, 0, payload.length, 1L, 2L, version, payload, null,
        RecordFormat.NEVER);
    RecordFormat.StoredRecord rec = RecordFormat.parseRecord(v, rk, "test");
    assertThat(rec.payload()).isEqualTo(payload);
    assertThat(rec.version()).isEqualTo(version);
    byte[] damaged = v.clone();
    damaged[flipAt % damaged.length] ^= (byte) (1 << (flipAt % 8));
    assertThatThrownBy(() -> RecordFormat.parseRecord(damaged, rk, "test"))
        .isInstanceOf(DataCorruptionException.class);
  }

  @Property
  void aRecordReadUnderAnotherKeyIsDetected(@ForAll @Size(min = 1, max = 100) byte[] payload) {
    byte[] rk = Keys.recordKey("c", Keys.keyBytes("inline-013"));
    byte[] other = Keys.recordKey("c", Keys.keyBytes("inline-014"));
    byte[] v = RecordFormat.encodeInline(rk, (byte) 0, 0, payload.length, 1L, 2L, 3L, payload, null,
        RecordFormat.NEVER);
    assertThatThrownBy(() -> RecordFormat.parseRecord(v, other, "test"))
        .isInstanceOf(DataCorruptionException.class);
  }
}
