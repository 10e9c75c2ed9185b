package dev.cairn.benchmarks.codec;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import dev.cairn.codec.snappy.SnappyCodecProvider;
import dev.cairn.codec.zstd.ZstdCodecProvider;
import dev.cairn.storage.spi.Codec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.xerial.snappy.Snappy;

/**
 * Cairn's codecs against the raw libraries called the fast way, in the same run: encode and
 * decode of ~1 KiB JSON records and 64 KiB blocks of them. The {@code rawBytes} auxiliary counter
 * is the throughput in raw bytes per second (divide by 10^6 for MB/s).
 *
 * <p>Raw baselines: snappy-java's {@code Snappy.compress(byte[])} / {@code Snappy.uncompress(byte[])};
 * zstd-jni with one {@link ZstdCompressCtx} / {@link ZstdDecompressCtx} per benchmark thread at
 * level 3 (with the dictionary loaded for {@code zstd-dict}), {@code compress(byte[])} /
 * {@code decompress(byte[], int)}. Raw zstd runs with zstd's defaults (no content checksum);
 * Cairn's frames carry a checksum, so {@code zstd-raw-checksum} also measures raw zstd with it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBenchmark {

  private static final int INPUTS = 64;

  /** Which codec; {@code zstd-raw-checksum} is Cairn zstd against raw zstd with checksums. */
  @Param({"snappy", "zstd", "zstd-dict", "zstd-raw-checksum"})
  public String codec;

  /** Nominal value size: 1024 = one JSON record (~1 KiB), 65536 = a 64 KiB block of them. */
  @Param({"1024", "65536"})
  public int size;

  private Codec cairn;
  private Raw raw;
  private byte[][] inputs;
  private byte[][] cairnEncoded;
  private byte[][] rawEncoded;
  private int next;

  /** Raw bytes processed; reported by JMH as a rate (bytes/s). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    /** Raw (uncompressed) bytes encoded or decoded. */
    public long rawBytes;

    /** Resets the counter for each iteration. */
    @Setup(Level.Iteration)
    public void reset() {
      rawBytes = 0;
    }
  }

  /** The library called directly. */
  interface Raw extends AutoCloseable {
    byte[] encode(byte[] raw);

    byte[] decode(byte[] encoded, int rawLength);

    @Override
    default void close() {}
  }

  /** Builds inputs, codecs and pre-encoded payloads. */
  @Setup(Level.Trial)
  public void setUp() {
    Random random = new Random(42);
    inputs = new byte[INPUTS][];
    for (int i = 0; i < INPUTS; i++) {
      inputs[i] = size <= 1024
          ? LedgerJson.record(random)
          : Arrays.copyOf(LedgerJson.block(random, size), size);
    }
    Codec zstd = new ZstdCodecProvider().create(Map.of());
    switch (codec) {
      case "snappy" -> {
        cairn = new SnappyCodecProvider().create(Map.of());
        raw = new RawSnappy();
      }
      case "zstd" -> {
        cairn = zstd;
        raw = new RawZstd(3, false, null);
      }
      case "zstd-raw-checksum" -> {
        cairn = zstd;
        raw = new RawZstd(3, true, null);
      }
      case "zstd-dict" -> {
        byte[] dictionary = zstd.trainDictionary(LedgerJson.records(new Random(7), 2_000), 16 * 1024);
        cairn = zstd.withDictionary(dictionary);
        raw = new RawZstd(3, false, dictionary);
      }
      default -> throw new IllegalArgumentException("unknown codec " + codec);
    }
    cairnEncoded = new byte[INPUTS][];
    rawEncoded = new byte[INPUTS][];
    for (int i = 0; i < INPUTS; i++) {
      cairnEncoded[i] = cairn.encode(inputs[i]);
      rawEncoded[i] = raw.encode(inputs[i]);
      if (!Arrays.equals(cairn.decode(cairnEncoded[i], inputs[i].length), inputs[i])
          || !Arrays.equals(raw.decode(rawEncoded[i], inputs[i].length), inputs[i])) {
        throw new IllegalStateException("round trip failed for " + codec);
      }
    }
  }

  /** Frees the raw contexts. */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    raw.close();
  }

  private int nextIndex() {
    int i = next;
    next = (i + 1) & (INPUTS - 1);
    return i;
  }

  /** Cairn codec encode. */
  @Benchmark
  public byte[] encodeCairn(Bytes bytes) {
    byte[] input = inputs[nextIndex()];
    bytes.rawBytes += input.length;
    return cairn.encode(input);
  }

  /** Raw library encode. */
  @Benchmark
  public byte[] encodeRaw(Bytes bytes) {
    byte[] input = inputs[nextIndex()];
    bytes.rawBytes += input.length;
    return raw.encode(input);
  }

  /** Cairn codec decode. */
  @Benchmark
  public byte[] decodeCairn(Bytes bytes) {
    int i = nextIndex();
    int length = inputs[i].length;
    bytes.rawBytes += length;
    return cairn.decode(cairnEncoded[i], length);
  }

  /** Raw library decode. */
  @Benchmark
  public byte[] decodeRaw(Bytes bytes) {
    int i = nextIndex();
    int length = inputs[i].length;
    bytes.rawBytes += length;
    return raw.decode(rawEncoded[i], length);
  }

  static final class RawSnappy implements Raw {
    @Override
    public byte[] encode(byte[] raw) {
      try {
        return Snappy.compress(raw);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public byte[] decode(byte[] encoded, int rawLength) {
      try {
        return Snappy.uncompress(encoded);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static final class RawZstd implements Raw {
    private final ZstdCompressCtx compressor = new ZstdCompressCtx();
    private final ZstdDecompressCtx decompressor = new ZstdDecompressCtx();

    RawZstd(int level, boolean checksum, byte[] dictionary) {
      compressor.setLevel(level).setChecksum(checksum);
      if (dictionary != null) {
        compressor.loadDict(dictionary);
        decompressor.loadDict(dictionary);
      }
    }

    @Override
    public byte[] encode(byte[] raw) {
      return compressor.compress(raw);
    }

    @Override
    public byte[] decode(byte[] encoded, int rawLength) {
      return decompressor.decompress(encoded, rawLength);
    }

    @Override
    public void close() {
      compressor.close();
      decompressor.close();
    }
  }
}
