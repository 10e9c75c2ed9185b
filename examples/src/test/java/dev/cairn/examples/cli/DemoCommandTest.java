package dev.cairn.examples.cli;

import static dev.cairn.examples.cli.Cli.cairn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class DemoCommandTest {

  @TempDir
  Path tmp;

  @Test
  void demoPrintsTheLedgerSummarySavingsAndStats() {
    Cli.Run run = cairn("demo", "--store", tmp.resolve("demo").toString(), "--players", "30");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("casino ledger on sqlite", "players", "bets", "payouts",
        "saved by deduplication", "saved by compression", "cache hit rate", "Maintenance");
  }

  @Test
  void demoWithJsonIsMachineReadable() throws IOException {
    Cli.Run run = cairn("--json", "demo", "--store", tmp.resolve("demo").toString(), "--players", "30",
        "--backend", "h2");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonNode j = new ObjectMapper().readTree(run.out());
    assertThat(j.get("backend").asText()).isEqualTo("h2");
    assertThat(j.at("/recordsPerCollection/players").asLong()).isEqualTo(30);
    assertThat(j.at("/transfers/0/committed").asBoolean()).isTrue();
    assertThat(j.at("/transfers/1/committed").asBoolean()).isFalse();
    assertThat(j.at("/stats/bytesSavedByDedup").asLong()).isPositive();
    assertThat(j.at("/maintenance/successful").asBoolean()).isTrue();
    assertThat(j.at("/stats/maintenanceRuns").asLong()).isEqualTo(1);
    assertThat(java.time.Instant.parse(j.at("/stats/lastMaintenance").asText()))
        .as("the optional time as an ISO string").isNotNull();
    assertThat(j.get("backup").asText()).matches("\\d{8}T\\d{9}Z-[0-9a-f]{12}");
  }

  @Test
  void theDemosStoreCanBeBrowsedAfterwards() {
    String store = tmp.resolve("demo").toString();
    cairn("demo", "--store", store, "--players", "20");

    Cli.Run ls = cairn("--store", store, "ls");
    Cli.Run get = cairn("--store", store, "get", "players", "player-0001");

    assertThat(ls.out()).contains("round-paytables", "wallets");
    assertThat(get.out()).contains("\"id\":\"player-0001\"");
  }

  @Test
  void demoWithAnUnknownBackendIsOneLine() {
    Cli.Run run = cairn("demo", "--store", tmp.resolve("demo").toString(), "--backend", "oracle");

    assertThat(run.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).contains("unknown backend 'oracle'; available:");
  }
}
