package dev.cairn.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A disk that refuses writes, for real: a child JVM writes under a file-size limit
 * ({@code ulimit -f}, so the kernel fails the write that would grow a file past it with
 * {@code EFBIG}, as a full disk fails it with {@code ENOSPC}) until a write fails. The failure
 * must be a {@code StorageException} and not take the JVM down; afterwards the store, reopened
 * without the limit, must hold every acknowledged value intact, pass {@code verify()}, and take
 * new writes.
 */
@Tag("slow")
@EnabledOnOs({OS.LINUX, OS.MAC}) // needs bash's ulimit
final class FullDiskTest {

  /** The file-size limit in KiB: well above the native libraries the child extracts. */
  private static final int LIMIT_KIB = 3 * 1024;

  @TempDir Path dir;

  /**
   * What each backend reports for a file that cannot grow. SQLite reports any failed write as
   * {@code SQLITE_IOERR_WRITE} without the errno (a real full disk is {@code SQLITE_FULL}, which
   * maps to {@code StorageFullException}); LMDB and H2 name {@code EFBIG}.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "sqlite, BackendException,     SQLITE_IOERR_WRITE",
      "lmdb,   StorageFullException, file too large",
      "h2,     StorageFullException, File too large",
  })
  void aRefusedWriteFailsCleanlyAndLosesNothing(String backend, String exception, String cause)
      throws Exception {
    Path store = dir.resolve("store");
    List<String> lines = runChild(store, backend);
    String context = backend + " child said:\n  " + String.join("\n  ", tail(lines));

    int acked = (int) lines.stream().filter(l -> l.startsWith("ack ")).count();
    System.out.println("[full disk] " + backend + ": " + acked + " acknowledged, then "
        + String.join(" | ", tail(lines)));
    String fail = line(lines, "fail ");
    assertThat(acked).as("acknowledged writes before the limit; %s", context).isPositive();
    assertThat(fail).as(context).isNotNull().doesNotStartWith("fail none");
    assertThat(fail).as("the failed write's exception; %s", context)
        .startsWith("fail dev.cairn.storage." + exception + " ");
    if (cause != null) {
      assertThat(fail).as("the failed write names the cause; %s", context).contains(cause);
      String again = line(lines, "again ");
      assertThat(again).as("a second write names the same cause; %s", context)
          .satisfiesAnyOf(a -> assertThat(a).isEqualTo("again ok"), a -> assertThat(a).contains(cause));
    }
    assertThat(line(lines, "close ")).as("the child reached close; %s", context).isNotNull();
    for (String step : new String[] {"read ", "again ", "close "}) {
      assertThat(line(lines, step)).as("%s after the failure; %s", step.trim(), context)
          .matches(step + "(ok|dev\\.cairn\\.storage\\.\\w+Exception .+)");
    }

    try (Storage s = Storage.builder().directory(store).backend(backend)
        .noScheduledMaintenance().open()) {
      for (int i = 0; i < acked; i++) {
        byte[] expected = FullDiskWriter.value(i);
        assertThat(s.getBytes(FullDiskWriter.COLLECTION, "k" + i))
            .as("acknowledged value k%d after reopen; %s", i, context)
            .hasValueSatisfying(v -> assertThat(v).isEqualTo(expected));
      }
      // the refused write was never acknowledged: absent, or whole if it reached its commit
      s.getBytes(FullDiskWriter.COLLECTION, "k" + acked).ifPresent(v ->
          assertThat(v).as("the refused write, if present; %s", context)
              .isEqualTo(FullDiskWriter.value(acked)));
      StorageAdmin.VerificationReport report = s.admin().verify();
      assertThat(report.problems()).as("verify after the refused write; %s", context).isEmpty();
      s.putBytes(FullDiskWriter.COLLECTION, "after", FullDiskWriter.value(-1));
      assertThat(s.getBytes(FullDiskWriter.COLLECTION, "after")).isPresent();
    }
  }

  private List<String> runChild(Path store, String backend) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", "-c",
        "ulimit -f " + LIMIT_KIB + " && exec \"$@\"", "bash"));
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        FullDiskWriter.class.getName(), store.toString(), backend));
    Path err = dir.resolve("child-" + backend + ".err");
    Process child = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
      }
    }
    if (!child.waitFor(120, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new AssertionError(backend + " child did not finish in 120 s");
    }
    assertThat(child.exitValue())
        .as("%s child exit code (a native crash or an escaped exception is not 0); stderr:%n%s",
            backend, Files.readString(err))
        .isZero();
    return lines;
  }

  private static String line(List<String> lines, String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
  }

  private static List<String> tail(List<String> lines) {
    return lines.stream().filter(l -> !l.startsWith("ack ")).toList();
  }
}
