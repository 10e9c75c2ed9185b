package dev.cairn.examples;

import dev.cairn.storage.AsyncStorage;
import dev.cairn.storage.Storage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * The async API: every operation as a {@link CompletableFuture}, run on the store's bounded
 * executor ({@code asyncThreads}, {@code asyncQueueCapacity}); a full queue runs the task in the
 * caller (back-pressure, not unbounded memory). Futures fail with the same exceptions the
 * synchronous methods throw.
 */
public final class AsyncExample {

  /** A bet; any Jackson-mappable type works with the async API too. */
  public record Bet(String player, long cents) {}

  private AsyncExample() {}

  /** Runs the example in {@code args[0]} (default {@code cairn-data/async}). */
  public static void main(String[] args) {
    run(Path.of(args.length > 0 ? args[0] : "cairn-data/async"), System.out);
  }

  /** Writes 100 bets concurrently, reads them back as a batch; returns the total staked. */
  public static long run(Path dir, PrintStream out) {
    try (Storage storage = Storage.builder().directory(dir).asyncThreads(4).open()) {
      AsyncStorage async = storage.async();
      List<CompletableFuture<Void>> writes = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        writes.add(async.put("bets", key(i), new Bet("p-" + (i % 7), 100 + i)));
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();

      List<String> keys = IntStream.range(0, 100).mapToObj(AsyncExample::key).toList();
      CompletableFuture<Map<String, Bet>> all = async.getAll("bets", keys, Bet.class);
      long total = all.thenApply(bets -> bets.values().stream().mapToLong(Bet::cents).sum()).join();
      out.printf("100 bets written concurrently; total staked %d cents%n", total);

      // failures arrive through the future, not as a thrown exception
      async.get("bad collection name!", "k", String.class)
          .exceptionally(e -> {
            out.println("async error: " + e.getCause().getMessage());
            return java.util.Optional.empty();
          })
          .join();
      return total;
    }
  }

  private static String key(int i) {
    return String.format("bet-%04d", i);
  }
}
