package dev.cairn.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class ZstdCodecTest {

  private static final long SEED = 0x2575_D00DL;

  private final ZstdCodecProvider provider = new ZstdCodecProvider();
  private final Codec codec = provider.create(Map.of());

  @Test
  void idNameAndCapabilitiesMatchTheProvider() {
    assertThat(provider.id()).isEqualTo((byte) 2);
    assertThat(provider.name()).isEqualTo("zstd");
    assertThat(provider.capabilities()).containsExactly(Capability.DICTIONARIES);
    assertThat(codec.id()).isEqualTo(provider.id());
    assertThat(codec.name()).isEqualTo(provider.name());
  }

  @Test
  void serviceLoaderFindsTheProvider() {
    List<String> names = new ArrayList<>();
    ServiceLoader.load(CodecProvider.class).forEach(p -> names.add(p.getClass().getName()));
    assertThat(names).contains(ZstdCodecProvider.class.getName());
  }

  @Test
  void defaultLevelIsThreeWithContentChecksum() {
    byte[] raw = LedgerJson.block(new Random(SEED), 8192);
    byte[] expected;
    try (ZstdCompressCtx reference = new ZstdCompressCtx()) {
      expected = reference.setLevel(3).setChecksum(true).compress(raw);
    }
    assertThat(codec.encode(raw)).isEqualTo(expected);
  }

  @Test
  void levelOptionChangesTheOutput() {
    byte[] raw = LedgerJson.block(new Random(SEED), 64 * 1024);
    int fast = provider.create(Map.of("zstd.level", "1")).encode(raw).length;
    int strong = provider.create(Map.of("zstd.level", "19")).encode(raw).length;
    assertThat(strong).as("level 19 vs level 1, seed %s", SEED).isLessThan(fast);
    Codec negative = provider.create(Map.of("zstd.level", " -5 "));
    assertThat(negative.decode(negative.encode(raw), raw.length)).isEqualTo(raw);
  }

  @Test
  void invalidLevelIsRejectedNamingTheOption() {
    for (String bad : List.of("0", "23", "-8", "three", "", "3.5")) {
      assertThatThrownBy(() -> provider.create(Map.of("zstd.level", bad)))
          .as("zstd.level=%s", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("zstd.level");
    }
  }

  @Test
  void unknownOptionIsRejectedListingKnownOnes() {
    assertThatThrownBy(() -> provider.create(Map.of("zstd.lvl", "3")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown option 'zstd.lvl' for codec zstd; did you mean 'zstd.level'?"
            + " known options: [zstd.level]");
    assertThatThrownBy(() -> provider.create(Map.of("snappy.anything", "x", "zstd.level", "5")))
        .as("the engine passes a codec only its own keys; any other is a mistake")
        .hasMessageContaining("unknown option 'snappy.anything' for codec zstd");
  }

  @Test
  void incompressibleValueRoundTripsWithinTheBound() {
    byte[] raw = random(new Random(SEED), 200_000);
    byte[] encoded = assertRoundTrip(codec, raw);
    assertThat(encoded.length).isLessThanOrEqualTo(ZstdCodec.compressBound(raw.length));
    assertThat((long) ZstdCodec.compressBound(raw.length)).isEqualTo(Zstd.compressBound(raw.length));
  }

  @Test
  void compressBoundMatchesZstdForManySizes() {
    Random random = new Random(SEED);
    for (int i = 0; i < 2_000; i++) {
      int n = i < 1_000 ? i : random.nextInt(1 << 26);
      assertThat((long) ZstdCodec.compressBound(n)).as("n=%d", n).isEqualTo(Zstd.compressBound(n));
    }
  }

  @Test
  void highlyCompressibleValueRoundTripsSmall() {
    byte[] raw = new byte[1 << 20];
    Arrays.fill(raw, (byte) 'x');
    byte[] encoded = assertRoundTrip(codec, raw);
    assertThat(encoded.length).isLessThan(200);
  }

  @Test
  void everyTruncationIsRejected() {
    byte[] raw = LedgerJson.record(new Random(SEED));
    byte[] encoded = codec.encode(raw);
    for (int length = 0; length < encoded.length; length++) {
      byte[] truncated = Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> codec.decode(truncated, raw.length))
          .as("truncated to %d of %d bytes", length, encoded.length)
          .isInstanceOf(DataCorruptionException.class);
    }
  }

  /**
   * Flips one random byte at a time. Every flip must be rejected or, where the format ignores
   * the bit (the header's "unused" bit), decode to exactly the original bytes: never wrong bytes.
   */
  @Test
  void flippedBytesNeverDecodeToWrongBytes() {
    Random random = new Random(SEED);
    int rejected = 0;
    int rounds = 3_000;
    for (int round = 0; round < rounds; round++) {
      byte[] raw = round % 4 == 0 ? random(random, 1 + random.nextInt(500)) : LedgerJson.record(random);
      byte[] encoded = codec.encode(raw);
      int position = random.nextInt(encoded.length);
      encoded[position] ^= (byte) (1 + random.nextInt(255));
      try {
        byte[] decoded = codec.decode(encoded, raw.length);
        assertThat(decoded)
            .as("seed %s round %d: flip at %d of %d decoded", SEED, round, position, encoded.length)
            .isEqualTo(raw);
      } catch (DataCorruptionException expected) {
        rejected++;
      }
    }
    assertThat(rejected).as("seed %s: rejected flips", SEED).isGreaterThan(rounds * 95 / 100);
  }

  @Test
  void randomGarbageIsRejected() {
    Random random = new Random(SEED);
    for (int round = 0; round < 2_000; round++) {
      byte[] garbage = random(random, random.nextInt(300));
      if (round % 2 == 0 && garbage.length >= 4) {
        garbage[0] = 0x28; // zstd magic, so the header parser and decoder get exercised
        garbage[1] = (byte) 0xB5;
        garbage[2] = 0x2F;
        garbage[3] = (byte) 0xFD;
      }
      int rawLength = random.nextInt(2000);
      byte[] input = garbage;
      try {
        byte[] decoded = codec.decode(input, rawLength);
        throw new AssertionError("seed " + SEED + " round " + round + " decoded garbage to "
            + decoded.length + " bytes");
      } catch (DataCorruptionException expected) {
        // the only acceptable outcome
      }
    }
  }

  @Test
  void wrongRawLengthIsRejectedWithoutAllocatingIt() {
    byte[] raw = LedgerJson.record(new Random(SEED));
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
        .hasMessageContaining("frame header");
    assertThatThrownBy(() -> codec.decode(new byte[0], 100))
        .isInstanceOf(DataCorruptionException.class);
  }

  /**
   * A frame whose header declares 2^31-1 bytes, with the record agreeing: far too small to
   * describe that much, so it is rejected before allocating (the test heap is 1 GiB).
   */
  @Test
  void headerClaimingAnImpossibleExpansionIsRejectedBeforeAllocating() {
    // magic, descriptor: 4-byte content size, single segment; content size 0x7FFFFFFF; RLE block
    byte[] frame = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, (byte) 0xA0,
        (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F, 0x13, 0x00, 0x00, 0x61};
    assertThat(Zstd.getFrameContentSize(frame)).isEqualTo(Integer.MAX_VALUE);
    assertThatThrownBy(() -> codec.decode(frame, Integer.MAX_VALUE))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("cannot expand");
  }

  @Test
  void frameWithoutContentSizeIsRejected() {
    byte[] raw = LedgerJson.record(new Random(SEED));
    byte[] frame;
    try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
      frame = ctx.setContentSize(false).compress(raw);
    }
    assertThatThrownBy(() -> codec.decode(frame, raw.length))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("content size");
  }

  @Test
  void trailingBytesAfterTheFrameAreRejected() {
    byte[] raw = LedgerJson.record(new Random(SEED));
    byte[] encoded = codec.encode(raw);
    for (int extra = 1; extra <= 16; extra++) {
      byte[] longer = Arrays.copyOf(encoded, encoded.length + extra);
      assertThatThrownBy(() -> codec.decode(longer, raw.length))
          .as("%d trailing zero bytes", extra)
          .isInstanceOf(DataCorruptionException.class);
    }
    byte[] twice = Arrays.copyOf(encoded, encoded.length * 2);
    System.arraycopy(encoded, 0, twice, encoded.length, encoded.length);
    assertThatThrownBy(() -> codec.decode(twice, raw.length))
        .isInstanceOf(DataCorruptionException.class);
  }

  @Test
  void concurrentEncodesAndDecodesReturnTheRightBytes() throws Exception {
    Codec strong = provider.create(Map.of("zstd.level", "9"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = SEED + t;
        futures.add(pool.submit(() -> {
          Random random = new Random(seed);
          for (int i = 0; i < 300; i++) {
            Codec c = i % 2 == 0 ? codec : strong; // one thread context switches levels
            byte[] raw = i % 7 == 0 ? random(random, random.nextInt(200_000)) : LedgerJson.record(random);
            byte[] back = c.decode(c.encode(raw), raw.length);
            assertThat(back).as("seed %s iteration %d", seed, i).isEqualTo(raw);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static byte[] assertRoundTrip(Codec codec, byte[] raw) {
    byte[] copy = raw.clone();
    byte[] encoded = codec.encode(raw);
    assertThat(raw).as("encode must not modify its input").isEqualTo(copy);
    assertThat(codec.decode(encoded, raw.length)).isEqualTo(raw);
    return encoded;
  }

  static byte[] random(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
