package dev.cairn.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on one schema, the reader with a cache that never evicts by itself: its cache
 * must not serve a value older than a commit of the writer that it has observed (LISTEN/NOTIFY
 * invalidation with a fence at the end of every backend transaction, see ExternalWatch).
 */
final class PostgresCacheCoherenceTest {

  @TempDir Path dir;

  private static Storage open(Path d, Map<String, String> options, MapCacheProvider cache) {
    var b = Storage.builder().directory(d).backend("postgres").noScheduledMaintenance();
    options.forEach(b::backendOption);
    if (cache == null) {
      b.noCache();
    } else {
      b.cache(cache);
    }
    return b.open();
  }

  @Test
  void aCachedValueIsNeverOlderThanAnotherInstancesCommitThisInstanceHasObserved() {
    Map<String, String> options = TestPostgres.get().freshOptions("coherence");
    MapCacheProvider cache = new MapCacheProvider();
    try (Storage writer = open(dir.resolve("writer"), options, null);
        Storage reader = open(dir.resolve("reader"), options, cache)) {
      writer.put("c", "k", 0L);
      for (long i = 1; i <= 60; i++) {
        assertThat(reader.get("c", "k", Long.class)).contains(i - 1);
        assertThat(reader.get("c", "k", Long.class)).as("cached").contains(i - 1);
        writer.put("c", "k", i);
        writer.put("c", "marker-" + i, i); // a later commit of the writer
        // the reader observes the later commit (a cache miss: it reads the server) ...
        assertThat(reader.get("c", "marker-" + i, Long.class)).contains(i);
        // ... so it must not serve the value the earlier commit replaced
        assertThat(reader.get("c", "k", Long.class)).as("round %d", i).contains(i);
      }
      assertThat(cache.hits.get()).as("the cache was in use").isGreaterThanOrEqualTo(60);
    }
  }

  @Test
  void anIdleInstanceDropsValuesAnotherInstanceChanged() throws Exception {
    Map<String, String> options = TestPostgres.get().freshOptions("coherence_idle");
    MapCacheProvider cache = new MapCacheProvider();
    try (Storage writer = open(dir.resolve("writer"), options, null);
        Storage reader = open(dir.resolve("reader"), options, cache)) {
      writer.put("c", "k", "old");
      assertThat(reader.get("c", "k", String.class)).contains("old");
      writer.put("c", "k", "new");
      writer.delete("c", "gone");
      // no read of the server in between: the poller brings the invalidation (bounded wait)
      long deadline = System.nanoTime() + 10_000_000_000L;
      Optional<String> seen = reader.get("c", "k", String.class);
      while (!seen.equals(Optional.of("new")) && System.nanoTime() < deadline) {
        Thread.sleep(20);
        seen = reader.get("c", "k", String.class);
      }
      assertThat(seen).contains("new");
    }
  }
}
