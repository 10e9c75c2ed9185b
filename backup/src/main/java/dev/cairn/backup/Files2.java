package dev.cairn.backup;

import dev.cairn.storage.internal.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File-system helpers: fsync of files and trees, quiet cleanup. A directory's fsync and a tree's
 * deletion are storage-api's {@link Directories}, shared with the recovery of a restore swap.
 */
final class Files2 {

  private static final Logger LOG = LoggerFactory.getLogger(Files2.class);
  static final HexFormat HEX = HexFormat.of();

  private Files2() {}

  /** Forces a file's content to disk. */
  static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /**
   * Forces every file and directory under {@code root} to disk: a store about to be renamed into
   * place must not depend on the durability setting it was written with.
   */
  static void fsyncTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile()) {
          fsync(file);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        Directories.fsync(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Closes {@code c} if not null, logging a failure. */
  static void closeQuietly(java.io.Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      LOG.warn("could not close {}: {}", c, e.toString());
    }
  }

  /** {@link Directories#deleteTree} that logs instead of throwing (cleanup paths). */
  static void deleteTreeQuietly(Path root) {
    if (root == null) {
      return;
    }
    try {
      Directories.deleteTree(root);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not delete {}: {}", root, e.toString());
    }
  }

  /** Whether {@code dir} is absent or an empty directory. */
  static boolean absentOrEmpty(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return true;
    }
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }
}
