package dev.cairn.examples.cli;

import dev.cairn.examples.CasinoDemo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", description = {
    "Run the demo: a casino ledger with savings, a transaction, a backup, stats.",
    "Stores players, rounds, bets and payouts; shows deduplication and compression savings,",
    "a balance transfer in a transaction (and a refused one), a backup,",
    "statistics and a maintenance report. The store (default cairn-data/demo, backend sqlite)",
    "is wiped first; only a new, empty or earlier demo directory is accepted."})
final class DemoCommand extends StoreCommand {

  @Option(names = "--seed", description = "Seed of the generated ledger (default: ${DEFAULT-VALUE}).")
  long seed = CasinoDemo.Options.defaults().seed();

  @Option(names = "--players", description = "Players; the other collections scale with it (default: ${DEFAULT-VALUE}).")
  int players = CasinoDemo.Options.defaults().players();

  @Override
  public Integer call() {
    if (players < 2 || players > 100_000) {
      throw CliException.usage("--players must be in 2..100000, got " + players);
    }
    if (cli.codec != null) {
      throw CliException.usage("the demo picks its codec itself (zstd when installed); drop --codec");
    }
    Path dir = cli.store != null ? cli.store : CasinoDemo.Options.defaults().directory();
    String backend = cli.backend != null ? checkedBackend(cli.backend) : "sqlite";
    var options = new CasinoDemo.Options(dir, backend, seed, players);
    if (!cli.json) {
      CasinoDemo.run(options, out());
      out().flush();
      return CairnCli.OK;
    }
    CasinoDemo.Result r = CasinoDemo.run(options, new PrintWriter(new StringWriter()));
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("directory", r.directory());
    j.put("backend", r.backend());
    j.put("codec", r.codec());
    j.put("cache", r.cache());
    j.put("seed", r.seed());
    j.put("recordsPerCollection", r.recordsPerCollection());
    j.put("records", r.records());
    j.put("rawJsonBytes", r.rawJsonBytes());
    j.put("lookups", r.lookups());
    j.put("transfers", r.transfers());
    j.put("negativeBalances", r.negativeBalances());
    j.put("backup", r.backup());
    j.put("stats", Json.stats(r.stats()));
    j.put("maintenance", Json.maintenance(r.maintenance()));
    j.put("elapsedMillis", r.elapsedMillis());
    json(j);
    return CairnCli.OK;
  }
}
