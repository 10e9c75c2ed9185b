package dev.cairn.integration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The results file of {@code integration-tests/soak/run}: one JSON line per run, appended to the
 * file named by the system property {@value #PROPERTY} (nothing is written without it). A run
 * that failed writes nothing: its test fails, and the script stops.
 */
final class SoakResults {

  static final String PROPERTY = "cairn.soak.results";

  private SoakResults() {}

  static boolean enabled() {
    return System.getProperty(PROPERTY) != null;
  }

  static void append(String jsonLine) {
    String file = System.getProperty(PROPERTY);
    if (file == null) {
      return;
    }
    try {
      Files.writeString(Path.of(file), jsonLine + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file, e);
    }
  }
}
