package dev.cairn.conformance;

import dev.cairn.storage.internal.IdentityCodecProvider;
import dev.cairn.storage.spi.CodecProvider;

/** The built-in identity codec (id 0) passes the codec kit. */
final class IdentityCodecConformanceTest extends CodecConformanceKit {
  @Override
  protected CodecProvider provider() {
    return new IdentityCodecProvider();
  }
}
