package dev.cairn.examples.cli;

import static dev.cairn.examples.cli.Cli.cairn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gives one line on stderr, a documented exit code, and no stack trace. */
final class ErrorsTest {

  @TempDir
  Path tmp;

  private static void assertOneLineError(Cli.Run run, int exitCode, String... fragments) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(exitCode);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).as(run.toString()).startsWith("cairn: ").doesNotContain("\tat ", "Exception:");
    assertThat(run.err()).contains(fragments);
  }

  @Test
  void readingAMissingStoreIsAUsageErrorNamingTheDirectory() {
    String missing = tmp.resolve("nowhere").toString();
    for (String[] args : new String[][] {
        {"get", "c", "k"}, {"ls"}, {"stats"}, {"verify"}, {"maintain"}, {"delete", "c", "k"}}) {
      String[] full = Stream.concat(Stream.of("--store", missing), Stream.of(args)).toArray(String[]::new);
      assertOneLineError(cairn(full), CairnCli.USAGE, "no store at " + missing, "does not exist");
    }
    assertThat(tmp.resolve("nowhere")).as("a read command must not create the store").doesNotExist();
  }

  @Test
  void aDirectoryWithoutAStoreIsNotOpened() throws IOException {
    Path empty = Files.createDirectory(tmp.resolve("empty"));

    assertOneLineError(cairn("--store", empty.toString(), "ls"), CairnCli.USAGE, "no Cairn store files");
    assertThat(empty).isEmptyDirectory();
  }

  @Test
  void noStoreAtAllAsksForOne() {
    assertOneLineError(cairn("ls"), CairnCli.USAGE, "--store DIR", "CAIRN_STORE");
  }

  @Test
  void anUnknownBackendListsTheAvailableOnes() {
    Cli.Run run = cairn("--store", tmp.toString(), "--backend", "rocks", "put", "c", "k", "v");

    assertOneLineError(run, CairnCli.USAGE, "unknown backend 'rocks'", "available: ", "h2", "sqlite");
  }

  @Test
  void anUnknownCodecListsTheAvailableOnes() {
    Cli.Run run = cairn("--store", tmp.toString(), "--codec", "lz77", "put", "c", "k", "v");

    assertOneLineError(run, CairnCli.USAGE, "unknown codec 'lz77'", "identity", "zstd");
  }

  @Test
  void anInvalidCollectionNameIsAUsageError() {
    Cli.Run run = cairn("--store", tmp.toString(), "put", "bad name!", "k", "v");

    assertOneLineError(run, CairnCli.USAGE, "collection");
  }

  @Test
  void aCorruptedValueIsReportedByGetAndVerifyAsCorruption() throws IOException {
    String store = tmp.resolve("s").toString();
    String marker = "CORRUPT-ME-" + "z".repeat(30);   // inline (< 64 bytes), stored raw
    assertThat(cairn("--store", store, "put", "c", "k", marker).exitCode()).isZero();
    int flipped = flipByteOf(Path.of(store), marker.getBytes(StandardCharsets.US_ASCII));
    assertThat(flipped).as("occurrences of the value in the store's files").isPositive();

    Cli.Run get = cairn("--store", store, "get", "c", "k");
    Cli.Run verify = cairn("--store", store, "verify");

    assertOneLineError(get, CairnCli.CORRUPT, "c");
    assertThat(get.out()).isEmpty();
    assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(CairnCli.CORRUPT);
    assertThat(verify.out()).contains("1 problem(s)");
  }

  @Test
  void aStoreFileThatIsNotADatabaseIsOneLineAndNonZero() throws IOException {
    String store = tmp.resolve("s").toString();
    assertThat(cairn("--store", store, "put", "c", "k", "v").exitCode()).isZero();
    Path file = Path.of(store, "store.sqlite");
    byte[] garbage = new byte[(int) Files.size(file)];
    java.util.Arrays.fill(garbage, (byte) 0x5A);
    Files.write(file, garbage);

    Cli.Run run = cairn("--store", store, "get", "c", "k");

    assertThat(run.exitCode()).as(run.toString()).isIn(CairnCli.CORRUPT, CairnCli.ERROR);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).doesNotContain("\tat ");
  }

  @Test
  void verboseAddsTheStackTrace() {
    Cli.Run run = cairn("--verbose", "--store", tmp.resolve("nowhere").toString(), "ls");

    assertThat(run.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(run.err()).startsWith("cairn: no store at").contains("\tat ");
  }

  @Test
  void withJsonTheErrorLineIsJson() throws IOException {
    Cli.Run run = cairn("--json", "--store", tmp.resolve("nowhere").toString(), "ls");

    assertThat(run.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(run.errLines()).hasSize(1);
    JsonNode j = new ObjectMapper().readTree(run.err());
    assertThat(j.get("exitCode").asInt()).isEqualTo(CairnCli.USAGE);
    assertThat(j.get("error").asText()).contains("no store at");
  }

  @Test
  void aMisspeltBackendOptionIsRefusedWithTheEnginesMessage() {
    String store = tmp.resolve("s").toString();
    Cli.Run run = cairn("--store", store, "--backend", "sqlite",
        "--backend-option", "sqllite.readers=2", "put", "c", "k", "v");

    assertOneLineError(run, CairnCli.USAGE, "cairn: unknown option 'sqllite.readers' for backend"
        + " sqlite; did you mean 'sqlite.readers'? known options: [sqlite.readers,");
    assertThat(tmp.resolve("s")).as("nothing is created").doesNotExist();
  }

  @Test
  void everyBadOptionIsOneLineOfItsOwn() {
    Cli.Run run = cairn("--store", tmp.resolve("s").toString(), "put", "c", "k", "v",
        "--backend-option", "sqlite.readers=0", "--codec-option", "zstd.level=99");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(CairnCli.USAGE);
    assertThat(run.errLines()).as(run.toString()).containsExactly(
        "cairn: invalid option for backend sqlite: sqlite.readers=0 must be between 1 and 64",
        "cairn: invalid option for codec zstd: zstd.level=99 must be between -7 and 22");
  }

  @Test
  void withJsonBadOptionsAreOneJsonLineWithEveryProblem() throws IOException {
    Cli.Run run = cairn("--json", "--store", tmp.resolve("s").toString(),
        "--backend-option", "SQLITE.READERS=2", "--codec-option", "zstd.level=0", "put", "c", "k",
        "v");

    assertThat(run.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    JsonNode j = new ObjectMapper().readTree(run.err());
    assertThat(j.get("error").asText().lines()).containsExactly(
        "unknown option 'SQLITE.READERS' for backend sqlite; did you mean 'sqlite.readers'?"
            + " known options: [sqlite.readers, sqlite.poolTimeoutMs, sqlite.writerTimeoutMs,"
            + " sqlite.busyTimeoutMs, sqlite.cacheSizeKb, sqlite.mmapSizeBytes, sqlite.pageSize]",
        "invalid option for codec zstd: zstd.level=0 must not be 0");
  }

  @Test
  void aBackendOptionWithoutAValueIsAUsageError() {
    Cli.Run run = cairn("--store", tmp.resolve("s").toString(), "--backend-option", "sqlite.readers",
        "ls");

    assertOneLineError(run, CairnCli.USAGE, "--backend-option", "KEY=VALUE");
  }

  @Test
  void withJsonUsageErrorsAreOneJsonObjectWithExitCodeTwo() throws IOException {
    String store = tmp.resolve("s").toString();
    String[][] commandLines = {
        {"--json", "frobnicate"},                        // unknown command
        {"--json", "ls", "--frobnicate"},                // unknown option
        {"ls", "--frobnicate", "--json"},                // --json after the bad option
        {"--json", "--store", store, "ls", "c", "--limit", "many"},   // a value of the wrong type
        {"--json", "put", "c"},                          // a missing parameter
        {"--json", "help", "frobnicate"},                // help on an unknown command
        {"--json"}};                                     // no command at all
    for (String[] args : commandLines) {
      Cli.Run run = cairn(args);

      assertThat(run.exitCode()).as(run.toString()).isEqualTo(CairnCli.USAGE);
      assertThat(run.out()).as(run.toString()).isEmpty();
      assertThat(run.errLines()).as(run.toString()).hasSize(1);
      JsonNode j = new ObjectMapper().readTree(run.err());
      assertThat(j.isObject()).as(run.toString()).isTrue();
      assertThat(j.get("exitCode").asInt()).as(run.toString()).isEqualTo(CairnCli.USAGE);
      assertThat(j.get("error").asText()).as(run.toString()).isNotBlank().doesNotStartWith("cairn: ");
    }
    assertThat(new ObjectMapper().readTree(cairn("--json", "ls", "--frobnicate").err()).get("error")
        .asText()).contains("--frobnicate", "cairn ls --help");
  }

  @Test
  void withoutJsonUsageErrorsStayPlainText() {
    assertOneLineError(cairn("frobnicate"), CairnCli.USAGE, "frobnicate", "cairn --help");
    assertOneLineError(cairn("ls", "--frobnicate"), CairnCli.USAGE, "--frobnicate");
  }

  @Test
  void aKeyArgumentThatWasNotValidUtf8IsRefusedNamingTheArgument() {
    // what Java hands main() for the argument bytes 61 FF 62: the bad byte became U+FFFD
    String decoded = "a\uFFFDb";
    String store = tmp.resolve("s").toString();

    Cli.Run put = cairn("--store", store, "put", "c", decoded, "v");
    assertOneLineError(put, CairnCli.USAGE, "KEY", "not valid UTF-8", "U+FFFD");
    assertThat(Path.of(store)).as("nothing is created").doesNotExist();

    assertThat(cairn("--store", store, "put", "c", "k", "v").exitCode()).isZero();
    assertOneLineError(cairn("--store", store, "put", "c", "k", decoded), CairnCli.USAGE, "VALUE",
        "--file");
    assertOneLineError(cairn("--store", store, "get", "c", decoded), CairnCli.USAGE, "KEY");
    assertOneLineError(cairn("--store", store, "delete", "c", "k", decoded), CairnCli.USAGE, "KEY");
    assertOneLineError(cairn("--store", store, "ls", "c", "--prefix", decoded), CairnCli.USAGE,
        "--prefix");
    assertThat(cairn("--store", store, "get", "c", "k").out()).as("delete changed nothing")
        .isEqualTo("v\n");
    assertThat(cairn("--store", store, "ls", "c").out()).isEqualTo("k\n");
  }

  @Test
  void aRawInvalidUtf8ByteInTheCommandLineIsRefusedNotStoredAsU_FFFD() throws Exception {
    assumeThat(Path.of("/bin/sh")).as("needs a POSIX shell to pass raw bytes").exists();
    Path store = tmp.resolve("s");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // ProcessBuilder encodes Strings, so a shell's printf writes the raw byte 0xFF into argv
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c",
        "exec \"$0\" -cp \"$1\" " + CairnCli.class.getName()
            + " --store \"$2\" put c \"$(printf 'a\\377b')\" v",
        javaBin, System.getProperty("java.class.path"), store.toString());
    pb.environment().put("LC_ALL", "C.UTF-8");
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process child = pb.start();
    String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();

    assertThat(child.exitValue()).as(err).isEqualTo(CairnCli.USAGE);
    assertThat(err).contains("cairn: KEY", "not valid UTF-8");
    assertThat(store).as("nothing is created").doesNotExist();
  }

  /** Flips one byte in the middle of every occurrence of {@code needle} in the store's files. */
  private static int flipByteOf(Path dir, byte[] needle) throws IOException {
    int flipped = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        boolean changed = false;
        for (int i = 0; i + needle.length <= bytes.length; i++) {
          if (java.util.Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
            bytes[i + needle.length / 2] ^= 0x01;
            changed = true;
            flipped++;
          }
        }
        if (changed) {
          Files.write(f, bytes);
        }
      }
    }
    return flipped;
  }
}
