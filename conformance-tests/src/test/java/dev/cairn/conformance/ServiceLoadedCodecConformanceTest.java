package dev.cairn.conformance;

import dev.cairn.storage.spi.CodecProvider;
import java.util.ServiceLoader;

/**
 * The third-party plug-in path: a codec found only through {@code META-INF/services} (this
 * module's test resources register {@link RleCodecProvider}) is checked by the kit.
 */
final class ServiceLoadedCodecConformanceTest extends CodecConformanceKit {
  @Override
  protected CodecProvider provider() {
    return ServiceLoader.load(CodecProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("kit-rle"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("kit-rle codec not found by ServiceLoader"));
  }
}
