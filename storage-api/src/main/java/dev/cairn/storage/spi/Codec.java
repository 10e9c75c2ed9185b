package dev.cairn.storage.spi;

import java.util.List;

/**
 * A thread-safe compressor. The engine keeps an encoding only if it saves enough; otherwise the
 * value is stored with the identity codec.
 */
public interface Codec {

  /** {@return the codec's id, the same as its provider's} */
  byte id();

  /** {@return the codec's name, the same as its provider's} */
  String name();

  /**
   * Compresses {@code raw}.
   *
   * @param raw the bytes to compress; not modified
   * @return the compressed bytes
   */
  byte[] encode(byte[] raw);

  /**
   * Decompresses {@code encoded} into exactly {@code rawLength} bytes. Never allocates more than
   * {@code rawLength} bytes for the output.
   *
   * @param encoded what {@link #encode} returned
   * @param rawLength the length of the bytes that were encoded
   * @return the bytes that were encoded
   * @throws dev.cairn.storage.DataCorruptionException if the input is truncated, corrupted or
   *     does not decode to exactly {@code rawLength} bytes
   */
  byte[] decode(byte[] encoded, int rawLength);

  /**
   * Trains a dictionary of at most {@code maxBytes} from sample values (only with
   * {@link Capability#DICTIONARIES}).
   *
   * @param samples values of one collection
   * @param maxBytes the largest dictionary wanted
   * @return the dictionary
   */
  default byte[] trainDictionary(List<byte[]> samples, int maxBytes) {
    throw new UnsupportedOperationException(name() + " does not support dictionaries");
  }

  /**
   * A codec of the same id that compresses with {@code dictionary} (only with
   * {@link Capability#DICTIONARIES}). Values it encodes decode only with the same dictionary.
   *
   * @param dictionary a dictionary from {@link #trainDictionary}
   * @return a codec that uses the dictionary
   */
  default Codec withDictionary(byte[] dictionary) {
    throw new UnsupportedOperationException(name() + " does not support dictionaries");
  }
}
