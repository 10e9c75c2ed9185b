package dev.cairn.examples.cli;

import dev.cairn.storage.KeyRange;
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
    "List the collections, or the keys of COLLECTION (in UTF-8 order).",
    "Examples: cairn ls   |   cairn ls bets --prefix bet-00001 --limit 20",
    "          cairn ls bets --from bet-00100 --to bet-00200   |   cairn ls bets --reverse -n 5"})
final class LsCommand extends StoreCommand {

  @Parameters(index = "0", arity = "0..1", paramLabel = "COLLECTION", description = "List this collection's keys.")
  String collection;

  @Option(names = {"-p", "--prefix"}, paramLabel = "PREFIX", description = "Only keys starting with PREFIX.")
  String prefix = "";

  @Option(names = "--from", paramLabel = "KEY", description = "Only keys at or after KEY.")
  String from;

  @Option(names = "--to", paramLabel = "KEY", description = "Only keys before KEY (KEY itself excluded).")
  String to;

  @Option(names = {"-r", "--reverse"}, description = "Greatest key first.")
  boolean reverse;

  @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "At most N keys (default: all).")
  long limit = Long.MAX_VALUE;

  @Override
  public Integer call() {
    if (collection == null && !prefix.isEmpty()) {
      throw CliException.usage("--prefix needs a COLLECTION: cairn ls COLLECTION --prefix " + prefix);
    }
    if (collection == null && (from != null || to != null || reverse)) {
      throw CliException.usage("--from, --to and --reverse need a COLLECTION: cairn ls COLLECTION"
          + " --from KEY --to KEY --reverse");
    }
    if (!prefix.isEmpty() && (from != null || to != null)) {
      throw CliException.usage("--prefix cannot be combined with --from or --to");
    }
    checkedArgument(prefix, "--prefix");
    if (limit < 0) {
      throw CliException.usage("--limit must not be negative, got " + limit);
    }
    KeyRange range = collection == null ? null : range();
    try (Storage storage = openExisting()) {
      return collection == null ? collections(storage) : keys(storage, range);
    }
  }

  /** The range the options ask for; bad bounds are usage errors (exit 2), before any store opens. */
  private KeyRange range() {
    if (from != null) {
      checkedArgument(from, "--from");
    }
    if (to != null) {
      checkedArgument(to, "--to");
    }
    KeyRange r;
    if (!prefix.isEmpty()) {
      r = KeyRange.prefix(prefix);
    } else if (from != null && to != null) {
      r = KeyRange.between(from, to);
    } else if (from != null) {
      r = KeyRange.from(from);
    } else {
      r = to != null ? KeyRange.to(to) : KeyRange.all();
    }
    r = reverse ? r.reversed() : r;
    return limit == Long.MAX_VALUE ? r : r.limit(limit);
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

  private int keys(Storage storage, KeyRange range) {
    List<String> keys;
    try (Stream<String> s = storage.keys(collection, range)) {
      keys = s.toList();
    }
    if (cli.json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("collection", collection);
      j.put("prefix", prefix);
      j.put("from", from);
      j.put("to", to);
      j.put("reverse", reverse);
      j.put("keys", keys);
      json(j);
    } else {
      keys.forEach(out()::println);
    }
    return CairnCli.OK;
  }
}
