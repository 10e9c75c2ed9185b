package dev.cairn.benchmarks.codec;

import com.github.luben.zstd.ZstdCompressCtx;
import dev.cairn.codec.snappy.SnappyCodecProvider;
import dev.cairn.codec.zstd.ZstdCodecProvider;
import dev.cairn.storage.spi.Codec;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.xerial.snappy.Snappy;

/**
 * Prints compression ratios (raw bytes / encoded bytes) on ~1 KiB JSON records and 64 KiB blocks:
 * Cairn's codecs (their payloads include the 4-byte checksums) and the raw libraries, and zstd
 * with a 16 KiB dictionary trained on other records of the same shape.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cairn.benchmarks.codec.DictionaryRatio}
 */
public final class DictionaryRatio {

  private DictionaryRatio() {}

  /** Prints the table. */
  public static void main(String[] args) throws IOException {
    Codec zstd = new ZstdCodecProvider().create(Map.of());
    Codec snappy = new SnappyCodecProvider().create(Map.of());
    List<byte[]> training = LedgerJson.records(new Random(7), 2_000);
    List<byte[]> records = LedgerJson.records(new Random(42), 1_000);
    byte[] dictionary = zstd.trainDictionary(training, 16 * 1024);
    Codec zstdDict = zstd.withDictionary(dictionary);

    long raw = 0;
    long cairnZstd = 0;
    long cairnZstdDict = 0;
    long cairnSnappy = 0;
    long rawZstd = 0;
    long rawZstdDict = 0;
    long rawSnappy = 0;
    try (ZstdCompressCtx plain = new ZstdCompressCtx().setLevel(3);
        ZstdCompressCtx withDict = new ZstdCompressCtx().setLevel(3).loadDict(dictionary)) {
      for (byte[] record : records) {
        raw += record.length;
        cairnZstd += zstd.encode(record).length;
        cairnZstdDict += zstdDict.encode(record).length;
        cairnSnappy += snappy.encode(record).length;
        rawZstd += plain.compress(record).length;
        rawZstdDict += withDict.compress(record).length;
        rawSnappy += Snappy.compress(record).length;
      }
    }
    Random random = new Random(43);
    long blockRaw = 0;
    long blockZstd = 0;
    long blockSnappy = 0;
    for (int i = 0; i < 32; i++) {
      byte[] block = Arrays.copyOf(LedgerJson.block(random, 65_536), 65_536);
      blockRaw += block.length;
      blockZstd += zstd.encode(block).length;
      blockSnappy += snappy.encode(block).length;
    }
    System.out.printf("records: %d, average %.0f bytes; dictionary %d bytes trained on %d other records%n",
        records.size(), (double) raw / records.size(), dictionary.length, training.size());
    System.out.printf("%-28s %8s %8s%n", "1 KiB JSON records", "cairn", "raw lib");
    System.out.printf("%-28s %8.2f %8.2f%n", "zstd-3", ratio(raw, cairnZstd), ratio(raw, rawZstd));
    System.out.printf("%-28s %8.2f %8.2f%n", "zstd-3 + 16 KiB dictionary",
        ratio(raw, cairnZstdDict), ratio(raw, rawZstdDict));
    System.out.printf("%-28s %8.2f %8.2f%n", "snappy", ratio(raw, cairnSnappy), ratio(raw, rawSnappy));
    System.out.printf("64 KiB blocks (cairn): zstd-3 %.2f, snappy %.2f%n",
        ratio(blockRaw, blockZstd), ratio(blockRaw, blockSnappy));
  }

  private static double ratio(long raw, long encoded) {
    return (double) raw / encoded;
  }
}
