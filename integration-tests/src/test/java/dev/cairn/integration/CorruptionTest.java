package dev.cairn.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.conformance.CorruptionChecker;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link CorruptionChecker} on every built-in backend with the identity and zstd codecs: 100
 * seeded random single-byte flips plus up to 40 targeted ones (inside inline values, raw and
 * compressed blobs, the large value and record keys) in the real database files, each on a copy.
 */
@Tag("slow")
final class CorruptionTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}/{1}")
  @CsvSource({
      "sqlite, identity", "sqlite, zstd",
      "lmdb,   identity", "lmdb,   zstd",
      "h2,     identity", "h2,     zstd",
  })
  void flippedBytesAreDetectedAndNeverReadBackAsData(String backend, String codec) {
    CorruptionChecker.Report r = CorruptionChecker.builder(backend, dir).codec(codec)
        .randomFlips(100)
        .targetedFlips(40)
        .run(); // throws listing every violation
    System.out.println("[corruption] " + backend + "/" + codec + ": " + r);
    assertThat(r.violations()).isEmpty();
    assertThat(r.targetedValueFlips())
        .as("targeted flips inside stored values were detected; seed %d (replay with"
            + " -Dcairn.conformance.seed=%<d)", r.seed())
        .isPositive();
    assertThat(r.trialsDetected() + r.openFailed())
        .as("some flips were detected at all; seed %d (replay with"
            + " -Dcairn.conformance.seed=%<d)", r.seed())
        .isPositive();
  }
}
