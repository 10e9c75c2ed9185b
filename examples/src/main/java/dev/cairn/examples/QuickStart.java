package dev.cairn.examples;

import dev.cairn.storage.Storage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Quick start in plain Java: open a store, put and get typed values, run a transaction, list
 * keys, print the statistics.
 *
 * <pre>{@code
 * java -cp examples/target/cairn.jar dev.cairn.examples.QuickStart [DIR]
 * }</pre>
 */
public final class QuickStart {

  /** A value type: any Jackson-mappable class or record works. */
  public record Player(String name, long balance) {}

  private QuickStart() {}

  /** Runs the example in {@code args[0]} (default {@code cairn-data/quickstart}). */
  public static void main(String[] args) {
    run(Path.of(args.length > 0 ? args[0] : "cairn-data/quickstart"), System.out);
  }

  /** Runs the example on the store in {@code dir} and returns Ada's final balance. */
  public static long run(Path dir, PrintStream out) {
    try (Storage storage = Storage.builder()
        .directory(dir)          // created if absent
        .backend("sqlite")       // "lmdb" or "h2": the one word that changes
        .open()) {
      storage.put("players", "p-1", new Player("Ada", 100));
      storage.put("players", "p-2", new Player("Grace", 50));
      Optional<Player> ada = storage.get("players", "p-1", Player.class);
      out.println("read back: " + ada.orElseThrow());

      // atomic over any number of collections: all of it is kept, or none
      storage.useTransaction(tx -> {
        Player a = tx.get("players", "p-1", Player.class).orElseThrow();
        tx.put("players", "p-1", new Player(a.name(), a.balance() - 10));
        tx.put("ledger", "t-1", Map.of("from", "p-1", "amount", 10));
      });

      try (Stream<String> keys = storage.keys("players", "p-")) {   // lazily paged
        keys.forEach(k -> out.println("key: " + k));
      }
      out.println("collections: " + storage.collections());
      out.println(storage.stats());
      return storage.get("players", "p-1", Player.class).orElseThrow().balance();
    }
  }
}
