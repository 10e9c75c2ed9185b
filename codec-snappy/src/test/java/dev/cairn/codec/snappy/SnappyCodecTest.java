package dev.cairn.codec.snappy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

final class SnappyCodecTest {

  private static final long SEED = 0x5EED_5A99L;

  private final Codec codec = new SnappyCodecProvider().create(Map.of());

  @Test
  void idAndNameMatchTheProvider() {
    SnappyCodecProvider provider = new SnappyCodecProvider();
    assertThat(provider.id()).isEqualTo((byte) 1);
    assertThat(provider.name()).isEqualTo("snappy");
    assertThat(provider.capabilities()).isEmpty();
    assertThat(codec.id()).isEqualTo(provider.id());
    assertThat(codec.name()).isEqualTo(provider.name());
  }

  @Test
  void serviceLoaderFindsTheProvider() {
    List<String> names = new ArrayList<>();
    ServiceLoader.load(CodecProvider.class).forEach(p -> names.add(p.getClass().getName()));
    assertThat(names).contains(SnappyCodecProvider.class.getName());
  }

  @Test
  void everyOptionIsRejectedSinceSnappyHasNone() {
    SnappyCodecProvider provider = new SnappyCodecProvider();
    assertThat(provider.options().keys()).isEmpty();
    assertThatThrownBy(() -> provider.create(Map.of("snappy.level", "3")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown option 'snappy.level' for codec snappy; known options: none");
    assertThatThrownBy(() -> provider.create(Map.of("zstd.level", "9")))
        .as("the engine passes a codec only its own keys; any other is a mistake")
        .hasMessage("unknown option 'zstd.level' for codec snappy; known options: none");
  }

  @Test
  void incompressibleValueRoundTrips() {
    byte[] raw = random(new Random(SEED), 100_000);
    byte[] encoded = assertRoundTrip(raw);
    assertThat(encoded.length).isLessThanOrEqualTo(SnappyCodec.maxCompressedLength(raw.length) + 4);
  }

  @Test
  void highlyCompressibleValueRoundTripsSmall() {
    byte[] raw = new byte[1 << 20];
    byte[] encoded = assertRoundTrip(raw);
    assertThat(encoded.length).isLessThan(raw.length / 20);
  }

  @Test
  void jsonValueRoundTripsAndCompresses() {
    byte[] raw = json(new Random(SEED), 50);
    byte[] encoded = assertRoundTrip(raw);
    assertThat(encoded.length).as("seed %s", SEED).isLessThan(raw.length * 3 / 4);
  }

  @Test
  void everyTruncationIsRejected() {
    byte[] encoded = codec.encode(json(new Random(SEED), 3));
    int rawLength = json(new Random(SEED), 3).length;
    for (int length = 0; length < encoded.length; length++) {
      byte[] truncated = java.util.Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> codec.decode(truncated, rawLength))
          .as("truncated to %d of %d bytes", length, encoded.length)
          .isInstanceOf(DataCorruptionException.class);
    }
  }

  @Test
  void flippedBytesAreAlwaysRejected() {
    Random random = new Random(SEED);
    for (int round = 0; round < 2_000; round++) {
      byte[] raw = round % 3 == 0 ? random(random, 1 + random.nextInt(300)) : json(random, 1);
      byte[] encoded = codec.encode(raw);
      int position = random.nextInt(encoded.length);
      encoded[position] ^= (byte) (1 + random.nextInt(255));
      int p = position;
      assertThatThrownBy(() -> codec.decode(encoded, raw.length))
          .as("seed %s round %d flipped byte %d of %d", SEED, round, p, encoded.length)
          .isInstanceOf(DataCorruptionException.class);
    }
  }

  @Test
  void randomGarbageIsRejected() {
    Random random = new Random(SEED);
    for (int round = 0; round < 1_000; round++) {
      byte[] garbage = random(random, random.nextInt(200));
      int rawLength = random.nextInt(1000);
      assertThatThrownBy(() -> codec.decode(garbage, rawLength))
          .as("seed %s round %d", SEED, round)
          .isInstanceOf(DataCorruptionException.class);
    }
  }

  @Test
  void wrongRawLengthIsRejectedWithoutAllocatingIt() {
    byte[] raw = json(new Random(SEED), 2);
    byte[] encoded = codec.encode(raw);
    for (int wrong : new int[] {0, 1, raw.length - 1, raw.length + 1, raw.length * 2,
        Integer.MAX_VALUE, -1, Integer.MIN_VALUE}) {
      assertThatThrownBy(() -> codec.decode(encoded, wrong))
          .as("raw length %d instead of %d", wrong, raw.length)
          .isInstanceOf(DataCorruptionException.class);
    }
  }

  @Test
  void emptyInputIsRejected() {
    assertThatThrownBy(() -> codec.decode(new byte[0], 0))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> codec.decode(new byte[0], 10))
        .isInstanceOf(DataCorruptionException.class);
  }

