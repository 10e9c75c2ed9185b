package dev.cairn.storage.internal;

import dev.cairn.storage.BackendException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's exclusive lock on a store directory ({@value #FILE}), held while the store is
 * open, so that no other process (or open in this JVM) uses the store at the same time.
 *
 * <p>Opens in this JVM are refused through a registry before the lock file is touched: the lock
 * is a POSIX record lock, and closing <em>any</em> channel of the file in this process releases
 * every lock the process holds on it — so a second open that merely opened and closed the lock
 * file after failing to lock it would silently unlock the first, and let another process in.
 */
final class StoreLock implements AutoCloseable {

  static final String FILE = "cairn.lock";

  /** The lock files held by stores open in this JVM. */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private StoreLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks the store in {@code dir} (which must exist).
   *
   * @throws BackendException if it is open in this JVM or another process, or the lock file
   *     cannot be created
   */
  static StoreLock acquire(Path dir) {
    Path file;
    try {
      file = dir.toRealPath().resolve(FILE);
    } catch (IOException e) {
      throw new BackendException("cannot resolve store directory " + dir + ": " + e, e);
    }
    if (!HELD.add(file)) {
      throw new BackendException("store " + dir + " is already open in this JVM");
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // cannot happen while the registry is consulted first; treated as held
      }
      if (lock == null) {
        throw new BackendException("store " + dir + " is already open by another process");
      }
      return new StoreLock(file, channel, lock);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel); // no other channel of ours on this file: closing it unlocks nothing
      HELD.remove(file);
      if (e instanceof BackendException be) {
        throw be;
      }
      throw new BackendException("cannot open " + file + " (is the directory writable?): " + e, e);
    }
  }

  /** Releases the lock. Idempotent. */
  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      throw new BackendException("cannot release the lock " + file + ": " + e, e);
    } finally {
      HELD.remove(file);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing was locked through it
      }
    }
  }
}
