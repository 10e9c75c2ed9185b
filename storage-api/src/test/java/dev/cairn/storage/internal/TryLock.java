package dev.cairn.storage.internal;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Main class of a child JVM for {@link RestoreSwapRecoveryTest}: tries to lock each
 * {@code file@position} argument (position -1: the whole file) and prints {@code free} or
 * {@code held} for each, so the test sees its own process's locks from outside.
 */
final class TryLock {

  private TryLock() {}

  public static void main(String[] args) throws Exception {
    for (String a : args) {
      int at = a.lastIndexOf('@');
      long position = Long.parseLong(a.substring(at + 1));
      try (FileChannel ch = FileChannel.open(Path.of(a.substring(0, at)), StandardOpenOption.WRITE)) {
        FileLock l = position < 0 ? ch.tryLock() : ch.tryLock(position, 1, false);
        System.out.println(l == null ? "held" : "free");
      }
    }
  }
}
