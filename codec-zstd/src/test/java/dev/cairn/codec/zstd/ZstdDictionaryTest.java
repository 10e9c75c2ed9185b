package dev.cairn.codec.zstd;

import static dev.cairn.codec.zstd.ZstdCodecTest.assertRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.Codec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

final class ZstdDictionaryTest {

  private static final long SEED = 0xD1C7_1234L;
  private static final int DICTIONARY_BYTES = 16 * 1024;

  private static final Codec PLAIN = new ZstdCodecProvider().create(Map.of());
  private static byte[] dictionary;
  private static byte[] otherDictionary;
  private static List<byte[]> evaluation;

  @BeforeAll
  static void trainDictionaries() {
    Random random = new Random(SEED);
    dictionary = PLAIN.trainDictionary(LedgerJson.records(random, 2_000), DICTIONARY_BYTES);
    otherDictionary = PLAIN.trainDictionary(LedgerJson.records(random, 500), 4 * 1024);
    evaluation = LedgerJson.records(random, 300); // not among the training samples
  }

  @Test
  void trainedDictionaryFitsTheLimitAndHasAnId() {
    assertThat(dictionary.length).isLessThanOrEqualTo(DICTIONARY_BYTES).isGreaterThan(1024);
    assertThat(Zstd.getDictIdFromDict(dictionary)).isNotZero();
    assertThat(Zstd.getDictIdFromDict(otherDictionary))
        .isNotEqualTo(Zstd.getDictIdFromDict(dictionary));
  }

  @Test
  void dictionaryImprovesTheRatioOnSmallJsonRecords() {
    Codec withDictionary = PLAIN.withDictionary(dictionary);
    long raw = 0;
    long plain = 0;
    long dict = 0;
    for (byte[] record : evaluation) {
      raw += record.length;
      plain += PLAIN.encode(record).length;
      dict += assertRoundTrip(withDictionary, record).length;
    }
    double plainRatio = (double) raw / plain;
    double dictRatio = (double) raw / dict;
    String report = String.format(
        "seed %s: %d records, %.0f bytes average, ratio without dictionary %.2f, with %.2f",
        SEED, evaluation.size(), (double) raw / evaluation.size(), plainRatio, dictRatio);
    assertThat(raw / evaluation.size()).as(report).isBetween(800L, 1300L);
    assertThat(dictRatio).as(report).isGreaterThan(plainRatio * 1.2);
  }

  @Test
  void dictionaryCodecKeepsIdAndName() {
    Codec withDictionary = PLAIN.withDictionary(dictionary);
    assertThat(withDictionary.id()).isEqualTo((byte) 2);
    assertThat(withDictionary.name()).isEqualTo("zstd");
  }

  @Test
  void dictionaryPayloadWithoutTheDictionaryIsRejected() {
    Codec withDictionary = PLAIN.withDictionary(dictionary);
    byte[] record = evaluation.get(0);
    byte[] encoded = withDictionary.encode(record);
    assertThatThrownBy(() -> PLAIN.decode(encoded, record.length))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("needs dictionary " + Zstd.getDictIdFromDict(dictionary))
        .hasMessageContaining("has none");
  }

  @Test
  void dictionaryPayloadWithAnotherDictionaryIsRejected() {
    byte[] record = evaluation.get(1);
    byte[] encoded = PLAIN.withDictionary(dictionary).encode(record);
    assertThatThrownBy(() -> PLAIN.withDictionary(otherDictionary).decode(encoded, record.length))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("needs dictionary " + Zstd.getDictIdFromDict(dictionary));
  }

  /**
   * Without the frame's dictionary id the decoder cannot know a dictionary is missing; the
   * content checksum still stops it from returning wrong bytes.
   */
  @Test
  void dictionaryPayloadStrippedOfItsDictionaryIdIsRejected() {
    byte[] record = evaluation.get(2);
    byte[] encoded;
    try (var ctx = new com.github.luben.zstd.ZstdCompressCtx()) {
      encoded = ctx.setLevel(3).setChecksum(true).setDictID(false).loadDict(dictionary)
          .compress(record);
    }
    byte[] frame = encoded;
    assertThat(Zstd.getDictIdFromFrame(frame)).isZero();
    assertThatThrownBy(() -> PLAIN.decode(frame, record.length))
        .isInstanceOf(DataCorruptionException.class);
  }

