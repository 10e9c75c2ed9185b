package dev.cairn.codec.snappy;

import dev.cairn.conformance.CodecConformanceKit;
import dev.cairn.storage.spi.CodecProvider;

/** The built-in snappy codec against the codec kit. */
final class SnappyCodecConformanceTest extends CodecConformanceKit {
  @Override
  protected CodecProvider provider() {
    return new SnappyCodecProvider();
  }
}
