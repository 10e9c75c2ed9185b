package dev.cairn.backup;

import dev.cairn.storage.spi.BackupTarget;
import dev.cairn.storage.internal.Directories;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A {@link BackupTarget} in a local directory. An object {@code a/b} is the file
 * {@code <root>/a/b}. A write goes to a hidden temporary file in the same directory, is forced
 * to disk, renamed over the final name atomically, and the directory is forced too; so after a
 * crash a reader sees the old object or the new one, never a mix. Temporary files left by a
 * crash are hidden from {@link #list()}; names ending in {@code .cairn-tmp} whose last segment
 * starts with a dot are reserved for them.
 */
final class LocalBackupTarget implements BackupTarget {

  static final String TMP_SUFFIX = ".cairn-tmp";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path root;

  LocalBackupTarget(Path root) {
    Objects.requireNonNull(root, "root");
    this.root = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(this.root);
    } catch (IOException e) {
      throw new dev.cairn.storage.BackupException(
          "cannot create backup directory " + this.root + ": " + e, e);
    }
  }

  Path root() {
    return root;
  }

  private Path path(String name) {
    String p = SafeNames.problem(name);
    if (p == null && isTemp(name)) {
      p = "names ending in " + TMP_SUFFIX + " are reserved: " + name;
    }
    if (p != null) {
      throw new IllegalArgumentException("object name: " + p);
    }
    Path resolved = SafeNames.resolveInside(root, name);
    if (resolved == null) {
      throw new IllegalArgumentException("object name escapes the target directory: " + name);
    }
    return resolved;
  }

  private static boolean isTemp(String name) {
    int slash = name.lastIndexOf('/');
    String last = name.substring(slash + 1);
    return last.startsWith(".") && last.endsWith(TMP_SUFFIX);
  }

  @Override
  public void write(String name, InputStream data) throws IOException {
    Objects.requireNonNull(data, "data");
    Path target = path(name);
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong())
        + TMP_SUFFIX);
    boolean done = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(ch);
        data.transferTo(out);
        out.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system of " + dir + " cannot rename atomically", e);
      }
      done = true;
      Directories.fsync(dir);
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  @Override
  public InputStream read(String name) throws IOException {
    Path p = path(name);
    if (!Files.isRegularFile(p)) {
      throw new NoSuchFileException(name);
    }
    return Files.newInputStream(p);
  }

  @Override
  public List<String> list() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(Files::isRegularFile).forEach(p -> {
        String rel = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
        if (!isTemp(rel) && SafeNames.problem(rel) == null) {
          names.add(rel);
        }
      });
    }
    names.sort(null);
    return names;
  }

  @Override
  public boolean delete(String name) throws IOException {
    Path p = path(name);
    boolean existed = Files.isRegularFile(p) && Files.deleteIfExists(p);
    if (existed) {
      Path dir = p.getParent();
      Directories.fsync(dir);
      // remove directories left empty, up to (not including) the root
      while (dir != null && !dir.equals(root) && dir.startsWith(root)) {
        try {
          Files.delete(dir);
        } catch (DirectoryNotEmptyException | NoSuchFileException e) {
          break;
        }
        dir = dir.getParent();
      }
    }
    return existed;
  }

  @Override
  public String toString() {
    return "local backup target " + root;
  }
}
