package dev.cairn.codec.zstd;

import dev.cairn.conformance.CodecConformanceKit;
import dev.cairn.storage.spi.CodecProvider;

/** The built-in zstd codec against the codec kit. */
final class ZstdCodecConformanceTest extends CodecConformanceKit {
  @Override
  protected CodecProvider provider() {
    return new ZstdCodecProvider();
  }
}
