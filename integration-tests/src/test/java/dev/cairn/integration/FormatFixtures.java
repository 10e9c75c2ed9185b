package dev.cairn.integration;

import dev.cairn.storage.Storage;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Stores written by an earlier build, kept so that every later build proves it still opens them
 * (the rule: a store written by an earlier build keeps opening, or is upgraded explicitly).
 *
 * <p>{@link #main} writes, with the code of the build it runs in, one store per embedded backend
 * ({@code sqlite}, {@code lmdb}, {@code h2}) holding {@link #expected()}, plus
 * {@code keyspaces.txt}: every key and value of every keyspace of the sqlite store, in hex, which
 * {@link FormatFixtureTest} loads through the backend SPI into a fresh store of each backend,
 * PostgreSQL included (a server's data directory cannot be committed). The committed fixtures
 * live in {@code src/test/resources/format-fixtures/<store format>/} and are never rewritten by
 * a test; to add the fixtures of a new store format (never to replace old ones), run from the
 * repository root:
 *
 * <pre>
 * ./mvnw -q -pl integration-tests -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp integration-tests/target/test-classes:$(cat integration-tests/target/cp.txt) \
 *     dev.cairn.integration.FormatFixtures integration-tests/src/test/resources/format-fixtures/format-N
 * </pre>
 */
final class FormatFixtures {

  /** The engine's keyspaces as of store format 1. */
  static final Set<String> KEYSPACES = Set.of("records", "blobs", "blob_index", "meta");
  static final List<String> EMBEDDED = List.of("sqlite", "lmdb", "h2");
  /** The codec the fixtures were written with: its id is stored in every compressed record. */
  static final String CODEC = "zstd";

  private FormatFixtures() {}

  /**
   * What every fixture store holds: inline values, compressible deduplicated values (one shared
   * by a third of the ledger), incompressible blobs (two equal), an overwritten and a deleted
   * record, and a key with non-ASCII characters.
   */
  static Map<String, Map<String, byte[]>> expected() {
    Map<String, Map<String, byte[]>> all = new TreeMap<>();
    Map<String, byte[]> accounts = new TreeMap<>();
    for (int i = 0; i < 100; i++) {
      accounts.put(String.format("acct-%03d", i), utf8("{\"id\":" + i + ",\"balance\":" + (i * 37 % 1000) + "}"));
    }
    accounts.put("acct-000", utf8("{\"id\":0,\"balance\":999,\"note\":\"overwritten\"}"));
    accounts.put("kontø-ß", utf8("non-ASCII key"));
    all.put("accounts", accounts);

    Map<String, byte[]> ledger = new TreeMap<>();
    String shared = "transfer ".repeat(30) + "shared";
    for (int i = 0; i < 300; i++) {
      String v = i % 3 == 0 ? shared
          : ("transfer " + i + " from acct-" + (i % 100) + " to acct-" + ((i * 7) % 100) + " ").repeat(6);
      ledger.put(String.format("tx-%05d", i), utf8(v));
    }
    ledger.remove("tx-00007");
    all.put("ledger", ledger);

    Map<String, byte[]> blobs = new TreeMap<>();
    SplittableRandom r = new SplittableRandom(20261205L);
    for (int i = 0; i < 5; i++) {
      byte[] b = new byte[20_000 + i];
      for (int j = 0; j < b.length; j++) {
        b[j] = (byte) r.nextInt(256);
      }
      blobs.put("blob-" + i, b);
    }
    blobs.put("blob-copy", blobs.get("blob-2").clone());
    all.put("blobs", blobs);
    return all;
  }

  /** Writes the fixtures into {@code args[0]}, which must not exist yet. */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    if (Files.exists(out)) {
      throw new IllegalArgumentException(out + " exists: fixtures are added, never rewritten");
    }
    for (String backend : EMBEDDED) {
      Path dir = out.resolve(backend);
      try (Storage s = Storage.builder().directory(dir).backend(backend).codec(CODEC)
          .noScheduledMaintenance().open()) {
        write(s);
        s.maintenance(); // compacts: the H2 file is 6 MiB before, for 0.1 MiB of data
      }
    }
    dumpKeyspaces(out.resolve("sqlite"), "sqlite", out.resolve("keyspaces.txt"));
  }

  private static void write(Storage s) {
    Map<String, Map<String, byte[]>> all = expected();
    for (var c : all.entrySet()) {
      for (var e : c.getValue().entrySet()) {
        s.putBytes(c.getKey(), e.getKey(), e.getValue());
      }
    }
    // the history the expected content hides: a first value of acct-000, a deleted ledger record
    s.putBytes("accounts", "acct-000", utf8("{\"id\":0,\"balance\":0}"));
    s.putBytes("accounts", "acct-000", all.get("accounts").get("acct-000"));
    s.putBytes("ledger", "tx-00007", utf8("deleted later ".repeat(10)));
    s.delete("ledger", "tx-00007");
  }

  private static void dumpKeyspaces(Path dir, String backend, Path out) throws IOException {
    try (Backend b = open(backend, dir, Map.of())) {
      Files.write(out, dump(b));
    }
  }

  /** Every key and value of every keyspace, a line each: {@code keyspace keyhex valuehex}. */
  static List<String> dump(Backend b) {
    List<String> lines = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    try (BackendTransaction tx = b.beginRead()) {
      for (String ks : new java.util.TreeSet<>(KEYSPACES)) {
        try (BackendCursor c = tx.scan(ks, new byte[0], null)) {
          while (c.next()) {
            lines.add(ks + " " + hex.formatHex(c.key()) + " " + hex.formatHex(c.value()));
          }
        }
      }
    }
    return lines;
  }

  /** Opens {@code backend} directly through its provider, below the engine. */
  static Backend open(String backend, Path dir, Map<String, String> options) {
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
      if (p.name().equals(backend)) {
        return p.open(new BackendConfig(dir, KEYSPACES, options));
      }
    }
    throw new IllegalArgumentException("no backend " + backend + " on the class path");
  }

  /** The lines of a {@code keyspaces.txt}. */
  static List<String> read(Path keyspaces) {
    try {
      return Files.readAllLines(keyspaces);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads lines of {@link #dump} into an empty backend, in one transaction. */
  static void load(List<String> lines, Backend b) {
    HexFormat hex = HexFormat.of();
    try (BackendTransaction tx = b.beginWrite()) {
      for (String line : lines) {
        String[] f = line.split(" ", -1);
        tx.put(f[0], hex.parseHex(f[1]), hex.parseHex(f[2]));
      }
      tx.commit(dev.cairn.storage.Durability.SYNC);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
