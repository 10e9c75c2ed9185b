package dev.cairn.examples.cli;

import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "put", description = {
    "Store a value under COLLECTION KEY (creates the store if absent).",
    "The value is the VALUE argument, the contents of --file, or stdin with '-'.",
    "Bytes are stored as given."})
final class PutCommand extends StoreCommand {

  @Parameters(index = "0", paramLabel = "COLLECTION", description = "Collection name ([A-Za-z0-9_.-]{1,64}).")
  String collection;

  @Parameters(index = "1", paramLabel = "KEY", description = "Key (1-256 UTF-8 bytes).")
  String key;

  @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE", description = "The value; '-' reads stdin.")
  String value;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the value from FILE.")
  Path file;

  @Override
  public Integer call() {
    checkedArgument(key, "KEY");
    byte[] bytes = value();
    try (Storage storage = openOrCreate()) {
      storage.putBytes(collection, key, bytes);
      RecordMetadata m = storage.metadata(collection, key).orElseThrow();
      if (cli.json) {
        json(Json.metadata(m));
      } else {
        out().printf("stored %s/%s: %s as %s (%s%s)%n", collection, key, Fmt.bytes(m.rawLength()),
            Fmt.bytes(m.storedLength()), m.codec(), m.deduplicated() ? ", shared" : ", in its record");
      }
    }
    return CairnCli.OK;
  }

  private byte[] value() {
    if ((value == null) == (file == null)) {
      throw CliException.usage(
          "give the value as an argument, with --file FILE, or '-' to read stdin (exactly one)");
    }
    try {
      if (file != null) {
        return Files.readAllBytes(file);
      }
      if (value.equals("-")) {
        return cli.stdin.readAllBytes();
      }
      // bytes that were not valid text on the command line arrive as U+FFFD: not "as given"
      return checkedArgument(value, "VALUE", "; give binary values with --file or '-'")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