  @Test
  void dictionaryCodecStillReadsPlainPayloads() {
    Codec withDictionary = PLAIN.withDictionary(dictionary);
    for (byte[] record : evaluation.subList(0, 20)) {
      assertThat(withDictionary.decode(PLAIN.encode(record), record.length)).isEqualTo(record);
    }
  }

  @Test
  void dictionaryCodecRoundTripsEdgeValues() {
    Codec withDictionary = PLAIN.withDictionary(dictionary);
    assertRoundTrip(withDictionary, new byte[0]);
    assertRoundTrip(withDictionary, new byte[] {1});
    assertRoundTrip(withDictionary, ZstdCodecTest.random(new Random(SEED), 70_000));
    assertRoundTrip(withDictionary, LedgerJson.block(new Random(SEED), 3 << 20));
  }

  @Test
  void codecsFromEqualDictionaryBytesAreInterchangeable() {
    byte[] record = evaluation.get(3);
    byte[] encoded = PLAIN.withDictionary(dictionary).encode(record);
    assertThat(PLAIN.withDictionary(dictionary.clone()).decode(encoded, record.length))
        .isEqualTo(record);
  }

  @Test
  void laterChangesToTheCallersArrayDoNotAffectTheCodec() {
    byte[] mine = dictionary.clone();
    Codec withDictionary = PLAIN.withDictionary(mine);
    byte[] record = evaluation.get(4);
    byte[] encoded = withDictionary.encode(record);
    Arrays.fill(mine, 100, mine.length, (byte) 0);
    assertThat(withDictionary.decode(encoded, record.length)).isEqualTo(record);
  }

  @Test
  void flippedBytesInDictionaryPayloadsNeverDecodeToWrongBytes() {
    Codec withDictionary = PLAIN.withDictionary(dictionary);
    Random random = new Random(SEED);
    for (int round = 0; round < 1_000; round++) {
      byte[] record = evaluation.get(random.nextInt(evaluation.size()));
      byte[] encoded = withDictionary.encode(record);
      int position = random.nextInt(encoded.length);
      encoded[position] ^= (byte) (1 + random.nextInt(255));
      try {
        assertThat(withDictionary.decode(encoded, record.length))
            .as("seed %s round %d flip at %d", SEED, round, position)
            .isEqualTo(record);
      } catch (DataCorruptionException expected) {
        // fine
      }
    }
  }

  @Test
  void nonDictionaryBytesAreRejected() {
    assertThatThrownBy(() -> PLAIN.withDictionary("just some text, not a dictionary".getBytes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a zstd dictionary");
    assertThatThrownBy(() -> PLAIN.withDictionary(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void corruptedDictionaryIsRejected() {
    byte[] corrupted = Arrays.copyOf(dictionary, 40); // magic and id intact, tables cut off
    assertThatThrownBy(() -> PLAIN.withDictionary(corrupted))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("corrupted");
  }

  @Test
  void trainingArgumentsAreValidated() {
    List<byte[]> samples = LedgerJson.records(new Random(SEED), 10);
    assertThatThrownBy(() -> PLAIN.trainDictionary(List.of(), 1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("samples");
    assertThatThrownBy(() -> PLAIN.trainDictionary(samples, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBytes");
    assertThatThrownBy(() -> PLAIN.trainDictionary(List.of(new byte[] {1}, new byte[] {2}), 1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot train");
  }

  @Test
  void threadsMixingDictionariesAndPlainCodecsGetTheRightBytes() throws Exception {
    Codec[] codecs = {PLAIN, PLAIN.withDictionary(dictionary), PLAIN.withDictionary(otherDictionary)};
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = SEED + t;
        futures.add(pool.submit(() -> {
          Random random = new Random(seed);
          for (int i = 0; i < 400; i++) {
            Codec codec = codecs[random.nextInt(codecs.length)];
            byte[] raw = evaluation.get(random.nextInt(evaluation.size()));
            assertThat(codec.decode(codec.encode(raw), raw.length))
                .as("seed %s iteration %d %s", seed, i, codec)
                .isEqualTo(raw);
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
}
