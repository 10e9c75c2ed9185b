package dev.cairn.examples.cli;

import static dev.cairn.examples.cli.Cli.cairn;
import static dev.cairn.examples.cli.Cli.cairnWithStdin;
import static dev.cairn.examples.cli.Cli.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class StoreCommandsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private String store;

  @BeforeEach
  void createStore() {
    store = tmp.resolve("store").toString();
  }

  private Cli.Run ok(String... args) {
    Cli.Run run = cairn(args);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return run;
  }

  private static JsonNode json(Cli.Run run) throws IOException {
    return JSON.readTree(run.out());
  }

  @Test
  void putThenGetReturnsTheValueAsGiven() {
    Cli.Run put = ok("--store", store, "put", "players", "p-1", "{\"name\":\"Ada\",\"balance\":100}");
    Cli.Run get = ok("--store", store, "get", "players", "p-1");

    assertThat(put.out()).startsWith("stored players/p-1: ");
    assertThat(get.out()).isEqualTo("{\"name\":\"Ada\",\"balance\":100}\n");
  }

  @Test
  void globalOptionsWorkAfterTheCommandToo() {
    ok("put", "players", "p-1", "v", "--store", store);

    assertThat(ok("get", "--store", store, "players", "p-1").out()).isEqualTo("v\n");
  }

  @Test
  void putReadsStdinWithDashAndAFileWithFile() throws IOException {
    Path file = tmp.resolve("value.json");
    Files.writeString(file, "{\"from\":\"file\"}");

    Cli.Run stdin = cairnWithStdin(utf8("from stdin\n"), "--store", store, "put", "c", "a", "-");
    ok("--store", store, "put", "c", "b", "--file", file.toString());

    assertThat(stdin.exitCode()).as(stdin.toString()).isZero();
    assertThat(ok("--store", store, "get", "c", "a").out()).isEqualTo("from stdin\n");
    assertThat(ok("--store", store, "get", "c", "b").out()).isEqualTo("{\"from\":\"file\"}\n");
  }

  @Test
  void putWithoutAValueOrWithTwoIsAUsageError() {
    Cli.Run none = cairn("--store", store, "put", "c", "k");
    Cli.Run both = cairn("--store", store, "put", "c", "k", "v", "--file", "x");

    assertThat(none.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(both.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(none.errLines()).as(none.toString()).hasSize(1);
  }

  @Test
  void putWithJsonReportsTheStoredRecord() throws IOException {
    String big = "{\"doc\":\"" + "terms ".repeat(100) + "\"}";
    JsonNode j = json(ok("--store", store, "--json", "--codec", "zstd", "put", "docs", "d-1", big));

    assertThat(j.get("collection").asText()).isEqualTo("docs");
    assertThat(j.get("rawBytes").asInt()).isEqualTo(big.length());
    assertThat(j.get("codec").asText()).isEqualTo("zstd");
    assertThat(j.get("storedBytes").asInt()).isLessThan(big.length());
    assertThat(j.get("deduplicated").asBoolean()).as("new content stays in its record").isFalse();
    JsonNode again = json(ok("--store", store, "--json", "--dedup", "ON_WRITE", "put", "docs", "d-2",
        big));
    assertThat(again.get("deduplicated").asBoolean()).as("--dedup ON_WRITE").isTrue();
  }

  @Test
  void getWithJsonParsesJsonValuesAndKeepsMetadata() throws IOException {
    ok("--store", store, "put", "players", "p-1", "{\"name\":\"Ada\"}");
    ok("--store", store, "put", "notes", "n-1", "plain text");

    JsonNode player = json(ok("--store", store, "--json", "get", "players", "p-1"));
    JsonNode note = json(ok("--store", store, "get", "--json", "notes", "n-1"));

    assertThat(player.at("/value/name").asText()).isEqualTo("Ada");
    assertThat(player.at("/metadata/rawBytes").asInt()).isEqualTo(14);
    assertThat(note.get("text").asText()).isEqualTo("plain text");
  }

  @Test
  void binaryValuesNeedOutputOrJson() throws IOException {
    Path file = tmp.resolve("bin");
    byte[] bytes = {0, (byte) 0xFF, (byte) 0xC3, 0x28, 7};
    Files.write(file, bytes);
    ok("--store", store, "put", "bin", "b", "--file", file.toString());

    Cli.Run plain = cairn("--store", store, "get", "bin", "b");
    JsonNode j = json(ok("--store", store, "--json", "get", "bin", "b"));
    Path copy = tmp.resolve("copy");
    ok("--store", store, "get", "bin", "b", "--output", copy.toString());

    assertThat(plain.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(plain.err()).contains("binary").contains("--output");
    assertThat(java.util.Base64.getDecoder().decode(j.get("base64").asText())).isEqualTo(bytes);
    assertThat(Files.readAllBytes(copy)).isEqualTo(bytes);
  }

  @Test
  void getOfAnAbsentKeyExitsWithFour() {
    ok("--store", store, "put", "c", "k", "v");

    Cli.Run run = cairn("--store", store, "get", "c", "nope");

    assertThat(run.exitCode()).isEqualTo(CairnCli.NOT_FOUND);
    assertThat(run.err()).isEqualTo("cairn: not found: c/nope\n");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void getMetaPrintsTheRecordsMetadata() {
    ok("--store", store, "put", "c", "k", "value");

    Cli.Run run = ok("--store", store, "get", "--meta", "c", "k");

    assertThat(run.out()).contains("rawBytes", "codec", "identity").doesNotContain("value\n");
  }

  @Test
  void deleteRemovesKeysAndReportsAbsentOnes() throws IOException {
    ok("--store", store, "put", "c", "a", "1");
    ok("--store", store, "put", "c", "b", "2");

    Cli.Run partly = cairn("--store", store, "delete", "c", "a", "zzz");
    Cli.Run forced = cairn("--store", store, "delete", "--force", "c", "zzz");
    JsonNode j = json(ok("--store", store, "--json", "delete", "c", "b"));

    assertThat(partly.exitCode()).isEqualTo(CairnCli.NOT_FOUND);
    assertThat(partly.out()).isEqualTo("deleted c/a\n");
    assertThat(partly.err()).isEqualTo("cairn: not found: c/zzz\n");
    assertThat(forced.exitCode()).isZero();
    assertThat(j.get("deleted").get(0).asText()).isEqualTo("b");
    assertThat(cairn("--store", store, "get", "c", "a").exitCode()).isEqualTo(CairnCli.NOT_FOUND);
  }

  @Test
  void lsListsCollectionsWithCountsAndKeysByPrefix() throws IOException {
    for (String k : new String[] {"p-01", "p-02", "p-10", "q-01"}) {
      ok("--store", store, "put", "players", k, "{}");
    }
    ok("--store", store, "put", "rounds", "r-1", "{}");

    Cli.Run collections = ok("--store", store, "ls");
    Cli.Run keys = ok("--store", store, "ls", "players", "--prefix", "p-0");
    Cli.Run limited = ok("--store", store, "ls", "players", "--limit", "1");
    JsonNode j = json(ok("--store", store, "--json", "ls"));
    JsonNode jk = json(ok("--store", store, "--json", "ls", "players", "-p", "q"));

    assertThat(collections.out()).containsPattern("players\\s+4\\n").containsPattern("rounds\\s+1\\n");
    assertThat(keys.out()).isEqualTo("p-01\np-02\n");
    assertThat(limited.out()).isEqualTo("p-01\n");
    assertThat(j.get("collections").get(0).get("name").asText()).isEqualTo("players");
    assertThat(j.get("collections").get(0).get("records").asLong()).isEqualTo(4);
    assertThat(jk.get("keys")).hasSize(1);
  }

  @Test
  void lsListsARangeOfKeysEitherWayWithALimit() throws IOException {
    for (String k : new String[] {"e-01", "e-02", "e-03", "e-10", "e-\u00e9", "f-01"}) {
      ok("--store", store, "put", "events", k, "{}");
    }

    Cli.Run between = ok("--store", store, "ls", "events", "--from", "e-02", "--to", "e-10");
    Cli.Run reversed = ok("--store", store, "ls", "events", "--reverse", "--limit", "2");
    Cli.Run fromReversed = ok("--store", store, "ls", "events", "--from", "e-03", "-r");
    Cli.Run to = ok("--store", store, "ls", "events", "--to", "e-02");
    Cli.Run prefixReversed = ok("--store", store, "ls", "events", "-p", "e-0", "--reverse");
    JsonNode j = json(ok("--store", store, "--json", "ls", "events", "--from", "e-10", "-r"));

    assertThat(between.out()).isEqualTo("e-02\ne-03\n");
    assertThat(reversed.out()).isEqualTo("f-01\ne-\u00e9\n");
    assertThat(fromReversed.out()).isEqualTo("f-01\ne-\u00e9\ne-10\ne-03\n");
    assertThat(to.out()).isEqualTo("e-01\n");
    assertThat(prefixReversed.out()).isEqualTo("e-03\ne-02\ne-01\n");
    assertThat(j.get("from").asText()).isEqualTo("e-10");
    assertThat(j.get("reverse").asBoolean()).isTrue();
    assertThat(j.get("keys")).hasSize(3);
    assertThat(j.get("keys").get(0).asText()).isEqualTo("f-01");
  }

  @Test
  void lsWithBadRangeOptionsIsAUsageError() {
    ok("--store", store, "put", "c", "k", "v");

    Cli.Run inverted = cairn("--store", store, "ls", "c", "--from", "b", "--to", "a");
    Cli.Run noCollection = cairn("--store", store, "ls", "--reverse");
    Cli.Run prefixAndFrom = cairn("--store", store, "ls", "c", "--prefix", "k", "--from", "a");

    assertThat(inverted.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(inverted.err()).contains("from must not come after to");
    assertThat(noCollection.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(noCollection.err()).contains("need a COLLECTION");
    assertThat(prefixAndFrom.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(prefixAndFrom.err()).contains("--prefix cannot be combined");
  }

  @Test
  void lsWithAPrefixButNoCollectionIsAUsageError() {
    ok("--store", store, "put", "c", "k", "v");

    Cli.Run run = cairn("--store", store, "ls", "--prefix", "p");

    assertThat(run.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(run.errLines()).hasSize(1);
  }

  @Test
  void statsAccountsForDedupAndCompression() throws IOException {
    String doc = "{\"paytable\":\"" + "cherry 5 lemon 10 bell 20 ".repeat(40) + "\"}";
    for (int i = 0; i < 5; i++) {
      ok("--store", store, "--codec", "zstd", "put", "round-paytables", "r-" + i, doc);
    }
    ok("--store", store, "put", "players", "p-1", "{\"name\":\"Ada\"}");
    ok("--store", store, "maintain"); // deferred dedup shares the five equal values

    Cli.Run human = ok("--store", store, "stats");
    JsonNode j = json(ok("--store", store, "--json", "stats"));

    assertThat(human.out()).contains("round-paytables", "dedup", "on disk");
    assertThat(j.get("records").asLong()).isEqualTo(6);
    assertThat(j.get("distinctBlobs").asLong()).isEqualTo(1);
    assertThat(j.get("bytesSavedByDedup").asLong()).isEqualTo(4L * doc.length());
    assertThat(j.get("bytesSavedByCompression").asLong()).isPositive();
    assertThat(j.at("/collections/round-paytables/records").asLong()).isEqualTo(5);
    assertThat(j.get("backend").asText()).isEqualTo("sqlite");
  }

  @Test
  void verifyAndMaintainReportOnAHealthyStore() throws IOException {
    ok("--store", store, "--dedup", "ON_WRITE", "put", "c", "k", "x".repeat(500));

    Cli.Run verify = ok("--store", store, "verify");
    JsonNode vj = json(ok("--store", store, "--json", "verify"));
    Cli.Run maintain = ok("--store", store, "maintain");
    JsonNode mj = json(ok("--store", store, "--json", "maintain"));

    assertThat(verify.out()).contains("verified 1 records and 1 blobs: ok");
    assertThat(vj.get("ok").asBoolean()).isTrue();
    assertThat(maintain.out()).contains("maintenance ok", "verify", "optimize");
    assertThat(mj.get("successful").asBoolean()).isTrue();
    assertThat(mj.get("steps").size()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void benchReportsRatesForPutsAndGets() throws IOException {
    Cli.Run human = ok("bench", "--count", "30", "--value-size", "200");
    JsonNode j = json(ok("--store", store, "--json", "bench", "-n", "20", "--durability", "ASYNC"));

    assertThat(human.out()).contains("put", "get", "ops/s");
    assertThat(j.get("count").asInt()).isEqualTo(20);
    assertThat(j.get("putsPerSecond").asDouble()).isPositive();
    assertThat(j.get("getsPerSecond").asDouble()).isPositive();
    assertThat(ok("--store", store, "ls").out()).as("bench cleans up after itself")
        .doesNotContain(BenchCommand.COLLECTION);
  }

  @Test
  void theBackendIsDetectedFromTheStoresFiles() {
    ok("--store", store, "--backend", "h2", "put", "c", "k", "on h2");

    Cli.Run get = ok("--store", store, "get", "c", "k");
    JsonNode stats;
    try {
      stats = json(ok("--store", store, "--json", "stats"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }

    assertThat(get.out()).isEqualTo("on h2\n");
    assertThat(stats.get("backend").asText()).isEqualTo("h2");
  }

  @Test
  void aStoreOfAnotherBackendOrOfAnUnknownOneIsRefusedNotOpenedAsANewStore() throws IOException {
    ok("--store", store, "--backend", "lmdb", "put", "c", "k", "on lmdb");
    Path rocks = Files.createDirectories(tmp.resolve("rocks"));
    Files.writeString(rocks.resolve("data.rocks"), "a store of a backend Cairn does not know");

    Cli.Run h2 = cairn("--store", store, "--backend", "h2", "ls");
    Cli.Run put = cairn("--store", rocks.toString(), "put", "c", "k", "v");

    assertThat(h2.exitCode()).as(h2.toString()).isEqualTo(CairnCli.ERROR);
    assertThat(h2.err()).startsWith("cairn: directory ").contains("backend 'lmdb'", "not 'h2'");
    assertThat(put.exitCode()).as(put.toString()).isEqualTo(CairnCli.ERROR);
    assertThat(put.err()).contains("data.rocks", "no files of backend 'sqlite'");
    assertThat(rocks.resolve("store.sqlite")).doesNotExist();
    assertThat(ok("--store", store, "get", "c", "k").out()).isEqualTo("on lmdb\n");
  }

  @Test
  void theBackendOfAStoreFromBeforeCairnStoreIsFoundFromItsFiles() throws IOException {
    ok("--store", store, "--backend", "h2", "put", "c", "k", "on h2");
    Files.delete(Path.of(store, "cairn.store"));

    assertThat(ok("--store", store, "get", "c", "k").out()).isEqualTo("on h2\n");
    assertThat(Path.of(store, "cairn.store")).content().contains("backend=h2");
  }

  @Test
  void putIfAbsentAndIfVersionStoreOnlyWhileTheConditionHolds() throws IOException {
    Cli.Run first = ok("--store", store, "put", "--if-absent", "locks", "job", "worker-1");
    Cli.Run taken = cairn("--store", store, "put", "--if-absent", "locks", "job", "worker-2");
    long version = json(ok("--store", store, "--json", "get", "--meta", "locks", "job"))
        .get("metadata").get("version").asLong();
    Cli.Run stale = cairn("--store", store, "put", "--if-version", Long.toString(version + 1),
        "locks", "job", "worker-3");
    Cli.Run current = ok("--store", store, "put", "--if-version", Long.toString(version),
        "locks", "job", "worker-4");
    Cli.Run both = cairn("--store", store, "put", "--if-absent", "--if-version", "1",
        "locks", "job", "worker-5");

    assertThat(first.out()).startsWith("stored locks/job: ").endsWith(", version " + version + "\n");
    assertThat(taken.exitCode()).as(taken.toString()).isEqualTo(CairnCli.NOT_APPLIED);
    assertThat(taken.err()).isEqualTo("cairn: not stored: locks/job exists (--if-absent)\n");
    assertThat(stale.exitCode()).as(stale.toString()).isEqualTo(CairnCli.NOT_APPLIED);
    assertThat(stale.err()).contains("is not at version " + (version + 1));
    assertThat(current.out()).startsWith("stored locks/job: ").doesNotContain("version " + version + "\n");
    assertThat(both.exitCode()).as(both.toString()).isEqualTo(CairnCli.USAGE);
    assertThat(ok("--store", store, "get", "locks", "job").out()).isEqualTo("worker-4\n");
  }

  @Test
  void putWithTtlShowsTheExpiryAndRefusesADurationThatIsNotPositive() throws IOException {
    java.time.Instant before = java.time.Instant.now();
    Cli.Run put = ok("--store", store, "put", "--ttl", "2h", "sessions", "s-1", "token");
    java.time.Instant after = java.time.Instant.now();
    java.time.Instant expiresAt = java.time.Instant.parse(
        json(ok("--store", store, "--json", "get", "--meta", "sessions", "s-1"))
            .get("metadata").get("expiresAt").asText());
    Cli.Run iso = ok("--store", store, "put", "--ttl", "PT30S", "sessions", "s-2", "token");
    Cli.Run ifAbsent =
        cairn("--store", store, "put", "--ttl", "5m", "--if-absent", "sessions", "s-1", "other");
    Cli.Run zero = cairn("--store", store, "put", "--ttl", "0s", "sessions", "s-3", "x");
    Cli.Run bogus = cairn("--store", store, "put", "--ttl", "soon", "sessions", "s-3", "x");

    assertThat(put.out()).contains("expires at " + expiresAt + "\n");
    assertThat(expiresAt).as("two hours after the write")
        .isBetween(before.plusSeconds(7200).minusMillis(1), after.plusSeconds(7200));
    assertThat(iso.out()).contains("expires at ");
    assertThat(ifAbsent.exitCode()).as(ifAbsent.toString()).isEqualTo(CairnCli.NOT_APPLIED);
    assertThat(zero.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(zero.err()).contains("--ttl must be positive");
    assertThat(bogus.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(bogus.err()).contains("is not a duration");
    assertThat(ok("--store", store, "get", "sessions", "s-1").out()).isEqualTo("token\n");
  }

  @Test
  void ttlDurationsAreParsedInShortAndIsoForms() {
    assertThat(PutCommand.parseTtl("250ms")).isEqualTo(java.time.Duration.ofMillis(250));
    assertThat(PutCommand.parseTtl("30s")).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(PutCommand.parseTtl("5m")).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(PutCommand.parseTtl("2h")).isEqualTo(java.time.Duration.ofHours(2));
    assertThat(PutCommand.parseTtl("1d")).isEqualTo(java.time.Duration.ofDays(1));
    assertThat(PutCommand.parseTtl("PT1M30S")).isEqualTo(java.time.Duration.ofSeconds(90));
  }
}
