package dev.cairn.examples.cli;

import dev.cairn.storage.Storage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "delete", description = {
    "Delete keys from a collection.",
    "Exit code 4 if a key did not exist (the others are still deleted), unless --force."})
final class DeleteCommand extends StoreCommand {

  @Parameters(index = "0", paramLabel = "COLLECTION")
  String collection;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY")
  List<String> keys;

  @Option(names = {"-f", "--force"}, description = "Absent keys are not an error.")
  boolean force;

  @Override
  public Integer call() {
    keys.forEach(k -> checkedArgument(k, "KEY"));
    List<String> deleted = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    try (Storage storage = openExisting()) {
      for (String key : keys) {
        (storage.delete(collection, key) ? deleted : missing).add(key);
      }
    }
    if (cli.json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("collection", collection);
      j.put("deleted", deleted);
      j.put("notFound", missing);
      json(j);
    } else {
      deleted.forEach(k -> out().printf("deleted %s/%s%n", collection, k));
      if (!force) {
        missing.forEach(k -> err().printf("cairn: not found: %s/%s%n", collection, k));
      }
    }
    return missing.isEmpty() || force ? CairnCli.OK : CairnCli.NOT_FOUND;
  }
}
