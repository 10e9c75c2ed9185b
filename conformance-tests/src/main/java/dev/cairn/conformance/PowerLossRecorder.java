package dev.cairn.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Builds the LD_PRELOAD recorder of {@link PowerLossHarness} from its C source (a resource of
 * the kit) with the machine's C compiler, once per JVM.
 *
 * <p>Not on Linux: the harness is skipped (a JUnit assumption, reported with the reason), since
 * it relies on glibc symbol interposition and {@code /proc/self/fd}. On Linux without a C
 * compiler it fails: a missing {@code cc} is a broken build machine, not a reason to pass.
 */
final class PowerLossRecorder {

  /** System property naming the C compiler (default: {@code $CC}, else {@code cc}). */
  static final String CC_PROPERTY = "cairn.powerloss.cc";
  private static final String SOURCE = "powerloss-recorder.c";

  private static Path library;

  private PowerLossRecorder() {}

  /** The compiled shared library. */
  static synchronized Path library() {
    if (library != null) {
      return library;
    }
    String os = System.getProperty("os.name", "");
    Assumptions.assumeTrue(os.toLowerCase(Locale.ROOT).contains("linux"),
        () -> "the power-loss harness needs Linux (LD_PRELOAD into glibc, /proc/self/fd); this is "
            + os + ": skipped");
    String cc = System.getProperty(CC_PROPERTY);
    if (cc == null || cc.isBlank()) {
      String env = System.getenv("CC");
      cc = env == null || env.isBlank() ? "cc" : env;
    }
    try {
      Path dir = Files.createTempDirectory("cairn-powerloss-");
      Path src = dir.resolve(SOURCE);
      Path lib = dir.resolve("libcairn-powerloss.so");
      try (InputStream in = PowerLossRecorder.class.getResourceAsStream(SOURCE)) {
        if (in == null) {
          throw new IllegalStateException("the kit's resource " + SOURCE + " is missing");
        }
        Files.copy(in, src);
      }
      List<String> cmd = List.of(cc, "-shared", "-fPIC", "-O2", "-o", lib.toString(),
          src.toString(), "-ldl", "-lpthread");
      Process p;
      try {
        p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      } catch (IOException e) {
        throw new IllegalStateException("the power-loss harness compiles its LD_PRELOAD recorder"
            + " (" + SOURCE + ") with a C compiler, but '" + cc + "' cannot be run (" + e.getMessage()
            + "). Install one (Debian/Ubuntu: apt-get install gcc) or name it with -D"
            + CC_PROPERTY + "=/path/to/cc", e);
      }
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("compiling the power-loss recorder timed out: " + cmd);
      }
      if (p.exitValue() != 0 || !Files.exists(lib)) {
        throw new IllegalStateException("compiling the power-loss recorder failed (exit "
            + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + output);
      }
      dir.toFile().deleteOnExit(); // deleted in reverse order: the files first
      src.toFile().deleteOnExit();
      lib.toFile().deleteOnExit();
      library = lib;
      return lib;
    } catch (IOException e) {
      throw new IllegalStateException("cannot build the power-loss recorder: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while compiling the power-loss recorder", e);
    }
  }
}
