package dev.cairn.examples;

import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.Storage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Using a third-party codec: {@link RunLengthCodecProvider} is registered explicitly with
 * {@code codec(provider)}, which also selects it for new writes. Records keep the codec's id, so
 * reopening the store needs the provider again ({@code registerCodec} to read without writing
 * with it).
 */
public final class CodecPluginExample {

  private CodecPluginExample() {}

  /** Runs the example in {@code args[0]} (default {@code cairn-data/codec-plugin}). */
  public static void main(String[] args) {
    run(Path.of(args.length > 0 ? args[0] : "cairn-data/codec-plugin"), System.out);
  }

  /** Stores a run-heavy value with the plugin codec and returns its metadata. */
  public static RecordMetadata run(Path dir, PrintStream out) {
    byte[] value = ("header:" + "=".repeat(2000) + ":" + "0".repeat(2000))
        .getBytes(StandardCharsets.US_ASCII);
    try (Storage storage = Storage.builder()
        .directory(dir)
        .codec(new RunLengthCodecProvider())   // explicit registration, no META-INF/services
        .open()) {
      storage.putBytes("reports", "r-1", value);
    }
    try (Storage storage = Storage.builder()
        .directory(dir)
        .registerCodec(new RunLengthCodecProvider())   // needed to read what it wrote
        .open()) {
      byte[] back = storage.getBytes("reports", "r-1").orElseThrow();
      RecordMetadata meta = storage.metadata("reports", "r-1").orElseThrow();
      out.printf("%d bytes stored as %d with codec %s; read back intact: %b%n",
          meta.rawLength(), meta.storedLength(), meta.codec(), java.util.Arrays.equals(back, value));
      return meta;
    }
  }
}
