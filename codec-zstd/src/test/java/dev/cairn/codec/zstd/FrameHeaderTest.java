package dev.cairn.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class FrameHeaderTest {

  private static final long SEED = 0xF4A3_E000L;

  /** The Java parser agrees with zstd's own header functions on real frames of many sizes. */
  @Test
  void agreesWithZstdOnRealFrames() {
    Random random = new Random(SEED);
    byte[] dictionary = new ZstdCodecProvider().create(java.util.Map.of())
        .trainDictionary(LedgerJson.records(random, 300), 4096);
    int[] sizes = {0, 1, 2, 255, 256, 257, 65_535, 65_791, 65_792, 100_000, 1 << 20};
    for (int size : sizes) {
      for (boolean withDictionary : new boolean[] {false, true}) {
        for (boolean contentSize : new boolean[] {false, true}) {
          byte[] raw = LedgerJson.block(random, size);
          raw = Arrays.copyOf(raw, size);
          byte[] frame;
          try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            ctx.setLevel(3).setContentSize(contentSize);
            if (withDictionary) {
              ctx.loadDict(dictionary);
            }
            frame = ctx.compress(raw);
          }
          FrameHeader header = FrameHeader.parse(frame);
          String what = "size " + size + " dictionary " + withDictionary + " contentSize " + contentSize;
          assertThat(header).as(what).isNotNull();
          long expectedSize = Zstd.getFrameContentSize(frame);
          assertThat(header.contentSize()).as(what)
              .isEqualTo(expectedSize == -1 ? FrameHeader.UNKNOWN : expectedSize);
          assertThat(header.dictionaryId()).as(what).isEqualTo(Zstd.getDictIdFromFrame(frame));
        }
      }
    }
  }

  /** On random headers the parser never reports a size that zstd does not also report. */
  @Test
  void agreesWithZstdOnRandomHeaders() {
    Random random = new Random(SEED);
    for (int round = 0; round < 20_000; round++) {
      byte[] frame = new byte[4 + random.nextInt(16)];
      random.nextBytes(frame);
      frame[0] = 0x28;
      frame[1] = (byte) 0xB5;
      frame[2] = 0x2F;
      frame[3] = (byte) 0xFD;
      FrameHeader header = FrameHeader.parse(frame);
      long expected = Zstd.getFrameContentSize(frame);
      if (header != null && header.contentSize() != FrameHeader.UNKNOWN) {
        assertThat(header.contentSize())
            .as("seed %s round %d frame %s", SEED, round, Arrays.toString(frame))
            .isEqualTo(expected);
      }
    }
  }
}
