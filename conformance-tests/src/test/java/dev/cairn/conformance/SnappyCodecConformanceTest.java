package dev.cairn.conformance;

import dev.cairn.codec.snappy.SnappyCodecProvider;
import dev.cairn.storage.spi.CodecProvider;

/** The built-in snappy codec against the codec kit. */
final class SnappyCodecConformanceTest extends CodecConformanceKit {
  @Override
  protected CodecProvider provider() {
    return new SnappyCodecProvider();
  }
}
