package dev.cairn.examples.cli;

import static dev.cairn.examples.cli.Cli.cairn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** backup, restore, migrate and verify --backup through the CLI. */
final class BackupCommandsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private String store;
  private String backups;

  @BeforeEach
  void fillAStore() {
    store = tmp.resolve("store").toString();
    backups = tmp.resolve("backups").toString();
    String paytable = "{\"paytable\":\"" + "cherry 5 bell 20 ".repeat(30) + "\"}";
    for (int i = 0; i < 4; i++) {
      ok("--store", store, "put", "round-paytables", "r-" + i, paytable);
    }
    ok("--store", store, "put", "players", "p-1", "{\"name\":\"Ada\"}");
  }

  private static Cli.Run ok(String... args) {
    Cli.Run run = cairn(args);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return run;
  }

  private static JsonNode json(Cli.Run run) {
    try {
      return JSON.readTree(run.out());
    } catch (IOException e) {
      throw new AssertionError(run.toString(), e);
    }
  }

  @Test
  void backupThenListThenVerifyWithProgressOnStderr() {
    Cli.Run backup = ok("--store", store, "backup", "--to", backups);
    JsonNode list = json(ok("--store", store, "--json", "backup", "--list", "--to", backups));
    Cli.Run verify = ok("--store", store, "verify", "--backup", backups);

    assertThat(backup.out()).startsWith("backup ").contains("logical", "5 records");
    assertThat(backup.err()).as("progress, simple because stderr is not a terminal")
        .isEqualTo("backup: export upload done\n");
    assertThat(list.get("sets")).hasSize(1);
    assertThat(list.at("/sets/0/records").asLong()).isEqualTo(5);
    assertThat(verify.out()).contains("verified backup", "5 records", ": ok");
    assertThat(verify.err()).startsWith("verify: download");
  }

  @Test
  void aSetWithATruncatedManifestIsListedAsDamagedAndFailsVerify() throws IOException {
    ok("--store", store, "backup", "--to", backups);
    String damaged = json(ok("--store", store, "--json", "backup", "--to", backups)).get("setId").asText();
    Path manifest = Path.of(backups, damaged, "manifest.json");
    String text = Files.readString(manifest);
    Files.writeString(manifest, text.substring(0, text.length() / 2));

    Cli.Run list = ok("--store", store, "backup", "--list", "--to", backups);
    JsonNode listJson = json(ok("--store", store, "--json", "backup", "--list", "--to", backups));
    Cli.Run latest = cairn("--store", store, "verify", "--backup", backups);
    Cli.Run byId = cairn("--store", store, "--json", "verify", "--backup", backups, "--set", damaged);

    assertThat(list.out().lines()).hasSize(2);
    assertThat(list.out().lines().toList().get(1))
        .startsWith(damaged + "  damaged: manifest.json: not valid JSON");
    assertThat(listJson.get("sets")).hasSize(1);
    assertThat(listJson.at("/damaged/0/setId").asText()).isEqualTo(damaged);
    assertThat(listJson.at("/damaged/0/reason").asText()).contains("not valid JSON");
    assertThat(latest.exitCode()).as("the newest set is the damaged one: " + latest)
        .isEqualTo(CairnCli.CORRUPT);
    assertThat(latest.out()).contains("verified backup " + damaged, "1 problem(s)", "manifest.json");
    assertThat(byId.exitCode()).as(byId.toString()).isEqualTo(CairnCli.CORRUPT);
    assertThat(json(byId).get("ok").asBoolean()).isFalse();
    assertThat(json(byId).at("/problems/0").asText()).startsWith("manifest.json: not valid JSON");
  }

  @Test
  void theDefaultBackupDirectoryIsBesideTheStore() {
    JsonNode j = json(ok("--store", store, "--json", "backup", "--kind", "native"));

    assertThat(j.get("kind").asText()).isEqualTo("NATIVE");
    assertThat(Path.of(j.get("target").asText())).isEqualTo(tmp.resolve("store-backups").toAbsolutePath());
  }

  @Test
  void restoreIntoANewDirectoryOnAnotherBackend() {
    ok("--store", store, "backup", "--to", backups);
    String copy = tmp.resolve("copy").toString();

    Cli.Run restore = ok("--store", store, "restore", "--from", backups, "--target", copy, "--backend", "h2");

    assertThat(restore.out()).contains("restored", "5 records", copy);
    assertThat(restore.err()).startsWith("restore: download check import");
    assertThat(Path.of(copy, "store.mv.db")).exists();
    assertThat(ok("--store", copy, "get", "players", "p-1").out()).isEqualTo("{\"name\":\"Ada\"}\n");
  }

  @Test
  void restoreInPlaceUndoesLaterChanges() {
    ok("--store", store, "backup", "--to", backups);
    ok("--store", store, "delete", "players", "p-1");
    ok("--store", store, "put", "players", "p-2", "{}");

    ok("--store", store, "restore", "--from", backups, "--in-place");

    assertThat(ok("--store", store, "ls", "players").out()).isEqualTo("p-1\n");
  }

  @Test
  void restoreNeedsExactlyOneDestination() {
    ok("--store", store, "backup", "--to", backups);

    Cli.Run none = cairn("--store", store, "restore", "--from", backups);
    Cli.Run both = cairn("--store", store, "restore", "--from", backups, "--in-place", "--target", "x");

    assertThat(none.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(both.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(none.errLines()).hasSize(1);
  }

  @Test
  void restoreOfAnUnknownSetOrAMissingDirectoryIsOneLine() {
    ok("--store", store, "backup", "--to", backups);

    Cli.Run unknown = cairn("--store", store, "restore", "--from", backups, "--set",
        "20260101T000000000Z-000000000000", "--target", tmp.resolve("c").toString());
    Cli.Run missing = cairn("--store", store, "restore", "--from", tmp.resolve("nope").toString(),
        "--target", tmp.resolve("c").toString());

    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(CairnCli.USAGE);
    assertThat(unknown.errLines()).hasSize(1);
    assertThat(missing.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(missing.err()).contains("no backups at");
  }

  @Test
  void migrateCopiesEveryRecordToAnotherBackend() {
    String target = tmp.resolve("lmdb").toString();

    Cli.Run human = ok("--store", store, "migrate", "--to", "lmdb", "--target", target);
    JsonNode j = json(ok("--store", store, "--json", "migrate", "--to", "h2",
        "--target", tmp.resolve("h2").toString(), "--via", backups));

    assertThat(human.out()).contains("migrated 5 records in 2 collection(s) from sqlite to lmdb");
    assertThat(human.err()).contains("backup:", "restore:");
    assertThat(Path.of(target, "data.mdb")).exists();
    assertThat(ok("--store", target, "get", "players", "p-1").out()).isEqualTo("{\"name\":\"Ada\"}\n");
    assertThat(j.get("records").asLong()).isEqualTo(5);
    assertThat(j.at("/recordsPerCollection/round-paytables").asLong()).isEqualTo(4);
    assertThat(Path.of(backups)).as("--via keeps the logical backup").isNotEmptyDirectory();
  }

  @Test
  void migrateGivesEachBackendItsOwnOptionsAndRefusesTheRest() {
    Cli.Run both = ok("--store", store, "--backend-option", "sqlite.readers=2",
        "--backend-option", "h2.cacheSizeMb=4", "migrate", "--to", "h2",
        "--target", tmp.resolve("h2").toString());
    Cli.Run typo = cairn("--store", store, "--backend-option", "h2.cacheSizeMB=4",
        "migrate", "--to", "h2", "--target", tmp.resolve("h2b").toString());

    assertThat(both.out()).contains("from sqlite to h2");
    assertThat(typo.exitCode()).as(typo.toString()).isEqualTo(CairnCli.USAGE);
    assertThat(typo.err()).contains("cairn: unknown option 'h2.cacheSizeMB' for backend h2;"
        + " did you mean 'h2.cacheSizeMb'?");
  }

  @Test
  void migrateRefusesAnUnknownBackendAndANonEmptyTarget() throws IOException {
    Path full = Files.createDirectories(tmp.resolve("full"));
    Files.writeString(full.resolve("x"), "x");

    Cli.Run unknown = cairn("--store", store, "migrate", "--to", "oracle", "--target", tmp.resolve("t").toString());
    Cli.Run notEmpty = cairn("--store", store, "migrate", "--to", "h2", "--target", full.toString());

    assertThat(unknown.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(unknown.err()).contains("unknown backend 'oracle'; available:");
    assertThat(notEmpty.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(notEmpty.errLines()).hasSize(1);
  }

  @Test
  void aDamagedBackupFailsVerifyWithExitCodeThree() throws IOException {
    ok("--store", store, "backup", "--to", backups);
    Path data;
    try (Stream<Path> files = Files.walk(Path.of(backups))) {
      data = files.filter(p -> p.getFileName().toString().equals("records.cairnlog.gz")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(data, bytes);

    Cli.Run verify = cairn("--store", store, "verify", "--backup", backups);
    Cli.Run restore = cairn("--store", store, "restore", "--from", backups, "--target", tmp.resolve("c").toString());

    assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(CairnCli.CORRUPT);
    assertThat(verify.out()).contains("checksum mismatch");
    assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(CairnCli.ERROR);
    assertThat(restore.err().lines().filter(l -> l.startsWith("cairn: "))).hasSize(1);
    assertThat(restore.err()).doesNotContain("\tat ");
    assertThat(tmp.resolve("c")).doesNotExist();
  }
}
