package dev.cairn.backend.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression: H2 options that were ignored or worded their own way are refused alike. */
final class H2OptionsTest {

  private static final String KNOWN = "known options: [h2.writerTimeoutMs, h2.cacheSizeMb,"
      + " h2.asyncFlushMs, h2.compress, h2.compactTimeMs]";

  @TempDir Path tmp;

  private StorageBuilder h2() {
    return Storage.builder().directory(tmp.resolve("store")).backend("h2").noScheduledMaintenance();
  }

  private void assertRefused(StorageBuilder b, String message) {
    assertThatThrownBy(b::open).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    assertThat(tmp.resolve("store")).as("refused before anything is created").doesNotExist();
  }

  @Test
  void aMiscasedKeyIsRefusedWithASuggestion() {
    assertRefused(h2().backendOption("h2.cacheSizeMB", "8"),
        "unknown option 'h2.cacheSizeMB' for backend h2; did you mean 'h2.cacheSizeMb'? " + KNOWN);
  }

  @Test
  void anotherBackendsOptionIsRefused() {
    assertRefused(h2().backendOption("sqlite.readers", "2"),
        "unknown option 'sqlite.readers' for backend h2; " + KNOWN);
  }

  @Test
  void badValuesAreReportedTogether() {
    assertRefused(h2().backendOption("h2.compress", "maybe").backendOption("h2.cacheSizeMb", "-1"),
        "invalid option for backend h2: h2.cacheSizeMb=-1 must be between 0 and 1m\n"
            + "invalid option for backend h2: h2.compress=maybe must be true or false");
  }

  @Test
  void everyDeclaredDefaultOpensAStore() {
    StorageBuilder b = h2();
    H2Options.DECLARATION.options().forEach(o -> b.backendOption(o.key(), o.defaultText()));
    try (Storage s = b.open()) {
      s.put("c", "k", "v");
    }
  }
}
