package dev.cairn.examples;

import dev.cairn.conformance.CodecConformanceKit;
import dev.cairn.storage.spi.CodecProvider;

/** The example's third-party codec passes the conformance kit, as a plugin author would run it. */
final class RunLengthCodecConformanceTest extends CodecConformanceKit {
  @Override
  protected CodecProvider provider() {
    return new RunLengthCodecProvider();
  }
}
