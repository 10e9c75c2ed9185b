package dev.cairn.storage.spi;

import java.util.List;

/**
 * A thread-safe compressor. The engine keeps an encoding only if it saves enough; otherwise the
 * value is stored with the identity codec.
 */
public interface Codec {

  /** Same as the provider's id. */
  byte id();

  /** Same as the provider's name. */
  String name();

  /** Compresses {@code raw}. */
  byte[] encode(byte[] raw);

  /**
   * Decompresses {@code encoded} into exactly {@code rawLength} bytes. Never allocates more than
   * {@code rawLength} bytes for the output.
   *
   * @throws dev.cairn.storage.DataCorruptionException if the input is truncated, corrupted or
   *     does not decode to exactly {@code rawLength} bytes
   */
  byte[] decode(byte[] encoded, int rawLength);

  /**
   * Trains a dictionary of at most {@code maxBytes} from sample values (only with
   * {@link Capability#DICTIONARIES}).
   */
  default byte[] trainDictionary(List<byte[]> samples, int maxBytes) {
    throw new UnsupportedOperationException(name() + " does not support dictionaries");
  }

  /**
   * A codec of the same id that compresses with {@code dictionary} (only with
   * {@link Capability#DICTIONARIES}). Values it encodes decode only with the same dictionary.
   */
  default Codec withDictionary(byte[] dictionary) {
    throw new UnsupportedOperationException(name() + " does not support dictionaries");
  }
}
