package dev.cairn.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backend.postgres.TestPostgres;
import dev.cairn.storage.BackendException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.spi.Backend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stores written by an earlier build still open, read and verify on every backend: the committed
 * fixtures of {@link FormatFixtures} (store format 1, written on 2026-12-05 before the storage
 * format changed, store format 2, written by the build before expiring records, and store format
 * 3, written by the build before records in two parts) are copied, never opened in place.
 */
final class FormatFixtureTest {

  private static final Path FIXTURES = Path.of("src/test/resources/format-fixtures");
  /** The keyspaces of the newest committed fixture, the base of a store of an unknown format. */
  private static final Path KEYSPACES = FIXTURES.resolve("format-3/keyspaces.txt");
  /** The store format this build writes. */
  private static final int CURRENT = 4;

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"format-1/sqlite", "format-1/lmdb", "format-1/h2",
      "format-2/sqlite", "format-2/lmdb", "format-2/h2",
      "format-3/sqlite", "format-3/lmdb", "format-3/h2"})
  @DisplayName("a store of format 1, 2 or 3 written by an earlier build opens, reads and verifies")
  void anOlderStoreOpens(String fixture) throws IOException {
    String backend = fixture.substring(fixture.indexOf('/') + 1);
    Path dir = tmp.resolve(backend);
    copy(FIXTURES.resolve(fixture), dir);
    checkAndWrite(Storage.builder().directory(dir).backend(backend));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"format-1/sqlite", "format-1/lmdb", "format-1/h2", "format-1/postgres",
      "format-2/sqlite", "format-2/lmdb", "format-2/h2", "format-2/postgres",
      "format-3/sqlite", "format-3/lmdb", "format-3/h2", "format-3/postgres"})
  @DisplayName("the keyspaces of a format 1, 2 or 3 store, loaded into any backend, open, read and "
      + "verify, and the store is marked with the current format")
  void olderKeyspacesOpenOnEveryBackend(String fixture) {
    String format = fixture.substring(0, fixture.indexOf('/'));
    String backend = fixture.substring(fixture.indexOf('/') + 1);
    Path dir = tmp.resolve(backend);
    Map<String, String> options = options(backend);
    try (Backend b = FormatFixtures.open(backend, dir, options)) {
      FormatFixtures.load(FormatFixtures.read(FIXTURES.resolve(format + "/keyspaces.txt")), b);
    }
    checkAndWrite(builder(backend, dir, options));
    try (Backend b = FormatFixtures.open(backend, dir, options)) {
      assertThat(FormatFixtures.dump(b)).as("the store is marked format %d once opened", CURRENT)
          .contains(FORMAT_KEY + sealedLong(CURRENT));
    }
  }

  private static final String FORMAT_KEY =
      "meta " + HexFormat.of().formatHex("format".getBytes(StandardCharsets.US_ASCII)) + " ";

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sqlite", "lmdb", "h2", "postgres"})
  @DisplayName("a store of a newer, unknown format is refused with an error that says so, and left as it was")
  void aNewerFormatIsRefusedAndNotModified(String backend) {
    Path dir = tmp.resolve(backend);
    Map<String, String> options = options(backend);
    String formatKey = FORMAT_KEY;
    List<String> lines = FormatFixtures.read(KEYSPACES).stream()
        .map(l -> l.startsWith(formatKey) ? formatKey + sealedLong(CURRENT + 1) : l)
        .toList();
    assertThat(lines).as("the fixture has a format entry").anyMatch(l -> l.startsWith(formatKey));
    try (Backend b = FormatFixtures.open(backend, dir, options)) {
      FormatFixtures.load(lines, b);
    }
    assertThatThrownBy(() -> builder(backend, dir, options).open())
        .isInstanceOf(BackendException.class)
        .hasMessageContaining(
            "store format " + (CURRENT + 1) + " is newer than this Cairn version supports");
    try (Backend b = FormatFixtures.open(backend, dir, options)) {
      assertThat(FormatFixtures.dump(b)).as("every keyspace as it was").isEqualTo(lines);
    }
  }

  private static Map<String, String> options(String backend) {
    return backend.equals("postgres") ? TestPostgres.get().freshOptions("fixture") : Map.of();
  }

  private static StorageBuilder builder(String backend, Path dir, Map<String, String> options) {
    StorageBuilder builder = Storage.builder().directory(dir).backend(backend);
    options.forEach(builder::backendOption);
    return builder;
  }

  /** A meta counter as the engine stores it: 8 bytes big-endian, then their CRC32C. */
  private static String sealedLong(long v) {
    ByteBuffer b = ByteBuffer.allocate(12).putLong(v);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 8);
    b.putInt((int) crc.getValue());
    return HexFormat.of().formatHex(b.array());
  }

  private static void checkAndWrite(StorageBuilder builder) {
    builder.codec(FormatFixtures.CODEC).noScheduledMaintenance();
    Map<String, Map<String, byte[]>> expected = FormatFixtures.expected();
    try (Storage s = builder.open()) {
      assertThat(s.collections()).containsExactlyInAnyOrderElementsOf(expected.keySet());
      for (var c : expected.entrySet()) {
        assertThat(s.count(c.getKey())).as("count of %s", c.getKey()).isEqualTo(c.getValue().size());
        Map<String, byte[]> actual = new TreeMap<>();
        try (Stream<Map.Entry<String, byte[]>> entries = s.entries(c.getKey(), "")) {
          entries.forEach(e -> actual.put(e.getKey(), e.getValue()));
        }
        assertThat(actual).as("entries of %s", c.getKey())
            .usingRecursiveComparison().isEqualTo(c.getValue());
        for (var e : c.getValue().entrySet()) {
          assertThat(s.getBytes(c.getKey(), e.getKey())).as("%s/%s", c.getKey(), e.getKey())
              .hasValue(e.getValue());
        }
      }
      assertThat(s.getBytes("ledger", "tx-00007")).isEmpty();
      assertThat(s.admin().verify().problems()).isEmpty();
      // still writable, deduplicating against the old blobs, and the new write survives a reopen
      s.putBytes("ledger", "tx-new", expected.get("ledger").get("tx-00000"));
      s.delete("blobs", "blob-2");
      // an old store takes records with a time to live (format 3), sharing old content too
      s.putBytes("ledger", "tx-ttl", expected.get("ledger").get("tx-00000"), Duration.ofDays(1));
      assertThat(s.admin().verify().problems()).isEmpty();
    }
    try (Storage s = builder.open()) {
      assertThat(s.getBytes("ledger", "tx-new")).hasValue(expected.get("ledger").get("tx-00000"));
      assertThat(s.metadata("ledger", "tx-ttl").orElseThrow().expiresAt()).isPresent();
      assertThat(s.count("ledger")).isEqualTo(expected.get("ledger").size() + 2);
      assertThat(s.getBytes("blobs", "blob-copy")).hasValue(expected.get("blobs").get("blob-copy"));
      assertThat(s.getBytes("blobs", "blob-2")).isEmpty();
      assertThat(s.admin().verify().problems()).isEmpty();
      // maintenance (deferred dedup) rewrites format 1 records: lone blobs go back inline
      assertThat(s.maintenance().successful()).isTrue();
      assertThat(s.getBytes("ledger", "tx-new")).hasValue(expected.get("ledger").get("tx-00000"));
      assertThat(s.getBytes("blobs", "blob-copy")).hasValue(expected.get("blobs").get("blob-copy"));
      assertThat(s.admin().verify().problems()).isEmpty();
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    assertThat(from).as("committed fixture").isDirectory();
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
