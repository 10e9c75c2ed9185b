package dev.cairn.backend.h2;

import dev.cairn.storage.spi.Backend;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Main of the child JVM the lock test starts (not a test itself): {@code hold DIR} opens the
 * store, prints {@code open} and waits to be killed.
 */
final class H2ChildProcess {

  private H2ChildProcess() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Path dir = Path.of(args[1]);
    switch (args[0]) {
      case "hold" -> {
        Backend backend = H2TestSupport.open(dir);
        out.println("open");
        Thread.sleep(TimeUnit.MINUTES.toMillis(2));
        backend.close();
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  /** Starts a child JVM running {@code main(mode, dir)} with this test classpath. */
  static Process start(String mode, Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Xmx128m");
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add(H2ChildProcess.class.getName());
    cmd.add(mode);
    cmd.add(dir.toString());
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}
