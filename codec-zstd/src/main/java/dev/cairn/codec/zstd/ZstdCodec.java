package dev.cairn.codec.zstd;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdException;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.ValueTooLargeException;
import dev.cairn.storage.spi.Codec;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A zstd codec at one level, optionally with one dictionary. Immutable and thread-safe; the
 * native contexts live in {@link ThreadContexts}.
 */
final class ZstdCodec implements Codec {

  /** zstd's dictionary trainer needs at least this much room. */
  static final int MIN_DICTIONARY_BYTES = 256;

  /**
   * An upper bound on how many raw bytes one frame byte can describe: a 4-byte RLE block (3-byte
   * header, 1 byte) regenerates at most one 128 KiB block. A frame declaring more than this is
   * corrupt, whatever the recorded raw length says.
   */
  private static final long MAX_EXPANSION = 32 * 1024;

  /** Inputs whose compress bound would not fit in an array. */
  static final int MAX_INPUT_BYTES = Integer.MAX_VALUE / 257 * 256 - 1024;

  private final int level;
  private final ZstdDictionary dictionary;

  ZstdCodec(int level, ZstdDictionary dictionary) {
    this.level = level;
    this.dictionary = dictionary;
  }

  @Override
  public byte id() {
    return ZstdCodecProvider.ID;
  }

  @Override
  public String name() {
    return ZstdCodecProvider.NAME;
  }

  @Override
  public byte[] encode(byte[] raw) {
    Objects.requireNonNull(raw, "raw");
    if (raw.length > MAX_INPUT_BYTES) {
      throw new ValueTooLargeException(
          "zstd cannot compress " + raw.length + " bytes in one frame (at most " + MAX_INPUT_BYTES
              + ")");
    }
    ThreadContexts contexts = ThreadContexts.current();
    try {
      ZstdCompressCtx compressor = contexts.compressor(level, dictionary);
      int bound = compressBound(raw.length);
      byte[] out = contexts.scratch(bound);
      int length = compressor.compressByteArray(out, 0, bound, raw, 0, raw.length);
      return Arrays.copyOf(out, length);
    } catch (ZstdException e) {
      throw new IllegalStateException(
          "zstd failed to compress " + raw.length + " bytes with " + this, e);
    } finally {
      Reference.reachabilityFence(contexts);
    }
  }

  @Override
  public byte[] decode(byte[] encoded, int rawLength) {
    Objects.requireNonNull(encoded, "encoded");
    if (rawLength < 0) {
      throw new DataCorruptionException("zstd: recorded raw length " + rawLength + " is negative");
    }
    FrameHeader header = FrameHeader.parse(encoded);
    if (header == null) {
      throw new DataCorruptionException(
          "zstd payload of " + encoded.length
              + " bytes does not start with a complete zstd frame header (truncated or corrupted)");
    }
    if (header.contentSize() == FrameHeader.UNKNOWN) {
      throw new DataCorruptionException("zstd frame does not declare its content size");
    }
    if (header.contentSize() != rawLength) {
      throw new DataCorruptionException(
          "zstd frame declares " + header.contentSize() + " raw bytes but the record says "
              + rawLength);
    }
    if (rawLength > encoded.length * MAX_EXPANSION) {
      throw new DataCorruptionException(
          "zstd frame of " + encoded.length + " bytes cannot expand to " + rawLength + " bytes");
    }
    ZstdDictionary needed = dictionaryFor(header.dictionaryId());
    ThreadContexts contexts = ThreadContexts.current();
    try {
      byte[] out = new byte[rawLength];
      int produced;
      try {
        produced = contexts.decompressor(needed)
            .decompressByteArray(out, 0, rawLength, encoded, 0, encoded.length);
      } catch (ZstdException e) {
        throw new DataCorruptionException(
            "zstd payload of " + encoded.length + " bytes does not decode to " + rawLength
                + " bytes: " + e.getMessage(), e);
      }
      if (produced != rawLength) {
        throw new DataCorruptionException(
            "zstd payload decoded to " + produced + " bytes, expected " + rawLength);
      }
      return out;
    } finally {
      Reference.reachabilityFence(contexts);
    }
  }

