package dev.cairn.conformance;

import static dev.cairn.conformance.KitSupport.compressibleBytes;
import static dev.cairn.conformance.KitSupport.randomBytes;
import static dev.cairn.conformance.KitSupport.seedNote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit for {@link CodecProvider}s: round trips, the raw-length contract of
 * {@link Codec#decode}, behaviour on truncated and corrupted input, id uniqueness, dictionaries
 * and thread safety.
 *
 * <pre>{@code
 * final class MyCodecConformanceTest extends CodecConformanceKit {
 *   @Override
 *   protected CodecProvider provider() {
 *     return new MyCodecProvider();
 *   }
 * }
 * }</pre>
 *
 * <p>The rule for damaged input: {@code decode} either throws
 * {@link DataCorruptionException} or returns exactly {@code rawLength} bytes — never another
 * exception type, never a longer or shorter array, never an allocation driven by a forged raw
 * length. (A codec without checksums may decode a flipped byte into different bytes of the same
 * length; the engine catches that with its CRC32C/SHA-256 checks.)
 */
@org.junit.jupiter.api.extension.ExtendWith(NamesKitRun.class)
public abstract class CodecConformanceKit {

  /** For subclasses, which supply the codec provider under test ({@link #provider()}). */
  protected CodecConformanceKit() {}

  /** A raw length a corrupted header might claim; decoding must not allocate it. */
  private static final int FORGED_RAW_LENGTH = 256 << 20;
  /** The allocation a decode of a small input may make, with generous slack. */
  private static final long ALLOCATION_SLACK = 32L << 20;

  private CodecProvider provider;
  private Codec codec;

  /**
   * The codec provider under test. Called once per test.
   *
   * @return the provider whose codecs the kit creates
   */
  protected abstract CodecProvider provider();

  /**
   * Options the kit creates codecs with (default none).
   *
   * @return codec option keys and values; none by default
   */
  protected Map<String, String> options() {
    return Map.of();
  }

  @BeforeEach
  void createCodec() {
    provider = provider();
    codec = provider.create(options());
    assertThat(codec).as("%s.create returned null", provider.name()).isNotNull();
  }

  private Random random() {
    return new Random(KitSupport.SEED);
  }

  /** Values of every shape the kit round-trips and damages, by description. */
  private Map<String, byte[]> sampleValues(Random rnd) {
    Map<String, byte[]> v = new LinkedHashMap<>();
    v.put("empty", new byte[0]);
    v.put("one byte", new byte[] {42});
    v.put("incompressible 64 KiB", randomBytes(rnd, 64 << 10));
    v.put("compressible 64 KiB", compressibleBytes(rnd, 64 << 10));
    v.put("zeros 100 KiB", new byte[100 << 10]);
    v.put("json 1 KiB", jsonLike(rnd, 0));
    v.put("short text", "hello, cairn".getBytes(StandardCharsets.UTF_8));
    return v;
  }

  private static byte[] jsonLike(Random rnd, int i) {
    StringBuilder sb = new StringBuilder("[");
    while (sb.length() < 1000) {
      sb.append("{\"id\":").append(i * 1000 + rnd.nextInt(1000))
          .append(",\"name\":\"player-").append(rnd.nextInt(5000))
          .append("\",\"score\":").append(rnd.nextInt(100000))
          .append(",\"active\":").append(rnd.nextBoolean()).append("},");
    }
    sb.append("{}]");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private void assertRoundTrip(Codec c, byte[] raw, String what) {
    byte[] copy = raw.clone();
    byte[] encoded = c.encode(raw);
    assertThat(encoded).as("encode(%s) returned null", what).isNotNull();
    assertThat(Arrays.equals(raw, copy)).as("encode modified its input (%s)", what).isTrue();
    byte[] decoded = decode(c, encoded, raw.length, what);
    assertThat(decoded).as("decode of %s returned null", what).isNotNull();
    assertThat(decoded.length).as("decoded length of %s; %s", what, seedNote())
        .isEqualTo(raw.length);
    assertThat(Arrays.equals(decoded, raw)).as("round trip of %s; %s", what, seedNote())
        .isTrue();
  }

  /**
   * Calls decode, turning errors JUnit would treat as fatal (OutOfMemoryError) into
   * assertion failures: a codec that allocates by a forged raw length must fail a test, not
   * abort the run.
   */
  private static byte[] decode(Codec c, byte[] encoded, int rawLength, String what) {
    try {
      return c.decode(encoded, rawLength);
    } catch (OutOfMemoryError e) {
      throw new AssertionError("decode(" + what + ", rawLength=" + rawLength
          + ") ran out of memory: it allocates by the claimed raw length", e);
    } catch (StackOverflowError e) {
      throw new AssertionError("decode(" + what + ") overflowed the stack", e);
    }
  }

  /** Decode of damaged input: throws DataCorruptionException or returns rawLength bytes. */
  private static void assertDamagedDecodeIsSafe(
      Codec c, byte[] damaged, int rawLength, String what) {
    byte[] out;
    try {
      out = decode(c, damaged, rawLength, what);
    } catch (DataCorruptionException expected) {
      return;
    } catch (AssertionError e) {
      throw e;
    } catch (RuntimeException e) {
      throw new AssertionError("decode of " + what + " threw " + e
          + " instead of DataCorruptionException; " + seedNote(), e);
    }
    assertThat(out).as("decode of %s returned null; %s", what, seedNote()).isNotNull();
    assertThat(out.length)
        .as("decode of %s returned a wrong-length array instead of throwing "
            + "DataCorruptionException; %s", what, seedNote())
        .isEqualTo(rawLength);
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("identity of the provider")
  class ProviderIdentity {

    @Test
    @DisplayName("the codec's id and name match its provider's")
    void idAndNameMatchProvider() {
      assertThat(codec.id()).isEqualTo(provider.id());
      assertThat(codec.name()).isEqualTo(provider.name());
      assertThat(provider.name()).matches("[a-z][a-z0-9_.-]*");
      assertThat(provider.capabilities()).isNotNull();
    }

    @Test
    @DisplayName("an unknown option with the provider's own prefix is rejected, naming it")
    void unknownOptionOfOwnPrefixIsRejected() {
      String key = provider.name() + ".no-such-option";
      assertThatThrownBy(() -> provider.create(Map.of(key, "1")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(key);
    }

    @Test
    @DisplayName("options() declares the codec's own options, and each declared default is accepted")
    void declaredOptionsAreItsOwnAndTheirDefaultsAreAccepted() {
      Map<String, String> defaults = KitSupport.declaredDefaults(
          "codec", provider.name(), provider.options(), options());
      assertThat(provider.create(defaults)).isNotNull();
    }

    @Test
    @DisplayName("ids and names are unique among every provider ServiceLoader finds")
    void idsAreUniqueOnTheClassPath() {
      Map<Byte, String> byId = new HashMap<>();
      Map<String, String> byName = new HashMap<>();
      List<String> clashes = new ArrayList<>();
      List<CodecProvider> found = new ArrayList<>();
      ServiceLoader.load(CodecProvider.class).forEach(found::add);
      if (found.stream().noneMatch(p -> p.getClass() == provider.getClass())) {
        found.add(provider);
      }
      for (CodecProvider p : found) {
        String who = p.getClass().getName() + " (id " + p.id() + ", name " + p.name() + ")";
        String prevId = byId.put(p.id(), who);
        if (prevId != null && !prevId.equals(who)) {
          clashes.add("id " + p.id() + ": " + prevId + " and " + who);
        }
        String prevName = byName.put(p.name(), who);
        if (prevName != null && !prevName.equals(who)) {
          clashes.add("name " + p.name() + ": " + prevName + " and " + who);
        }
      }
      assertThat(clashes).as("codec providers sharing an id or name").isEmpty();
    }

    @Test
    @DisplayName("without DICTIONARIES, dictionary methods throw UnsupportedOperationException")
    void dictionaryMethodsNeedTheCapability() {
      assumeFalse(provider.capabilities().contains(Capability.DICTIONARIES),
          () -> "codec " + provider.name() + " declares DICTIONARIES; see the dictionary tests");
      assertThatThrownBy(() -> codec.trainDictionary(List.of(new byte[10]), 1024))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> codec.withDictionary(new byte[10]))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("round trips")
  class RoundTrips {

    @Test
    @DisplayName("an empty value round trips")
    void emptyValue() {
      assertRoundTrip(codec, new byte[0], "empty value");
    }

    @Test
    @DisplayName("every one-byte value round trips")
    void oneByteValues() {
      for (int b = 0; b < 256; b++) {
        assertRoundTrip(codec, new byte[] {(byte) b}, "one byte 0x" + Integer.toHexString(b));
      }
    }

    @Test
    @DisplayName("incompressible (random) values round trip")
    void incompressibleValues() {
      Random rnd = random();
      for (int size : new int[] {2, 15, 64, 1000, 4096, 65_536, 300_000}) {
        assertRoundTrip(codec, randomBytes(rnd, size), "random " + size + " bytes");
      }
    }

    @Test
    @DisplayName("highly compressible values round trip")
    void compressibleValues() {
      Random rnd = random();
      assertRoundTrip(codec, new byte[1 << 20], "1 MiB of zeros");
      byte[] ff = new byte[70_000];
      Arrays.fill(ff, (byte) 0xFF);
      assertRoundTrip(codec, ff, "70,000 bytes of 0xFF");
      assertRoundTrip(codec, compressibleBytes(rnd, 200_000), "200 KB of repeated JSON");
      assertRoundTrip(codec, jsonLike(rnd, 1), "1 KiB of JSON");
    }

    @Test
    @DisplayName("multi-MiB values round trip")
    void multiMebibyteValues() {
      Random rnd = random();
      byte[] mixed = new byte[6 << 20];
      for (int off = 0; off < mixed.length; off += 1 << 20) {
        byte[] part = (off >> 20) % 2 == 0
            ? randomBytes(rnd, 1 << 20) : compressibleBytes(rnd, 1 << 20);
        System.arraycopy(part, 0, mixed, off, part.length);
      }
      assertRoundTrip(codec, mixed, "6 MiB alternating random and compressible");
      assertRoundTrip(codec, new byte[(16 << 20) + 3], "16 MiB + 3 zeros");
    }

    @Test
    @DisplayName("values of random sizes and shapes round trip")
    void randomValues() {
      Random rnd = random();
      for (int i = 0; i < 150; i++) {
        int size = rnd.nextInt(4) == 0 ? rnd.nextInt(16) : rnd.nextInt(70_000);
        byte[] v = switch (rnd.nextInt(3)) {
          case 0 -> randomBytes(rnd, size);
          case 1 -> compressibleBytes(rnd, size);
          default -> {
            byte[] b = new byte[size];
            for (int j = 0; j < size; j++) {
              b[j] = (byte) (rnd.nextInt(4) == 0 ? rnd.nextInt(256) : 'x');
            }
            yield b;
          }
        };
        assertRoundTrip(codec, v, "random value #" + i + " of " + size + " bytes");
      }
    }

    @Test
    @DisplayName("decoding the same encoding twice gives equal, independent arrays")
    void decodeIsRepeatable() {
      byte[] raw = compressibleBytes(random(), 10_000);
      byte[] enc = codec.encode(raw);
      byte[] first = codec.decode(enc, raw.length);
      first[0] ^= 1;
      assertThat(codec.decode(enc, raw.length)).isEqualTo(raw);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("raw length contract")
  class RawLength {

    @Test
    @DisplayName("decode with a raw length one smaller than the real one throws")
    void smallerRawLengthThrows() {
      sampleValues(random()).forEach((what, raw) -> {
        if (raw.length > 0) {
          byte[] enc = codec.encode(raw);
          assertThatThrownBy(() -> decode(codec, enc, raw.length - 1, what))
              .as("decode(%s) with raw length %d instead of %d", what, raw.length - 1,
                  raw.length)
              .isInstanceOf(DataCorruptionException.class);
        }
      });
    }

    @Test
    @DisplayName("decode with a raw length larger than the real one throws")
    void largerRawLengthThrows() {
      sampleValues(random()).forEach((what, raw) -> {
        byte[] enc = codec.encode(raw);
        for (int extra : new int[] {1, 1000}) {
          assertThatThrownBy(() -> decode(codec, enc, raw.length + extra, what))
              .as("decode(%s) with raw length %d instead of %d", what, raw.length + extra,
                  raw.length)
              .isInstanceOf(DataCorruptionException.class);
        }
      });
    }

    @Test
    @DisplayName("decode with a huge raw length throws without allocating it")
    void hugeRawLengthThrowsWithoutAllocating() {
      Map<String, byte[]> values = sampleValues(random());
      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
          byte[] enc = codec.encode(e.getValue());
          for (int claimed : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 8,
              FORGED_RAW_LENGTH}) {
            long before = allocatedBytes();
            assertThatThrownBy(() -> decode(codec, enc, claimed, e.getKey()))
                .as("decode(%s) claiming %d raw bytes", e.getKey(), claimed)
                .isInstanceOf(DataCorruptionException.class);
            long allocated = allocatedBytes() - before;
            if (before >= 0) {
              assertThat(allocated)
                  .as("bytes allocated by decode(%s) claiming %d raw bytes (a forged header "
                      + "must not drive allocation)", e.getKey(), claimed)
                  .isLessThan(ALLOCATION_SLACK + 4L * enc.length + 4L * e.getValue().length);
            }
          }
        }
      }, "decode of a forged raw length must fail fast");
    }

    @Test
    @DisplayName("decode with a negative raw length throws")
    void negativeRawLengthThrows() {
      byte[] enc = codec.encode(new byte[100]);
      assertThatThrownBy(() -> decode(codec, enc, -1, "100 zeros"))
          .isInstanceOfAny(DataCorruptionException.class, IllegalArgumentException.class);
      assertThatThrownBy(() -> decode(codec, enc, Integer.MIN_VALUE, "100 zeros"))
          .isInstanceOfAny(DataCorruptionException.class, IllegalArgumentException.class);
    }
  }

  /** Bytes allocated by the current thread so far, or -1 if the JVM cannot tell. */
  private static long allocatedBytes() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    if (mx instanceof com.sun.management.ThreadMXBean sun
        && sun.isThreadAllocatedMemorySupported() && sun.isThreadAllocatedMemoryEnabled()) {
      return sun.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
    return -1;
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("damaged input")
  class DamagedInput {

    @Test
    @DisplayName("truncated encodings throw DataCorruptionException or decode to rawLength bytes")
    void truncatedInput() {
      assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
          sampleValues(random()).forEach((what, raw) -> {
            byte[] enc = codec.encode(raw);
            for (int len : new int[] {0, 1, enc.length / 2, enc.length - 1}) {
              if (len >= 0 && len < enc.length) {
                assertDamagedDecodeIsSafe(codec, Arrays.copyOf(enc, len), raw.length,
                    what + " truncated to " + len + " of " + enc.length + " bytes");
              }
            }
          }));
    }

    @Test
    @DisplayName("byte-flipped encodings throw DataCorruptionException or decode to rawLength bytes")
    void flippedBytes() {
      Random rnd = random();
      Map<String, byte[]> values = sampleValues(rnd);
      assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
          values.forEach((what, raw) -> {
            byte[] enc = codec.encode(raw);
            if (enc.length == 0) {
              return;
            }
            for (int i = 0; i < 60; i++) {
              byte[] bad = enc.clone();
              int pos = i < 8 ? Math.min(i, enc.length - 1) : rnd.nextInt(enc.length);
              int flip = 1 + rnd.nextInt(255);
              bad[pos] ^= (byte) flip;
              assertDamagedDecodeIsSafe(codec, bad, raw.length,
                  what + " with byte " + pos + " xor " + flip);
            }
          }));
    }

    @Test
    @DisplayName("random garbage throws DataCorruptionException or decodes to rawLength bytes")
    void garbageInput() {
      Random rnd = random();
      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
        for (int i = 0; i < 200; i++) {
          byte[] garbage = randomBytes(rnd, rnd.nextInt(300));
          int rawLength = rnd.nextInt(5000);
          assertDamagedDecodeIsSafe(codec, garbage, rawLength,
              "garbage #" + i + " (" + garbage.length + " bytes, rawLength " + rawLength + ")");
        }
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("dictionaries")
  class Dictionaries {

    private List<byte[]> samples(Random rnd) {
      List<byte[]> s = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        s.add(Arrays.copyOf(jsonLike(rnd, i), 200 + rnd.nextInt(600)));
      }
      return s;
    }

    @Test
    @DisplayName("a dictionary trained from samples fits the size limit")
    void trainDictionary() {
      KitSupport.requireCapability("codec " + provider.name(), provider.capabilities(),
          Capability.DICTIONARIES);
      byte[] dict = codec.trainDictionary(samples(random()), 16 << 10);
      assertThat(dict).isNotNull().isNotEmpty();
      assertThat(dict.length).isLessThanOrEqualTo(16 << 10);
    }

    @Test
    @DisplayName("values round trip through a codec with a trained dictionary")
    void roundTripWithDictionary() {
      KitSupport.requireCapability("codec " + provider.name(), provider.capabilities(),
          Capability.DICTIONARIES);
      Random rnd = random();
      List<byte[]> samples = samples(rnd);
      Codec withDict = codec.withDictionary(codec.trainDictionary(samples, 16 << 10));
      assertThat(withDict.id()).as("a dictionary codec keeps the provider's id")
          .isEqualTo(provider.id());
      for (int i = 0; i < 50; i++) {
        assertRoundTrip(withDict, samples.get(i), "sample #" + i + " with dictionary");
      }
      assertRoundTrip(withDict, new byte[0], "empty value with dictionary");
      assertRoundTrip(withDict, randomBytes(rnd, 5000), "random bytes with dictionary");
      assertRoundTrip(withDict, jsonLike(rnd, 9999), "new JSON with dictionary");
    }

    @Test
    @DisplayName("a dictionary codec's output does not decode correctly without the dictionary")
    void dictionaryOutputNeedsTheDictionary() {
      KitSupport.requireCapability("codec " + provider.name(), provider.capabilities(),
          Capability.DICTIONARIES);
      Random rnd = random();
      List<byte[]> samples = samples(rnd);
      Codec withDict = codec.withDictionary(codec.trainDictionary(samples, 16 << 10));
      for (int i = 0; i < 20; i++) {
        byte[] raw = samples.get(i);
        byte[] enc = withDict.encode(raw);
        byte[] out;
        try {
          out = decode(codec, enc, raw.length, "sample #" + i + " without its dictionary");
        } catch (DataCorruptionException expected) {
          continue;
        }
        assertThat(Arrays.equals(out, raw))
            .as("sample #%d encoded with a dictionary decoded correctly without it; %s", i,
                seedNote())
            .isFalse();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("thread safety")
  class ThreadSafety {

    @Test
    @DisplayName("one codec instance round trips correctly on several threads at once")
    void concurrentRoundTrips() throws Exception {
      int threads = 4;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          long threadSeed = KitSupport.SEED + t;
          futures.add(pool.submit(() -> {
            Random rnd = new Random(threadSeed);
            for (int i = 0; i < 300; i++) {
              int size = rnd.nextInt(20_000);
              byte[] raw = rnd.nextBoolean()
                  ? randomBytes(rnd, size) : compressibleBytes(rnd, size);
              assertRoundTrip(codec, raw, "value #" + i + " on thread seed " + threadSeed);
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
