package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.StorageStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The space side of {@link DedupBenchmark}, outside JMH (sizes are not throughput): loads the
 * same dedup-heavy workload ({@link DedupBenchmark#value}, half the values repeated) into a
 * fresh store per backend and setting, in durable batches of 1,000, and records the size on disk
 * after the load, after one {@code maintenance()} run (Cairn) and after close, with Cairn's
 * {@code bytesSavedByDedup} and what the maintenance run did. Raw: the store directory's size.
 *
 * <pre>
 * DedupSpace [--records N] [--backends sqlite,lmdb,h2] [--out dedup-space.json] [--keep]
 * </pre>
 *
 * <p>Sizes while open include write-ahead files (SQLite's WAL, up to its checkpoint size) on
 * both sides; the closed size is the one to compare between raw and Cairn.
 */
public final class DedupSpace {

  static final List<String> SETTINGS = List.of("raw", "DEFERRED", "ON_WRITE", "OFF");

  /** Whether to leave the stores on disk (their paths are in the JSON rows). */
  private static boolean keep;

  private DedupSpace() {}

  public static void main(String[] args) throws IOException {
    long records = 20_000;
    List<String> backends = List.of("sqlite", "lmdb", "h2");
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--records" -> records = Long.parseLong(args[++i]);
        case "--backends" -> backends = List.of(args[++i].split(","));
        case "--out" -> out = Path.of(args[++i]);
        case "--keep" -> keep = true; // leave the stores for inspection (paths in the JSON)
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("records", records);
    root.put("pool", DedupBenchmark.POOL);
    ArrayNode rows = root.putArray("dedupSpace");
    Values values = new Values();
    long valueBytes = 0;
    for (long i = 0; i < records; i++) {
      valueBytes += DedupBenchmark.value(values, i).length;
    }
    root.put("valueBytes", valueBytes); // what every setting was given to store
    System.out.printf(Locale.ROOT, "%-20s %12s %12s %12s %12s %9s %s%n", "case", "after load",
        "after maint", "closed", "saved", "maint ms", "deduplicate step");
    for (String backend : backends) {
      for (String setting : SETTINGS) {
        ObjectNode row = rows.addObject();
        measure(backend.trim(), setting, records, values, row);
        System.out.printf(Locale.ROOT, "%-20s %12d %12d %12d %12d %9d %s%n",
            row.get("case").asText(), row.path("sizeAfterLoad").asLong(),
            row.path("sizeAfterMaintenance").asLong(-1), row.path("sizeClosed").asLong(),
            row.path("bytesSavedByDedup").asLong(), row.path("maintenanceMillis").asLong(-1),
            row.path("deduplicate").asText(""));
      }
    }
    if (out != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      json.writeValue(out.toFile(), root);
    }
  }

  private static void measure(String backend, String setting, long records, Values values,
      ObjectNode row) {
    row.put("case", backend + "/" + setting);
    row.put("backend", backend);
    row.put("setting", setting);
    row.put("records", records);
    Path dir = BenchDirs.fresh("dedup-space-" + backend + "-" + setting);
    try {
      Kv kv = DedupBenchmark.open(setting, backend, dir);
      try {
        long t0 = System.nanoTime();
        DedupBenchmark.load(kv, values, 0, records);
        row.put("loadMillis", (System.nanoTime() - t0) / 1_000_000);
        if (kv instanceof CairnKv c) {
          StorageStats s = c.storage.stats();
          row.put("rawBytesWritten", s.rawBytesWritten());
          row.put("sizeAfterLoad", s.sizeOnDisk());
          row.put("bytesSavedAfterLoad", s.bytesSavedByDedup());
          MaintenanceReport m = c.storage.maintenance();
          row.put("maintenanceMillis", m.duration().toMillis());
          m.step("deduplicate").ifPresent(d -> {
            row.put("deduplicateMillis", d.duration().toMillis());
            row.put("deduplicate", d.detail());
          });
          m.step("optimize").ifPresent(o -> row.put("optimize", o.detail()));
          if (!m.successful()) {
            row.put("maintenanceFailures", m.failures().toString());
          }
          s = c.storage.stats();
          row.put("sizeAfterMaintenance", s.sizeOnDisk());
          row.put("bytesSavedByDedup", s.bytesSavedByDedup());
          row.put("dedupHits", s.dedupHits());
        } else {
          row.put("sizeAfterLoad", size(dir));
        }
      } finally {
        kv.close();
      }
      row.put("sizeClosed", size(dir));
    } finally {
      if (keep) {
        row.put("directory", dir.toString());
      } else {
        BenchDirs.delete(dir);
      }
    }
  }

  /** Bytes of every regular file under {@code dir}. */
  static long size(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
