package dev.cairn.storage.internal;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.BackendProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code cairn.store}, the file that says which backend a store directory belongs to, so that a
 * backend never opens (and creates a new empty store among) another backend's files. A
 * properties file:
 *
 * <pre>
 * # Cairn store: the backend that holds this directory's data. Written by Cairn; do not edit.
 * backend=sqlite
 * format=1
 * </pre>
 *
 * <p>At open, under the engine's lock: a directory whose marker names another backend is refused
 * naming it. A directory without a marker is either new or a store written before markers
 * existed: it is opened if it is empty or holds one of the chosen backend's
 * {@link BackendProvider#storeFiles() store files}, and refused otherwise, naming the installed
 * backend whose files it holds, if any. The marker is then written once the store has opened.
 * Names starting with {@code cairn.} are the engine's ({@code cairn.lock}, this file),
 * {@code lost+found} and hidden files (a leading dot) are not a store's: none of them makes a
 * directory non-empty.
 */
final class StoreMarker {

  static final String FILE = "cairn.store";
  /** The layout of the file this version writes and reads. */
  static final int FORMAT = 1;
  private static final String ENGINE_PREFIX = "cairn.";
  private static final int NAMES_SHOWN = 5;

  private static final Logger LOG = LoggerFactory.getLogger(StoreMarker.class);

  private StoreMarker() {}

  /**
   * Checks that {@code dir} may be opened with {@code chosen}.
   *
   * @param installed every backend provider found (to name the owner of foreign files)
   * @return whether {@code dir} has a marker (if not, {@link #write} it once the store opened)
   * @throws BackendException if the directory belongs to another backend or holds foreign files
   * @throws DataCorruptionException if the marker cannot be read or parsed
   */
  static boolean check(Path dir, BackendProvider chosen, Collection<BackendProvider> installed) {
    Path file = dir.resolve(FILE);
    if (Files.exists(file)) {
      String owner = read(file);
      if (!owner.equals(chosen.name())) {
        boolean known = installed.stream().anyMatch(p -> p.name().equals(owner));
        throw new BackendException("directory " + dir + " holds a store of backend '" + owner
            + "' (named in " + FILE + "), not '" + chosen.name() + "'; open it with backend(\""
            + owner + "\")" + (known ? "" : " (not installed here)")
            + " or choose another directory");
      }
      return true;
    }
    List<String> entries = storeEntries(dir);
    if (entries.isEmpty()) {
      return false; // a new store
    }
    Map<String, List<String>> claimed = new TreeMap<>(); // backend -> its files found here
    for (BackendProvider p : installed) {
      List<String> own = entries.stream().filter(p.storeFiles()::contains).toList();
      if (!own.isEmpty()) {
        claimed.put(p.name(), own);
      }
    }
    List<String> mine = entries.stream().filter(chosen.storeFiles()::contains).toList();
    if (!mine.isEmpty()) {
      claimed.put(chosen.name(), mine);
      if (claimed.size() == 1) {
        return false; // a store written before markers existed
      }
      throw new BackendException("directory " + dir + " holds files of backends "
          + describe(claimed) + "; move all but one store out");
    }
    if (!claimed.isEmpty()) {
      String owner = claimed.keySet().iterator().next();
      throw new BackendException("directory " + dir + " holds files of backend "
          + describe(claimed) + ", not of '" + chosen.name() + "'; open it with backend(\""
          + owner + "\") or choose another directory");
    }
    throw new BackendException("directory " + dir + " is not empty and holds no files of backend '"
        + chosen.name() + "' (found " + shown(entries) + "): it may be a store of a backend not"
        + " installed here; open it with the backend that created it, or choose an empty directory");
  }

  /** Writes the marker naming {@code backend}; a failure is logged (the next open retries). */
  static void write(Path dir, String backend) {
    String text = "# Cairn store: the backend that holds this directory's data."
        + " Written by Cairn; do not edit.\n"
        + "backend=" + escape(backend) + "\n"
        + "format=" + FORMAT + "\n";
    Path tmp = dir.resolve(FILE + ".tmp");
    Path file = dir.resolve(FILE);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      // No fsync of the directory, on purpose: a marker lost to a power loss costs nothing (the
      // next open recognises the store by its backend's storeFiles() and writes it again), and
      // syncing the directory here would also make the backend's own new files durable, hiding
      // a backend that forgets to sync their directory entries from the power-loss harness.
    } catch (IOException e) {
      LOG.warn("cannot write {} in {} (the store works; the next open tries again): {}", FILE,
          dir, e.toString());
    }
  }

  /** The backend the marker names. */
  private static String read(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file);
        Reader r = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder())) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new DataCorruptionException(file + " is damaged: " + e, e);
    }
    String format = p.getProperty("format", "").strip();
    int version;
    try {
      version = Integer.parseInt(format);
    } catch (NumberFormatException e) {
      version = 0;
    }
    if (version < 1) {
      throw new DataCorruptionException(file + " is damaged: no valid 'format' (got '" + format
          + "'); it names the backend of the store in this directory");
    }
    if (version > FORMAT) {
      throw new BackendException(file + " has format " + version + ", newer than this Cairn"
          + " version reads (" + FORMAT + "); upgrade Cairn");
    }
    String backend = p.getProperty("backend", "").strip();
    if (backend.isEmpty()) {
      throw new DataCorruptionException(file + " is damaged: it names no 'backend'");
    }
    return backend;
  }

  /** The directory's entries that may be a store's, sorted. */
  private static List<String> storeEntries(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith(ENGINE_PREFIX) && !n.startsWith(".") && !n.equals("lost+found"))
          .sorted().toList();
    } catch (IOException e) {
      throw new BackendException("cannot list store directory " + dir + ": " + e, e);
    }
  }

  private static String describe(Map<String, List<String>> claimed) {
    return claimed.entrySet().stream().map(e -> "'" + e.getKey() + "' (" + shown(e.getValue())
        + ")").collect(Collectors.joining(" and "));
  }

  private static String shown(List<String> names) {
    List<String> s = new ArrayList<>(names.subList(0, Math.min(NAMES_SHOWN, names.size())));
    if (names.size() > NAMES_SHOWN) {
      s.add("... " + (names.size() - NAMES_SHOWN) + " more");
    }
    return String.join(", ", s);
  }

  /** A properties value as written by {@link Properties#store}: backslash escapes. */
  private static String escape(String value) {
    StringBuilder b = new StringBuilder();
    for (char c : value.toCharArray()) {
      if (c == '\\' || c == '=' || c == ':' || c == '#' || c == '!' || c == ' ') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

}
