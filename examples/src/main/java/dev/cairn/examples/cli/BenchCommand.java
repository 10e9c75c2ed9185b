package dev.cairn.examples.cli;

import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", description = {
    "A quick smoke benchmark: N puts, then N gets; ops/s and latency.",
    "Single-record operations with JSON-like values.",
    "Runs in a temporary store (deleted afterwards) unless --store is given; in a given store it",
    "writes the collection 'cairn-bench' and deletes it afterwards. Not a substitute for the JMH",
    "benchmarks in benchmarks/."})
final class BenchCommand extends StoreCommand {

  static final String COLLECTION = "cairn-bench";

  @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Operations of each kind (default: ${DEFAULT-VALUE}).")
  int count = 2_000;

  @Option(names = "--value-size", paramLabel = "BYTES", description = "Value size (default: ${DEFAULT-VALUE}).")
  int valueSize = 1024;

  @Option(names = "--durability", paramLabel = "MODE", description = "SYNC, GROUP or ASYNC (default: ${DEFAULT-VALUE}).")
  Durability durability = Durability.SYNC;

  @Option(names = "--seed", description = "Random seed of the values (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Override
  public Integer call() {
    if (count < 1 || valueSize < 1) {
      throw CliException.usage("--count and --value-size must be positive");
    }
    boolean temporary = cli.store == null;
    Path dir;
    try {
      dir = temporary ? Files.createTempDirectory("cairn-bench") : cli.store;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return run(dir);
    } finally {
      if (temporary) {
        deleteTree(dir);
      }
    }
  }

  private int run(Path dir) {
    List<byte[]> values = values();
    long putNanos;
    long getNanos;
    StorageStats stats;
    String backend;
    try (Storage storage = builder(dir, backendFor(dir)).durability(durability).open()) {
      backend = storage.admin().backendName();
      long t = System.nanoTime();
      for (int i = 0; i < count; i++) {
        storage.putBytes(COLLECTION, key(i), values.get(i));
      }
      putNanos = System.nanoTime() - t;
      t = System.nanoTime();
      for (int i = 0; i < count; i++) {
        if (storage.getBytes(COLLECTION, key(i)).isEmpty()) {
          throw new IllegalStateException("bench: " + key(i) + " was written but cannot be read");
        }
      }
      getNanos = System.nanoTime() - t;
      stats = storage.stats();
      for (int i = 0; i < count; i++) {
        storage.delete(COLLECTION, key(i));
      }
    }
    if (cli.json) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("backend", backend);
      j.put("durability", durability.name());
      j.put("count", count);
      j.put("valueSize", valueSize);
      j.put("putsPerSecond", count * 1e9 / putNanos);
      j.put("getsPerSecond", count * 1e9 / getNanos);
      j.put("writeLatency", stats.writeLatency());
      j.put("readLatency", stats.readLatency());
      json(j);
    } else {
      out().printf("bench on %s, %s commits, %,d values of %s%n", backend, durability, count, Fmt.bytes(valueSize));
      out().printf("  put  %14s   p50 %s  p99 %s%n", Fmt.rate(count, putNanos),
          Fmt.micros(stats.writeLatency().p50Micros()), Fmt.micros(stats.writeLatency().p99Micros()));
      out().printf("  get  %14s   p50 %s  p99 %s%n", Fmt.rate(count, getNanos),
          Fmt.micros(stats.readLatency().p50Micros()), Fmt.micros(stats.readLatency().p99Micros()));
    }
    return CairnCli.OK;
  }

  private List<byte[]> values() {
    Random random = new Random(seed);
    String[] words = {"player", "round", "stake", "payout", "EUR", "slot", "table", "win", "loss"};
    List<byte[]> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      StringBuilder sb = new StringBuilder("{\"id\":").append(i);
      while (sb.length() < valueSize - 1) {
        sb.append(",\"").append(words[random.nextInt(words.length)]).append("\":")
            .append(random.nextInt(100_000));
      }
      sb.setLength(valueSize - 1);
      sb.append('}');
      values.add(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    return values;
  }

  private static String key(int i) {
    return String.format("k-%08d", i);
  }
}
