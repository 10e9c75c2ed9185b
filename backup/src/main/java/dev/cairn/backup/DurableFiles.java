package dev.cairn.backup;

import dev.cairn.storage.internal.Directories;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Forces files and directory trees to disk before a rename makes them count: an unpacked
 * snapshot, a restored store. A single directory's fsync (after a rename) is storage-api's
 * {@link Directories#fsync}, shared with the recovery of a restore swap.
 */
final class DurableFiles {

  private DurableFiles() {}

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
}
