package dev.cairn.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where benchmark stores live: {@code $CAIRN_BENCH_DIR} (the run script points it at
 * {@code benchmarks/target/bench-data}), else {@code ./cairn-bench-data}. It must be on the disk
 * being measured, not a tmpfs: durable commits are fsync-bound.
 */
final class BenchDirs {

  private BenchDirs() {}

  static Path base() {
    String env = System.getenv("CAIRN_BENCH_DIR");
    return Path.of(env == null || env.isBlank() ? "cairn-bench-data" : env).toAbsolutePath();
  }

  /** A new empty directory {@code base/name-<unique>}. */
  static Path fresh(String name) {
    try {
      Files.createDirectories(base());
      return Files.createTempDirectory(base(), name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
