package dev.cairn.backend.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression: LMDB options that were ignored or worded their own way are refused alike. */
final class LmdbOptionsTest {

  private static final String KNOWN = "known options: [lmdb.mapSize, lmdb.mapSizeMax,"
      + " lmdb.maxReaders, lmdb.writerTimeoutMs, lmdb.readTxnPoolSize, lmdb.fullCheckMaxBytes]";

  @TempDir Path tmp;

  private StorageBuilder lmdb() {
    return Storage.builder().directory(tmp.resolve("store")).backend("lmdb")
        .noScheduledMaintenance();
  }

  private void assertRefused(StorageBuilder b, String message) {
    assertThatThrownBy(b::open).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    assertThat(tmp.resolve("store")).as("refused before anything is created").doesNotExist();
  }

  @Test
  void aMiscasedKeyIsRefusedWithASuggestion() {
    assertRefused(lmdb().backendOption("lmdb.mapsizemax", "1g"), "unknown option"
        + " 'lmdb.mapsizemax' for backend lmdb; did you mean 'lmdb.mapSizeMax'? " + KNOWN);
  }

  @Test
  void anotherBackendsOptionIsRefused() {
    assertRefused(lmdb().backendOption("sqlite.readers", "2"),
        "unknown option 'sqlite.readers' for backend lmdb; " + KNOWN);
  }

  @Test
  void badValuesAndBrokenRulesAreReportedTogether() {
    assertRefused(lmdb().backendOption("lmdb.mapSize", "100k").backendOption("lmdb.maxReaders", "8")
            .backendOption("lmdb.writerTimeoutMs", "soon"),
        "invalid option for backend lmdb: lmdb.mapSize=100k must be at least 256k\n"
            + "invalid option for backend lmdb: lmdb.writerTimeoutMs=soon must be a whole number"
            + " (k, m, g suffixes allowed) at least 0\n"
            + "invalid option for backend lmdb: lmdb.readTxnPoolSize=16 (the default) must not"
            + " be above lmdb.maxReaders (8)");
    assertRefused(lmdb().backendOption("lmdb.mapSize", "2g").backendOption("lmdb.mapSizeMax", "1g"),
        "invalid option for backend lmdb: lmdb.mapSizeMax=1g must not be below lmdb.mapSize (2g)");
  }

  @Test
  void everyDeclaredDefaultOpensAStore() {
    StorageBuilder b = lmdb();
    LmdbOptions.DECLARATION.options().forEach(o -> b.backendOption(o.key(), o.defaultText()));
    try (Storage s = b.open()) {
      s.put("c", "k", "v");
    }
  }
}
