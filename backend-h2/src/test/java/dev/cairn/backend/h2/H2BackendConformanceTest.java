package dev.cairn.backend.h2;

import dev.cairn.backend.h2.H2BackendProvider;
import dev.cairn.conformance.BackendConformanceKit;
import dev.cairn.storage.spi.BackendProvider;

/** The built-in h2 backend against the backend kit. */
final class H2BackendConformanceTest extends BackendConformanceKit {
  @Override
  protected BackendProvider provider() {
    return new H2BackendProvider();
  }
}
