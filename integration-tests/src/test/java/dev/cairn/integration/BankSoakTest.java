package dev.cairn.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bank soak on every embedded backend: {@code kill -9} during transfers on a grown store,
 * with backups and maintenance running, SYNC, GROUP and ASYNC in turn. In {@code .ci/run} it
 * runs a short version (6 cycles, a 20k-record store); {@code integration-tests/soak/run} runs
 * the long one through the same test with these properties:
 *
 * <ul>
 *   <li>{@code cairn.soak.cycles} (default 6), {@code cairn.soak.grow} (default 20000);
 *   <li>{@code cairn.soak.dir}: where the stores live (default a temporary directory);
 *   <li>{@code cairn.soak.results}: a file to which one JSON line per backend is appended;
 *   <li>{@code cairn.soak.backends}: a comma-separated subset of sqlite,lmdb,h2.
 * </ul>
 */
@Tag("slow")
final class BankSoakTest {

  private static final int CYCLES = Integer.getInteger("cairn.soak.cycles", 6);
  private static final int GROW = Integer.getInteger("cairn.soak.grow", 20_000);

  @TempDir Path temp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sqlite", "lmdb", "h2"})
  void noAcknowledgedTransferIsLostAndTheMoneyAddsUp(String backend) throws IOException {
    String only = System.getProperty("cairn.soak.backends");
    if (only != null && !java.util.List.of(only.split(",")).contains(backend)) {
      return; // not asked for in this run: the long soak picks its backends
    }
    Path root = System.getProperty("cairn.soak.dir") != null
        ? Path.of(System.getProperty("cairn.soak.dir"))
        : temp;
    Files.createDirectories(root);
    BankSoak.Report r = BankSoak.builder(backend, root.resolve(backend))
        .cycles(CYCLES)
        .growTo(GROW)
        .failFast(!SoakResults.enabled())
        .run();
    SoakResults.append(json(r));
    assertThat(r.firstProblems()).as("problems of %s", r).isEmpty();
    assertThat(r.lost()).isZero();
    assertThat(r.violations()).isZero();
    assertThat(r.acknowledgedDurable()).as("durable transfers acknowledged").isPositive();
    assertThat(r.records()).isGreaterThan(GROW);
  }

  private static String json(BankSoak.Report r) {
    return String.format(
        "{\"date\":\"%s\",\"workload\":\"bank kill -9\",\"backend\":\"%s\",\"seed\":%d,\"cycles\":%d,\"acknowledged\":%d,"
            + "\"acknowledgedDurable\":%d,\"lost\":%d,\"asyncUnsynced\":%d,\"violations\":%d,"
            + "\"records\":%d,\"storeBytes\":%d,\"seconds\":%d,\"problems\":%d}",
        Instant.now(), r.backend(), r.seed(), r.cycles(), r.acknowledged(),
        r.acknowledgedDurable(), r.lost(), r.asyncUnsynced(), r.violations(), r.records(),
        r.storeBytes(), r.elapsed().toSeconds(), r.firstProblems().size());
  }
}
