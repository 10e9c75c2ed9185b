package dev.cairn.backup;

import dev.cairn.storage.internal.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temporary directories backups and verifications stage files in, and restores build a store
 * in: created under a parent, deleted when the operation ends without failing it (what cannot be
 * deleted is logged).
 */
final class WorkDirectories {

  private static final Logger LOG = LoggerFactory.getLogger(WorkDirectories.class);

  private WorkDirectories() {}

  /** A new, empty directory {@code <prefix><random>} under {@code parent} (created if absent). */
  static Path create(Path parent, String prefix) throws IOException {
    return Files.createTempDirectory(Files.createDirectories(parent), prefix);
  }

  /** Deletes a working directory and all in it; logs instead of throwing. Null is fine. */
  static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      Directories.deleteTree(dir);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not delete {}: {}", dir, e.toString());
    }
  }
}