  /**
   * A well-formed, correctly checksummed block whose header claims 2^31-1 raw bytes: the recorded
   * length agrees, yet the block is far too small to describe that much, so it is rejected before
   * anything is allocated (the test heap is 1 GiB; allocating would fail with OutOfMemoryError).
   */
  @Test
  void headerClaimingAnImpossibleExpansionIsRejectedBeforeAllocating() {
    byte[] block = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0x00, 0x61};
    byte[] payload = withChecksum(block);
    assertThatThrownBy(() -> codec.decode(payload, Integer.MAX_VALUE))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("cannot expand");
  }

  /** A checksummed block that is plain invalid Snappy reaches the decoder and fails cleanly. */
  @Test
  void checksummedButInvalidBlockIsRejected() {
    byte[] block = {0x10, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF, 0x01, 0x02};
    assertThatThrownBy(() -> codec.decode(withChecksum(block), 16))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("does not decode");
  }

  private byte[] assertRoundTrip(byte[] raw) {
    byte[] copy = raw.clone();
    byte[] encoded = codec.encode(raw);
    assertThat(raw).as("encode must not modify its input").isEqualTo(copy);
    assertThat(codec.decode(encoded, raw.length)).isEqualTo(raw);
    return encoded;
  }

  private static byte[] withChecksum(byte[] block) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(block);
    int value = (int) crc.getValue();
    byte[] payload = java.util.Arrays.copyOf(block, block.length + 4);
    for (int i = 0; i < 4; i++) {
      payload[block.length + i] = (byte) (value >>> (8 * i));
    }
    return payload;
  }

  private static byte[] random(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  /** {@code count} casino ledger bet records (about 600 bytes each) as one JSON array. */
  static byte[] json(Random random, int count) {
    String[] games = {"Book of Dead", "Starburst", "Lightning Roulette", "Blackjack VIP", "Gonzo's Quest"};
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append("{\"type\":\"bet\",\"betId\":\"b-").append(random.nextInt(1_000_000_000))
          .append("\",\"playerId\":\"p-").append(100_000 + random.nextInt(900_000))
          .append("\",\"game\":\"").append(games[random.nextInt(games.length)])
          .append("\",\"stake\":{\"amount\":").append(random.nextInt(50_000) / 100.0)
          .append(",\"currency\":\"EUR\"},\"win\":{\"amount\":").append(random.nextInt(90_000) / 100.0)
          .append(",\"currency\":\"EUR\"},\"placedAt\":\"2026-03-").append(10 + random.nextInt(18))
          .append("T").append(10 + random.nextInt(13)).append(':').append(10 + random.nextInt(49))
          .append(":00.").append(100 + random.nextInt(899)).append("Z\",\"status\":\"settled\"")
          .append(",\"channel\":\"mobile\",\"jurisdiction\":\"MT\"}");
    }
    return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }
}
