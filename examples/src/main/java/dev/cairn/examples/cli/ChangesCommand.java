package dev.cairn.examples.cli;

import dev.cairn.storage.Change;
import dev.cairn.storage.Storage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "changes", description = {
    "Print the store's change feed after position N: one line per committed put or delete,",
    "\"POSITION PUT|DELETE COLLECTION/KEY vVERSION COMMIT-TIME\", oldest first. The feed must be",
    "on (StorageBuilder.changeFeed); a position whose successors were trimmed is an error (exit 1)",
    "naming the oldest position kept.",
    "Examples: cairn changes --after 0 --limit 20   |   cairn changes --after 1200 --follow"})
final class ChangesCommand extends StoreCommand {

  @Option(names = "--after", paramLabel = "N", required = true,
      description = "Print the changes after position N (0: from the beginning).")
  long after;

  @Option(names = {"-n", "--limit"}, paramLabel = "M",
      description = "At most M changes (default: all there are; with --follow: no limit).")
  long limit = Long.MAX_VALUE;

  @Option(names = {"-f", "--follow"},
      description = "Keep waiting for new commits and print them as they come, until stopped.")
  boolean follow;

  private static final int PAGE = 1000;

  @Override
  public Integer call() throws InterruptedException {
    if (after < 0) {
      throw CliException.usage("--after must not be negative, got " + after);
    }
    if (limit <= 0) {
      throw CliException.usage("--limit must be positive, got " + limit);
    }
    try (Storage storage = openExisting()) {
      List<Map<String, Object>> collected = new ArrayList<>();
      long position = after;
      long printed = 0;
      while (printed < limit) {
        int max = (int) Math.min(PAGE, limit - printed);
        List<Change> page = follow
            ? storage.changes().poll(position, max, Duration.ofSeconds(1))
            : storage.changes().read(position, max);
        if (page.isEmpty() && !follow) {
          break;
        }
        for (Change c : page) {
          if (cli.json && !follow) {
            collected.add(asJson(c));
          } else if (cli.json) {
            json(asJson(c));
          } else {
            out().println(c.position() + " " + c.kind() + " " + c.collection() + "/" + c.key()
                + " v" + c.version() + " " + c.committed());
          }
          position = c.position();
        }
        printed += page.size();
        out().flush();
      }
      if (cli.json && !follow) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("after", after);
        j.put("head", storage.changes().head());
        j.put("changes", collected);
        json(j);
      }
    }
    return CairnCli.OK;
  }

  private static Map<String, Object> asJson(Change c) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("position", c.position());
    j.put("kind", c.kind().name());
    j.put("collection", c.collection());
    j.put("key", c.key());
    j.put("version", c.version());
    j.put("committed", c.committed().toString());
    return j;
  }
}
