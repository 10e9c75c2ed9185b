package dev.cairn.examples.cli;

import dev.cairn.storage.Storage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ls", description = {
    "List the collections, or the keys of COLLECTION.",
    "Examples: cairn ls   |   cairn ls bets --prefix bet-00001 --limit 20"})
final class LsCommand extends StoreCommand {

  @Parameters(index = "0", arity = "0..1", paramLabel = "COLLECTION", description = "List this collection's keys.")
  String collection;

  @Option(names = {"-p", "--prefix"}, paramLabel = "PREFIX", description = "Only keys starting with PREFIX.")
  String prefix = "";

  @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "At most N keys (default: all).")
  long limit = Long.MAX_VALUE;

  @Override
  public Integer call() {
    if (collection == null && !prefix.isEmpty()) {
      throw CliException.usage("--prefix needs a COLLECTION: cairn ls COLLECTION --prefix " + prefix);
    }
    checkedArgument(prefix, "--prefix");
    if (limit < 0) {
      throw CliException.usage("--limit must not be negative, got " + limit);
    }
    try (Storage storage = openExisting()) {
      return collection == null ? collections(storage) : keys(storage);
    }
  }

  private int collections(Storage storage) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String c : storage.collections()) {
      counts.put(c, storage.count(c));
    }
    if (cli.json) {
      List<Map<String, Object>> list = new ArrayList<>();
      counts.forEach((c, n) -> list.add(Map.of("name", c, "records", n)));
      json(Map.of("collections", list));
    } else if (counts.isEmpty()) {
      out().println("(no collections)");
    } else {
      int width = counts.keySet().stream().mapToInt(String::length).max().orElse(10);
      counts.forEach((c, n) -> out().printf("%-" + width + "s  %,10d%n", c, n));
    }
    return CairnCli.OK;
  }

  private int keys(Storage storage) {
    List<String> keys;
    try (Stream<String> s = storage.keys(collection, prefix)) {
      keys = s.limit(limit).toList();
    }
    if (cli.json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("collection", collection);
      j.put("prefix", prefix);
      j.put("keys", keys);
      json(j);
    } else {
      keys.forEach(out()::println);
    }
    return CairnCli.OK;
  }
}
