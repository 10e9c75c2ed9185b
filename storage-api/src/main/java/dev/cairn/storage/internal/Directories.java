package dev.cairn.storage.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two directory steps of a restore swap: forcing a directory's entries to disk after a
 * rename, and deleting a directory tree. {@link RestoreSwap}, {@link RestoreSwapRecovery} and
 * cairn-backup's restore share this one copy, so the restorer and the recovery that finishes its
 * work after a crash cannot drift apart. Not API: public only so that cairn-backup can reach it.
 */
public final class Directories {

  private static final Logger LOG = LoggerFactory.getLogger(Directories.class);

  private Directories() {}

  /**
   * Forces a directory's entries (a rename, a new or deleted file) to disk. Platforms that cannot
   * open a directory (Windows) make this a no-op: their rename is durable by other means or not
   * at all.
   */
  public static void fsync(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.trace("cannot fsync directory {}: {}", dir, e.toString());
    }
  }

  /**
   * Deletes a file or a directory tree, without following links; absent is fine, and so is a
   * file that disappears meanwhile.
   */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
        if (exc instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw exc;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        if (exc != null && !(exc instanceof NoSuchFileException)) {
          throw exc;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
