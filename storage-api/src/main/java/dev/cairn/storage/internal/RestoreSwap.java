package dev.cairn.storage.internal;

import java.io.Closeable;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restorer's side of replacing a store directory with a restored one, crash-safely: the
 * swap journal it writes and holds, and the lock on its staging directory. cairn-backup's
 * {@code BackupManager.restoreOver} drives it; {@link RestoreSwapRecovery}, run by every open of
 * the store, reads what it leaves after a crash — the state machine, the file format and the
 * recovery are documented there. Not API: public only so that cairn-backup can reach it, and
 * kept here so that the format has one writer and one reader in one module.
 *
 * <p><b>Locks within one JVM.</b> POSIX record locks belong to the process, and closing
 * <em>any</em> descriptor of a file drops all of the process's locks on it — also when another
 * thread opened it just to look. So no code of this JVM may open a journal or staging lock file
 * that this JVM holds: holders register here first ({@link #JOURNALS_HELD},
 * {@link #STAGING_HELD}) and {@link RestoreSwapRecovery} consults the registry before it opens
 * anything.
 */
public final class RestoreSwap implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(RestoreSwap.class);

  /** The locked byte of a journal, beyond its content: reads are never blocked (Windows). */
  static final long LOCK_POSITION = 1L << 40;
  static final int VERSION = 1;
  /** The lock file inside a staging directory that a restorer is working in. */
  static final String STAGING_LOCK = "restore.lock";

  /** Journals this JVM holds — by a restorer or by an open recovering one — and who holds them. */
  static final ConcurrentHashMap<Path, Holder> JOURNALS_HELD = new ConcurrentHashMap<>();
  /** Staging directories that restores of this JVM are working in. */
  static final Set<Path> STAGING_HELD = ConcurrentHashMap.newKeySet();

  /**
   * Who holds a journal in this JVM.
   *
   * @param thread the holding thread's id
   * @param old for a restorer, the name its store directory is renamed to; null for an open
   * @param staging for a restorer, its staging directory's name; null for an open
   */
  record Holder(long thread, String old, String staging) {
    boolean isRestorer() {
      return old != null;
    }
  }

  private final Path file;
  private final Holder holder;
  private final FileChannel channel;
  private final Object fileKey;
  private long size;
  private boolean released;

  private RestoreSwap(Path file, Holder holder, FileChannel channel, Object fileKey) {
    this.file = file;
    this.holder = holder;
    this.channel = channel;
    this.fileKey = fileKey;
  }

  /** The journal's path beside the store directory {@code dir}: {@code <parent>/.<name>.swap}. */
  public static Path journalFor(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    return d.resolveSibling("." + d.getFileName() + ".swap");
  }

  /**
   * Creates the journal of a swap of {@code dir} in state {@code begin}, locks it, and forces it
   * and its directory entry to disk. Call it before closing the live store; from then until
   * {@link #finish()} or {@link #close()} every open of {@code dir} but the calling thread's
   * fails with "a restore is in progress".
   *
   * @param old where the restorer will rename {@code dir}: a sibling {@code <name>.old-...}
   * @param staging the restorer's staging directory, a sibling {@code .<name>.restore-...}
   * @throws IOException if a journal exists already (a restore in progress, or one a crash
   *     left that no open has finished yet), or it cannot be written
   */
  public static RestoreSwap begin(Path dir, Path old, Path staging, String setId)
      throws IOException {
    Path d = dir.toAbsolutePath().normalize();
    Path file = journalFor(d);
    long thread = Thread.currentThread().getId();
    Holder holder =
        new Holder(thread, old.getFileName().toString(), staging.getFileName().toString());
    if (JOURNALS_HELD.putIfAbsent(file, holder) != null) {
      throw new IOException("another restore over " + d + ", or an open of it, is running in this"
          + " process");
    }
    FileChannel ch = null;
    try {
      try {
        ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        throw new IOException("the restore journal " + file + " exists: another restore over " + d
            + " is in progress, or one was interrupted and the store was not opened since (an"
            + " open finishes it)", e);
      }
      Object key = fileKey(file);
      if (key == null) {
        throw new IOException("the new restore journal " + file + " was removed by a concurrent"
            + " open of " + d + "; try again");
      }
      FileLock lock;
      try {
        lock = ch.tryLock(LOCK_POSITION, 1, false);
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IOException("the new restore journal " + file + " was locked by a concurrent"
            + " open of " + d + "; try again");
      }
      RestoreSwap swap = new RestoreSwap(file, holder, ch, key);
      swap.append("begin v=" + VERSION + " set=" + enc(setId) + " dir="
          + enc(d.getFileName().toString()) + " old=" + enc(old.getFileName().toString())
          + " staging=" + enc(staging.getFileName().toString()) + " pid="
          + ProcessHandle.current().pid() + " thread=" + thread + " nonce="
          + HexFormat.of().toHexDigits(new SecureRandom().nextLong()));
      Directories.fsync(file.getParent());
      // an open of another process may have found the file still empty (before we locked it)
      // and deleted it as torn: then ours is no longer at the path and guards nothing
      if (!Objects.equals(key, fileKey(file))) {
        throw new IOException("the new restore journal " + file + " was removed by a concurrent"
            + " open of " + d + "; try again");
      }
      return swap;
    } catch (IOException | RuntimeException | Error e) {
      if (ch != null) {
        ch.close();
      }
      JOURNALS_HELD.remove(file, holder);
      throw e;
    }
  }

  /**
   * Records, forced to disk, that the restored store was reopened and verified: a crash from
   * now on rolls the restore forward (deletes the previous store) instead of back.
   */
  public void commit() throws IOException {
    append("commit");
  }

  /** The swap is over, rolled back or forward: deletes the journal, then releases it. */
  public void finish() throws IOException {
    try {
      if (Objects.equals(fileKey, fileKey(file))) {
        Files.deleteIfExists(file);
        Directories.fsync(file.getParent());
      }
    } finally {
      close();
    }
  }

  /** Releases the journal and leaves it in place: the next open of the store finishes the swap. */
  @Override
  public void close() {
    if (released) {
      return;
    }
    released = true;
    try {
      channel.close();
    } catch (IOException e) {
      LOG.warn("cannot release the restore journal {}: {}", file, e.toString());
    } finally {
      JOURNALS_HELD.remove(file, holder);
    }
  }

  /** The journal file. */
  public Path file() {
    return file;
  }

  /**
   * Creates a restore's staging directory (which must not exist) and locks the
   * {@value #STAGING_LOCK} in it until the returned handle is closed: an open of the store
   * deletes staging directories that crashed restores left, and skips a locked one.
   */
  public static Closeable lockStaging(Path staging) throws IOException {
    Path s = staging.toAbsolutePath().normalize();
    Files.createDirectory(s);
    STAGING_HELD.add(s);
    FileChannel ch = null;
    try {
      ch = FileChannel.open(s.resolve(STAGING_LOCK), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      if (ch.tryLock() == null) {
        throw new IOException("cannot lock " + s.resolve(STAGING_LOCK));
      }
      FileChannel locked = ch;
      return () -> {
        try {
          locked.close();
        } finally {
          STAGING_HELD.remove(s);
        }
      };
    } catch (IOException | RuntimeException | Error e) {
      if (ch != null) {
        ch.close();
      }
      STAGING_HELD.remove(s);
      throw e;
    }
  }

  private void append(String record) throws IOException {
    ByteBuffer line = ByteBuffer.wrap((record + " crc=" + RestoreSwapRecovery.Journal.crc(record)
        + "\n").getBytes(StandardCharsets.UTF_8));
    while (line.hasRemaining()) {
      size += channel.write(line, size);
    }
    channel.force(true);
  }

  /** The file's identity (device and inode where the platform has them), read without opening it. */
  static Object fileKey(Path p) throws IOException {
    try {
      BasicFileAttributes a =
          Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return a.fileKey() != null ? a.fileKey() : a.creationTime();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
