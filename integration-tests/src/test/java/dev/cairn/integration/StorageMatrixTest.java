package dev.cairn.integration;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.backend.postgres.TestPostgres;
import dev.cairn.conformance.StorageConformanceKit;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.CodecProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link StorageConformanceKit} over every combination of backend × codec × cache, each named
 * like {@code sqlite/zstd/tiered}: every group of the kit, among them conditional writes and
 * their races, and key ranges (bounded, open and prefix {@link dev.cairn.storage.KeyRange}s in
 * both directions with limits, paged over thousands of keys, entries in reverse over compressed
 * and shared values, a transaction's own writes), so descending scans run natively on every
 * real backend under every codec and cache. Combinations whose providers are not on the class
 * path are reported as skipped with the missing provider named. {@code postgres} runs against a real
 * PostgreSQL server started once per JVM from Maven-delivered binaries ({@link TestPostgres}).
 * (The kit's own reference backend and test codec run it in conformance-tests:
 * {@code ReferenceStorageConformanceTest}.)
 */
@ParameterizedClass(name = "{0}")
@MethodSource("combinations")
final class StorageMatrixTest extends StorageConformanceKit {

  private static final List<String> BACKENDS = List.of("sqlite", "lmdb", "h2", "postgres");
  private static final List<String> CODECS = List.of("identity", "snappy", "zstd");
  private static final List<String> CACHES = List.of("none", "tiered");

  private final String backend;
  private final String codec;
  private final String cache;

  /** Combinations already named on the console, so the build log lists every case once. */
  private static final Set<String> ANNOUNCED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  @org.junit.jupiter.api.BeforeEach
  void announceCombination() {
    String name = backend + "/" + codec + "/" + cache;
    if (ANNOUNCED.add(name)) {
      System.out.println("[matrix] running " + name);
    }
  }

  StorageMatrixTest(String combination) {
    String[] parts = combination.split("/");
    this.backend = parts[0];
    this.codec = parts[1];
    this.cache = parts[2];
  }

  static List<String> combinations() {
    List<String> out = new ArrayList<>();
    for (String b : BACKENDS) {
      for (String c : CODECS) {
        for (String k : CACHES) {
          out.add(b + "/" + c + "/" + k);
        }
      }
    }
    return out;
  }

  private static <T> Optional<T> discovered(Class<T> spi, java.util.function.Function<T, String> name,
      String wanted) {
    return ServiceLoader.load(spi).stream().map(ServiceLoader.Provider::get)
        .filter(p -> name.apply(p).equals(wanted)).findFirst();
  }

  @Override
  protected StorageBuilder configure(StorageBuilder b) {
    assumeTrue(discovered(BackendProvider.class, BackendProvider::name, backend).isPresent(),
        () -> "backend " + backend + " is not on the class path");
    b.backend(backend);
    if (backend.equals("postgres")) {
      // one server per JVM (started on first use); each new store directory gets a new
      // schema, and a reopened directory follows its descriptor back to its schema
      TestPostgres.get().freshOptions("matrix").forEach(b::backendOption);
    }
    if (!codec.equals("identity")) {
      assumeTrue(discovered(CodecProvider.class, CodecProvider::name, codec).isPresent(),
          () -> "codec " + codec + " is not on the class path");
    }
    b.codec(codec);
    if (cache.equals("none")) {
      b.noCache();
    } else {
      assumeTrue(discovered(CacheProvider.class, CacheProvider::name, cache).isPresent(),
          () -> "cache " + cache + " is not on the class path");
      // small bounds, so that the concurrency tests also run through eviction
      b.cache(cache).cacheMaxHeapBytes(64 << 10).cacheMaxOffHeapBytes(256 << 10);
    }
    return b;
  }

}
