package dev.cairn.examples;

import dev.cairn.storage.Storage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Picking a backend is one word: the same code runs on SQLite, LMDB and H2. Each needs its
 * module on the class path ({@code cairn-backend-sqlite}, {@code -lmdb}, {@code -h2}); LMDB on
 * Java 17+ also needs {@code --add-opens java.base/java.nio=ALL-UNNAMED --add-opens
 * java.base/sun.nio.ch=ALL-UNNAMED} (the {@code cairn} jar's manifest carries them).
 */
public final class BackendChoice {

  private BackendChoice() {}

  /** Runs the example under {@code args[0]} (default {@code cairn-data/backends}). */
  public static void main(String[] args) {
    run(Path.of(args.length > 0 ? args[0] : "cairn-data/backends"), System.out);
  }

  /** The backends found on the class path, by name. */
  public static List<String> availableBackends() {
    TreeSet<String> names = new TreeSet<>();
    ServiceLoader.load(dev.cairn.storage.spi.BackendProvider.class).forEach(p -> names.add(p.name()));
    return List.copyOf(names);
  }

  /** Stores and reads one record on every available backend; returns the backends used. */
  public static List<String> run(Path root, PrintStream out) {
    List<String> used = new ArrayList<>();
    for (String backend : availableBackends()) {
      try (Storage storage = Storage.builder()
          .directory(root.resolve(backend))
          .backend(backend)                       // <- the one word
          .open()) {
        storage.put("greetings", "hello", "hello from " + backend);
        String back = storage.get("greetings", "hello", String.class).orElseThrow();
        out.printf("%-7s %s (%,d bytes on disk)%n", backend, back, storage.stats().sizeOnDisk());
        used.add(backend);
      }
    }
    return used;
  }
}
