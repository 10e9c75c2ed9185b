package dev.cairn.backend.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: options that opened a SQLite store without a word — a misspelt, miscased or
 * unprefixed key, another backend's key, a bad value — are refused, naming the key.
 */
final class SqliteOptionsTest {

  private static final String KNOWN = "known options: [sqlite.readers, sqlite.poolTimeoutMs,"
      + " sqlite.writerTimeoutMs, sqlite.busyTimeoutMs, sqlite.cacheSizeKb,"
      + " sqlite.mmapSizeBytes, sqlite.pageSize]";

  @TempDir Path tmp;

  private StorageBuilder sqlite(String key, String value) {
    return Storage.builder().directory(tmp.resolve("store")).backend("sqlite")
        .noScheduledMaintenance().backendOption(key, value);
  }

  private void assertRefused(String key, String value, String message) {
    assertThatThrownBy(sqlite(key, value)::open)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
    assertThat(tmp.resolve("store")).as("refused before anything is created").doesNotExist();
  }

  @Test
  void aMisspeltPrefixIsRefused() {
    assertRefused("sqllite.readers", "2", "unknown option 'sqllite.readers' for backend sqlite;"
        + " did you mean 'sqlite.readers'? " + KNOWN);
  }

  @Test
  void aKeyInCapitalsIsRefused() {
    assertRefused("SQLITE.READERS", "2", "unknown option 'SQLITE.READERS' for backend sqlite;"
        + " did you mean 'sqlite.readers'? " + KNOWN);
  }

  @Test
  void aKeyWithoutThePrefixIsRefused() {
    assertRefused("readers", "2",
        "unknown option 'readers' for backend sqlite; did you mean 'sqlite.readers'? " + KNOWN);
  }

  @Test
  void optionsOfOtherBackendsAreRefused() {
    assertRefused("postgres.url", "jdbc:postgresql://db/app",
        "unknown option 'postgres.url' for backend sqlite; " + KNOWN);
    assertRefused("lmdb.mapSizeMax", "1g",
        "unknown option 'lmdb.mapSizeMax' for backend sqlite; " + KNOWN);
  }

  @Test
  void aMisspeltNameIsRefused() {
    assertRefused("sqlite.cacheSizeKB", "1024", "unknown option 'sqlite.cacheSizeKB' for backend"
        + " sqlite; did you mean 'sqlite.cacheSizeKb'? " + KNOWN);
  }

  @Test
  void badValuesAreRefusedSayingWhatIsAllowed() {
    assertRefused("sqlite.readers", "0",
        "invalid option for backend sqlite: sqlite.readers=0 must be between 1 and 64");
    assertRefused("sqlite.pageSize", "5000",
        "invalid option for backend sqlite: sqlite.pageSize=5000 must be a power of two");
    assertRefused("sqlite.busyTimeoutMs", "soon", "invalid option for backend sqlite:"
        + " sqlite.busyTimeoutMs=soon must be a whole number (k, m, g suffixes allowed)"
        + " between 0 and 2147483647");
  }

  @Test
  void everyOptionOfTheReadmeOpensAStore() {
    StorageBuilder b = Storage.builder().directory(tmp.resolve("store")).backend("sqlite")
        .noScheduledMaintenance();
    SqliteOptions.DECLARATION.options().forEach(o -> b.backendOption(o.key(), o.defaultText()));
    try (Storage s = b.open()) {
      s.put("c", "k", "v");
    }
  }
}
