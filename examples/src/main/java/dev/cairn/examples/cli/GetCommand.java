package dev.cairn.examples.cli;

import dev.cairn.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", description = {
    "Print the value of COLLECTION KEY.",
    "Text is printed as is; binary values need --output FILE (or --json, which gives base64)."})
final class GetCommand extends StoreCommand {

  @Parameters(index = "0", paramLabel = "COLLECTION")
  String collection;

  @Parameters(index = "1", paramLabel = "KEY")
  String key;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the exact bytes to FILE.")
  Path output;

  @Option(names = {"-m", "--meta"}, description = "Print the record's metadata instead of its value.")
  boolean meta;

  @Override
  public Integer call() {
    checkedArgument(key, "KEY");
    try (Storage storage = openExisting()) {
      Optional<byte[]> value = storage.getBytes(collection, key);
      if (value.isEmpty()) {
        throw new CliException(CairnCli.NOT_FOUND, "not found: " + collection + "/" + key);
      }
      byte[] bytes = value.get();
      var metadata = storage.metadata(collection, key).orElseThrow();
      if (output != null) {
        write(output, bytes);
      }
      if (cli.json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("collection", collection);
        j.put("key", key);
        if (!meta && output == null) {
          Optional<String> text = utf8(bytes);
          var tree = Json.parse(bytes);
          if (tree.isPresent()) {
            j.put("value", tree.get());
          } else if (text.isPresent()) {
            j.put("text", text.get());
          } else {
            j.put("base64", Base64.getEncoder().encodeToString(bytes));
          }
        }
        j.put("metadata", Json.metadata(metadata));
        json(j);
      } else if (meta) {
        Json.metadata(metadata).forEach((k, v) -> out().printf("%-15s %s%n", k, v));
      } else if (output != null) {
        out().printf("wrote %s to %s%n", Fmt.bytes(bytes.length), output);
      } else {
        String text = utf8(bytes).orElseThrow(() -> CliException.usage(collection + "/" + key
            + " is binary (" + bytes.length + " bytes): use --output FILE or --json"));
        out().print(text);
        if (!text.endsWith("\n")) {
          out().println();
        }
        out().flush();
      }
    }
    return CairnCli.OK;
  }

  private static Optional<String> utf8(byte[] bytes) {
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