  /**
   * Trains a dictionary with zstd's default trainer (fast COVER).
   *
   * @throws IllegalArgumentException if there are no samples, {@code maxBytes} is below 256, or
   *     zstd cannot train from these samples (too few or too small)
   */
  @Override
  public byte[] trainDictionary(List<byte[]> samples, int maxBytes) {
    Objects.requireNonNull(samples, "samples");
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("samples must not be empty");
    }
    if (maxBytes < MIN_DICTIONARY_BYTES) {
      throw new IllegalArgumentException(
          "maxBytes must be at least " + MIN_DICTIONARY_BYTES + ", got " + maxBytes);
    }
    byte[][] array = new byte[samples.size()][];
    long total = 0;
    for (int i = 0; i < array.length; i++) {
      array[i] = Objects.requireNonNull(samples.get(i), "samples[" + i + "]");
      total += array[i].length;
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("samples total " + total + " bytes; at most 2 GiB");
    }
    byte[] dictionary = new byte[maxBytes];
    long size;
    try {
      size = Zstd.trainFromBuffer(array, dictionary);
    } catch (ZstdException e) {
      throw cannotTrain(samples.size(), total, e.getMessage(), e);
    }
    if (Zstd.isError(size)) {
      throw cannotTrain(samples.size(), total, Zstd.getErrorName(size), null);
    }
    return Arrays.copyOf(dictionary, (int) size);
  }

  /**
   * A codec at the same level that compresses with {@code dictionary}.
   *
   * @throws IllegalArgumentException if {@code dictionary} is not a zstd dictionary (no magic
   *     number or dictionary id; raw-content dictionaries are not accepted because their frames
   *     could not be told apart from plain ones)
   * @throws DataCorruptionException if it has the zstd dictionary magic but zstd rejects its
   *     content
   */
  @Override
  public Codec withDictionary(byte[] dictionary) {
    Objects.requireNonNull(dictionary, "dictionary");
    long id = Zstd.getDictIdFromDict(dictionary) & 0xFFFF_FFFFL;
    if (id == 0) {
      throw new IllegalArgumentException(
          "dictionary of " + dictionary.length
              + " bytes is not a zstd dictionary (no magic number or id); use trainDictionary");
    }
    byte[] copy = dictionary.clone();
    try (ZstdDictDecompress check = new ZstdDictDecompress(copy)) {
      Objects.requireNonNull(check);
    } catch (ZstdException | IllegalStateException e) {
      throw new DataCorruptionException(
          "zstd dictionary " + id + " of " + copy.length + " bytes is corrupted: " + e.getMessage(),
          e);
    }
    return new ZstdCodec(level, new ZstdDictionary(copy, id, level));
  }

  @Override
  public String toString() {
    return "zstd(level " + level + (dictionary == null ? "" : ", " + dictionary) + ")";
  }

  /**
   * The dictionary a frame needs: none if it declares none (a dictionary codec still reads plain
   * frames), this codec's if the ids match.
   */
  private ZstdDictionary dictionaryFor(long frameDictionaryId) {
    if (frameDictionaryId == 0) {
      return null;
    }
    if (dictionary == null) {
      throw new DataCorruptionException(
          "zstd frame needs dictionary " + frameDictionaryId + " but this codec has none");
    }
    if (dictionary.id() != frameDictionaryId) {
      throw new DataCorruptionException(
          "zstd frame needs dictionary " + frameDictionaryId + " but this codec has "
              + dictionary.id());
    }
    return dictionary;
  }

  /** {@code ZSTD_COMPRESSBOUND}, computed here to skip a JNI call. */
  static int compressBound(int n) {
    int margin = n < (128 << 10) ? ((128 << 10) - n) >>> 11 : 0;
    return n + (n >>> 8) + margin;
  }

  private static IllegalArgumentException cannotTrain(
      int count, long total, String reason, Throwable cause) {
    return new IllegalArgumentException(
        "zstd cannot train a dictionary from " + count + " samples of " + total
            + " bytes in total (" + reason + "); use more or larger samples",
        cause);
  }
}
