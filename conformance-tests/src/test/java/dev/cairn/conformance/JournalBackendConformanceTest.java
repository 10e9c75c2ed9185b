package dev.cairn.conformance;

import dev.cairn.storage.spi.BackendProvider;

/**
 * The journal fixture of the power-loss self-test passes the backend kit: when the power-loss
 * harness rejects its broken variants, the only defect is the one they were given.
 */
final class JournalBackendConformanceTest extends BackendConformanceKit {

  @Override
  protected BackendProvider provider() {
    return new JournalBackendProvider();
  }
}
