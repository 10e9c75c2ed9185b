package dev.cairn.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.spi.BackendConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: PostgreSQL options that were ignored or worded their own way are refused alike,
 * before any connection is attempted (no server needed).
 */
final class PostgresOptionsTest {

  private static final String KNOWN = "known options: [postgres.url, postgres.user,"
      + " postgres.passwordEnv, postgres.schema, postgres.poolSize, postgres.writePoolSize,"
      + " postgres.connectTimeoutMs]";
  private static final String URL = "jdbc:postgresql://127.0.0.1:1/app";

  @TempDir Path tmp;

  private StorageBuilder postgres() {
    return Storage.builder().directory(tmp.resolve("store")).backend("postgres")
        .noScheduledMaintenance();
  }

  private void assertRefused(StorageBuilder b, String message) {
    assertThatThrownBy(b::open).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void aMiscasedKeyIsRefusedWithASuggestion() {
    assertRefused(postgres().backendOption("postgres.URL", URL),
        "unknown option 'postgres.URL' for backend postgres; did you mean 'postgres.url'? " + KNOWN);
  }

  @Test
  void aKeyWithoutItsPrefixIsRefusedWithASuggestion() {
    assertRefused(postgres().backendOption("postgres.url", URL).backendOption("poolSize", "4"),
        "unknown option 'poolSize' for backend postgres; did you mean 'postgres.poolSize'? "
            + KNOWN);
  }

  @Test
  void anotherBackendsOptionIsRefused() {
    assertRefused(postgres().backendOption("postgres.url", URL).backendOption("sqlite.readers", "2"),
        "unknown option 'sqlite.readers' for backend postgres; " + KNOWN);
  }

  @Test
  void badValuesAreReportedTogetherWithoutEchoingAPassword() {
    assertRefused(postgres().backendOption("postgres.url", URL + "?password=hunter2")
            .backendOption("postgres.schema", "Bad-Name").backendOption("postgres.poolSize", "0"),
        "invalid option for backend postgres: postgres.url=" + URL + "?… must not carry a"
            + " password; put it in the environment variable named by postgres.passwordEnv"
            + " (default PGPASSWORD)\n"
            + "invalid option for backend postgres: postgres.schema=Bad-Name must match"
            + " [a-z_][a-z0-9_]{0,62}\n"
            + "invalid option for backend postgres: postgres.poolSize=0 must be between 1 and 1k");
  }

  @Test
  void aMissingUrlIsReportedInTheSameFormat() {
    String missing = "invalid option for backend postgres: postgres.url (not set) is required"
        + " unless the directory holds a postgres.properties (e.g."
        + " jdbc:postgresql://db.example:5432/app)";
    assertRefused(postgres(), missing);
    assertThat(tmp.resolve("store").resolve("postgres.properties")).doesNotExist();

    // the backend itself, which knows the directory, reports it with the declared checks
    BackendConfig config = new BackendConfig(tmp.resolve("direct"), Set.of("records"),
        Map.of("postgres.writePoolSize", "0"));
    assertThatThrownBy(() -> new PostgresBackendProvider().open(config))
        .hasMessage("invalid option for backend postgres: postgres.writePoolSize=0 must be"
            + " between 1 and 1k\n" + missing);
  }
}
