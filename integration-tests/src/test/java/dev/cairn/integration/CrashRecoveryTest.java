package dev.cairn.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.conformance.CrashHarness;
import dev.cairn.storage.Durability;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link CrashHarness} on every built-in backend with zstd, so that compressed blobs cross the
 * kills too: GROUP with three concurrent writer threads, 12 cycles. (SYNC and GROUP with the
 * identity codec run in every backend's kit subclass: the backend kit's "crash recovery" group.)
 */
@Tag("slow")
final class CrashRecoveryTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}/{1}/{2} x{3} threads, {4} cycles")
  @CsvSource({
      "sqlite, zstd,     GROUP, 3, 12",
      "lmdb,   zstd,     GROUP, 3, 12",
      "h2,     zstd,     GROUP, 3, 12",
  })
  void acknowledgedWritesSurviveSigkillAndNothingPartialIsVisible(
      String backend, String codec, Durability durability, int threads, int cycles) {
    CrashHarness.Report report = CrashHarness.builder(backend, dir.resolve("store"))
        .codec(codec)
        .durability(durability)
        .writerThreads(threads)
        .cycles(cycles)
        .run();
    assertThat(report.cycles()).isEqualTo(cycles);
    assertThat(report.acknowledged())
        .as("every cycle acknowledged at least 20 steps; seed %d (replay with"
            + " -Dcairn.conformance.seed=%<d)", report.seed())
        .isGreaterThanOrEqualTo(20L * cycles);
    assertThat(report.committed()).isGreaterThanOrEqualTo(report.acknowledged());
    assertThat(report.committed() - report.acknowledged())
        .as("at most one step per thread and cycle was in flight")
        .isLessThanOrEqualTo((long) threads * cycles);
    // the killed children's temporary files (their native libraries) went with them
    assertThat(dir.resolve("store-child-tmp")).doesNotExist();
  }
}
