package dev.cairn.storage.internal;

import dev.cairn.storage.BackendException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes, when a store is opened, a restore over it that a crash interrupted, and removes
 * what crashed restores left beside its directory. Runs in every open, so an application that
 * reopens with a plain {@code Storage.builder()} (no backup module) finds either the complete
 * previous store or the complete restored one — never nothing, never a new empty store.
 *
 * <h2>The swap</h2>
 *
 * <p>{@code BackupManager.restoreOver} (cairn-backup) replaces a store directory {@code D} with
 * a restored store it built and verified in a staging directory {@code .D.restore-<r>} (its
 * own {@code restore.lock} locked while the restorer works). Before it touches {@code D} it
 * writes the <b>swap journal</b> {@code .D.swap} beside {@code D}, forces it and the parent
 * directory to disk, and holds an exclusive lock on it until the swap is over. Then it closes
 * the live store, renames {@code D} to {@code D.old-<set>} and the staged store to {@code D}
 * (each rename followed by an fsync of the parent), reopens and verifies {@code D}, appends
 * {@code commit} to the journal (forced), deletes {@code D.old-<set>} and the staging
 * directory, and deletes the journal.
 *
 * <h2>States and recovery</h2>
 *
 * <table>
 *   <caption>what the journal's last complete record says, and what an open does about it</caption>
 *   <tr><th>journal</th><th>possible directories</th><th>recovery</th></tr>
 *   <tr><td>absent</td><td>{@code D}; maybe stray {@code .D.restore-*}, {@code D.old-*}</td>
 *       <td>nothing to finish; strays: see below</td></tr>
 *   <tr><td>no complete header (torn while being written)</td><td>{@code D} untouched: nothing is
 *       renamed before the header is on disk</td><td>delete the journal</td></tr>
 *   <tr><td>{@code begin}: restore not confirmed</td><td>{@code D} old; or {@code D.old} only;
 *       or {@code D.old} + {@code D} restored</td><td><b>roll back</b>: move a restored
 *       {@code D} aside, rename {@code D.old} back to {@code D}, delete the staging directory and
 *       the journal</td></tr>
 *   <tr><td>{@code commit}: restored store reopened and verified</td><td>{@code D} restored, maybe
 *       a partly deleted {@code D.old}</td><td><b>roll forward</b>: delete {@code D.old} and the
 *       staging directory, then the journal</td></tr>
 * </table>
 *
 * <p>Every step of a recovery is idempotent and the journal is deleted last, so a crash during
 * recovery is recovered by the next open. A journal whose directories contradict its state (no
 * {@code D} and no {@code D.old} in state {@code begin}; no {@code D} in state {@code commit})
 * makes the open fail with a {@link BackendException} rather than create an empty store.
 *
 * <p><b>Locking.</b> A journal locked by another process, or held by another thread of this
 * JVM, means a restore (or another open's recovery) is in progress: the open fails with a
 * {@link BackendException} saying so, rather than recovering under a live restorer. The
 * restorer's own reopen of {@code D} (the thread that holds the journal, see
 * {@link RestoreSwap#JOURNALS_HELD}) passes and changes nothing. After the store lock is taken
 * the journal is looked for again: a restorer closes its live store only after writing the
 * journal, so an open that got the store lock and finds no journal is not racing a swap.
 *
 * <p><b>Strays</b> (no journal refers to them). With {@code D} missing or empty and exactly one
 * {@code D.old-*}, that directory is the only copy of the data of a restore killed between its
 * renames by an older Cairn: it is renamed back to {@code D} (several: the open fails, naming
 * them). With {@code D} present, {@code D.old-*} directories are reported and left in place: a
 * stray one cannot be proven superseded (an older Cairn recreated an empty {@code D} after such
 * a crash). Staging directories {@code .D.restore-*} whose {@code restore.lock} nobody holds are
 * deleted: they hold only copies made from a backup. Strays are recognised only by the exact
 * names restores give them ({@code D.old-<set id>[-n]}, {@code .D.restore-<hex>}), so a
 * directory someone named {@code D.old-manual} is never moved, deleted or reported.
 *
 * <p>Everything found and done is logged at WARN and kept in {@link #report()}, which
 * {@code StorageAdmin.restoreLeftovers()} returns.
 *
 * <h2>Journal format</h2>
 *
 * <p>UTF-8 lines, each {@code <record> crc=<8 hex digits>\n} with the CRC32C of {@code <record>};
 * a line that is incomplete or fails its CRC ends the journal (a torn append). Values are
 * URL-encoded. The first line is the header, then at most one {@code commit}:
 *
 * <pre>
 * begin v=1 set=&lt;setId&gt; dir=&lt;D's name&gt; old=&lt;D.old's name&gt; staging=&lt;.D.restore-r's name&gt; pid=&lt;n&gt; thread=&lt;n&gt; nonce=&lt;hex&gt; crc=...
 * commit crc=...
 * </pre>
 *
 * <p>The lock is on one byte at {@link RestoreSwap#LOCK_POSITION}, beyond the content, so that
 * reading the journal is never blocked where locks are mandatory (Windows). {@link RestoreSwap}
 * writes this format.
 */
final class RestoreSwapRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(RestoreSwapRecovery.class);

  private static final int ATTEMPTS = 5;
  /** After {@code <name>.old-}: a backup set id, and a counter when that name was taken. */
  private static final Pattern OLD_SUFFIX =
      Pattern.compile("\\d{8}T\\d{9}Z-[0-9a-f]{12}(-\\d{1,9})?");
  /** After {@code .<name>.restore-}: a restore's random hex, or a recovery's set-aside copy. */
  private static final Pattern STAGING_SUFFIX = Pattern.compile("(rolledback-)?[0-9a-f]{1,16}");

  private final Path dir;
  private final Path parent;
  private final String name;
  private final Path journal;
  private final List<String> report = new ArrayList<>();
  /** This thread's own restore, if this open is the restorer's reopen. */
  private RestoreSwap.Holder own;

  RestoreSwapRecovery(Path directory) {
    this.dir = directory.toAbsolutePath().normalize();
    this.parent = dir.getParent();
    this.name = dir.getFileName() == null ? "" : dir.getFileName().toString();
    this.journal = parent == null ? null : RestoreSwap.journalFor(dir);
  }

  /** What was found and done, one line each; empty if nothing. */
  List<String> report() {
    return List.copyOf(report);
  }

  // ------------------------------------------------------------------- before the store lock

  /**
   * Before the store directory is created or locked: finishes an interrupted swap (rolls it
   * back or forward) and moves a lone stray {@code D.old-*} back when {@code D} is missing.
   *
   * @throws BackendException if a restore is in progress, or the directories contradict the
   *     journal, or several old copies compete for a missing {@code D}
   */
  void beforeOpen() {
    if (journal == null) {
      return; // a file-system root: nothing can sit beside it
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        if (Files.exists(journal, LinkOption.NOFOLLOW_LINKS)) {
          if (!recoverJournal()) {
            continue; // it went away or changed under us: look again
          }
          if (own != null) {
            return; // the restorer reopening: it finishes its own swap
          }
        }
        if (moveBackLoneOld()) {
          return;
        }
      } catch (NoSuchFileException e) {
        LOG.debug("{} changed while recovering ({}); looking again", dir, e.toString());
        continue;
      } catch (IOException e) {
        throw new BackendException("cannot finish the interrupted restore over " + dir + ": " + e,
            e);
      }
    }
    throw new BackendException("the directories beside " + dir + " kept changing while it was"
        + " being opened (a restore or another open running at the same time?); try again");
  }

  /**
   * Handles the journal at its path. Returns false if it vanished or was replaced before it
   * could be locked (the caller looks again), true when it was recovered or is this thread's
   * own restore's.
   */
  private boolean recoverJournal() throws IOException {
    long thread = Thread.currentThread().getId();
    RestoreSwap.Holder me = new RestoreSwap.Holder(thread, null, null);
    RestoreSwap.Holder holder = RestoreSwap.JOURNALS_HELD.putIfAbsent(journal, me);
    if (holder != null) {
      // held in this JVM: never open the file then, closing it would drop the holder's lock
      if (holder.isRestorer() && holder.thread() == thread) {
        own = holder; // the restorer reopening the store: it finishes its own swap
        return true;
      }
      throw inProgress("by another thread of this process");
    }
    try {
      Object key = RestoreSwap.fileKey(journal);
      if (key == null) {
        return false;
      }
      try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        FileLock lock;
        try {
          lock = ch.tryLock(RestoreSwap.LOCK_POSITION, 1, false);
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          throw inProgress("by another process");
        }
        if (!key.equals(RestoreSwap.fileKey(journal))) {
          return false; // finished and deleted, or replaced, after we looked
        }
        recover(Journal.parse(readAll(ch)));
        return true;
      }
    } finally {
      RestoreSwap.JOURNALS_HELD.remove(journal, me);
    }
  }

  private BackendException inProgress(String holder) {
    return new BackendException("a restore over " + dir + " is in progress (its journal " + journal
        + " is locked " + holder + "); open the store when the restore has finished");
  }

  private void recover(Journal j) throws IOException {
    if (j.torn) {
      found("found the restore journal " + journal + " with no complete header: the restoring"
          + " process died while writing it, before it moved anything; deleted it");
      deleteJournal();
      return;
    }
    Path old = sibling(j.old, name + ".old-");
    Path staging = sibling(j.staging, "." + name + ".restore-");
    if (!name.equals(j.dir) || old == null || staging == null) {
      throw new BackendException("the restore journal " + journal + " does not describe a restore"
          + " of " + dir + " (it names " + j.dir + ", " + j.old + ", " + j.staging + "); move it"
          + " away after checking the directories beside the store");
    }
    boolean dirExists = Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
    boolean oldExists = Files.exists(old, LinkOption.NOFOLLOW_LINKS);
    if (j.committed) {
      if (!dirExists) {
        throw new BackendException("the restore of set " + j.set + " over " + dir + " was confirmed"
            + " but " + dir + " is missing" + (oldExists ? "; the previous data is in " + old
            : "") + ": refusing to create an empty store (journal " + journal + ")");
      }
      Directories.deleteTree(old);
      Directories.deleteTree(staging);
      Directories.fsync(parent);
      deleteJournal();
      found("finished the restore of set " + j.set + " over " + dir + " that a crash interrupted"
          + " after it was verified: " + (oldExists ? "deleted the previous store " + old
          : "the previous store was already deleted") + "; deleted the staging directory "
          + staging.getFileName());
      return;
    }
    String did;
    if (oldExists) {
      if (dirExists) {
        // D is the restored copy (the original is in old): set it aside, then put old back
        Path aside = parent.resolve("." + name + ".restore-rolledback-" + random());
        move(dir, aside);
        move(old, dir);
        Directories.deleteTree(aside);
        did = "moved the restored copy out and put the previous store back from " + old;
      } else {
        move(old, dir);
        did = "the store directory was missing; put the previous store back from " + old;
      }
    } else if (dirExists) {
      did = "the store had not been moved; left it as it was";
    } else {
      throw new BackendException("the restore of set " + j.set + " over " + dir + " was interrupted"
          + " and neither " + dir + " nor " + old + " exists: refusing to create an empty store"
          + " (journal " + journal + ")");
    }
    Directories.deleteTree(staging);
    Directories.fsync(parent);
    deleteJournal();
    found("rolled back the restore of set " + j.set + " over " + dir + " that a crash"
        + " interrupted before it was verified: " + did + "; deleted the staging directory "
        + staging.getFileName());
  }

  /**
   * {@code D} missing (or an empty directory) and no journal: a lone {@code D.old-*} is the data
   * of a restore an older Cairn left between its renames; it goes back. Returns false if the
   * journal appeared meanwhile (the caller looks again).
   */
  private boolean moveBackLoneOld() throws IOException {
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !emptyDirectory(dir)) {
      return true;
    }
    List<Path> olds = siblingDirectories(name + ".old-", OLD_SUFFIX);
    if (olds.isEmpty()) {
      return true;
    }
    if (olds.size() > 1) {
      throw new BackendException(dir + " is missing and several previous copies of it remain from"
          + " interrupted restores: " + olds.stream().map(Path::getFileName).toList()
          + "; rename the right one to " + name + " (refusing to create an empty store)");
    }
    if (Files.exists(journal, LinkOption.NOFOLLOW_LINKS)) {
      return false; // a restore began meanwhile: it owns that directory
    }
    Path old = olds.get(0);
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(dir); // empty, checked above; fails if something was put there meanwhile
    }
    move(old, dir);
    found(dir + " was missing and a previous copy " + old.getFileName() + " was left beside it by"
        + " an interrupted restore (no journal: an older Cairn); moved it back");
    return true;
  }

  // -------------------------------------------------------------------- after the store lock

  /**
   * With the store lock held: fails if a restore began after {@link #beforeOpen()} looked (this
   * open would race its swap), deletes staging directories nobody works in, and reports stray
   * {@code D.old-*} directories, which are left in place.
   *
   * @throws BackendException if a restore over the store is in progress
   */
  void afterLock() {
    if (journal == null) {
      return;
    }
    RestoreSwap.Holder current = own;
    if (current == null && Files.exists(journal, LinkOption.NOFOLLOW_LINKS)) {
      // a restorer writes its journal before it closes its live store, so it was in the middle
      // of a swap when we got the lock; or a crash left it after beforeOpen: either way, not ours
      throw inProgress("or was left by a restore that began while this store was being opened");
    }
    try {
      for (Path staging : siblingDirectories("." + name + ".restore-", STAGING_SUFFIX)) {
        if (current != null && staging.getFileName().toString().equals(current.staging())) {
          continue;
        }
        if (stagingInUse(staging)) {
          LOG.debug("staging directory {} is in use by a running restore", staging);
          continue;
        }
        Directories.deleteTree(staging);
        found("deleted " + staging + ", the staging directory of a restore that did not finish");
      }
      for (Path old : siblingDirectories(name + ".old-", OLD_SUFFIX)) {
        if (current != null && old.getFileName().toString().equals(current.old())) {
          continue;
        }
        found("left " + old + " in place: a previous copy of " + dir + " from a restore that did"
            + " not finish (no journal refers to it, so it may hold data the store lacks);"
            + " delete it once it is not needed");
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not clean up after interrupted restores beside {}: {}", dir, e.toString());
    }
  }

  /** Whether a restorer holds the staging directory's {@code restore.lock}. */
  private static boolean stagingInUse(Path staging) throws IOException {
    if (RestoreSwap.STAGING_HELD.contains(staging)) {
      return true; // by this JVM: must not open its lock file (closing it would drop the lock)
    }
    try (FileChannel ch = FileChannel.open(staging.resolve(RestoreSwap.STAGING_LOCK),
        StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        return true;
      }
      l.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------------------- helpers

  private void found(String line) {
    LOG.warn("{}", line);
    report.add(line);
  }

  /** The sibling named {@code n} if it is a plain name with the expected prefix, else null. */
  private Path sibling(String n, String prefix) {
    if (n == null || !n.startsWith(prefix) || n.length() == prefix.length() || n.contains("/")
        || n.contains("\\") || n.equals(".") || n.equals("..")) {
      return null;
    }
    return parent.resolve(n);
  }

  /**
   * Directories beside the store named {@code prefix} + {@code suffix} (a regular expression),
   * sorted. Strays are recognised by the exact names restores give them, so that a directory
   * someone named {@code store.old-manual} is never moved, deleted or reported.
   */
  private List<Path> siblingDirectories(String prefix, Pattern suffix) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(parent)) {
      for (Path p : s) {
        String n = p.getFileName().toString();
        if (n.startsWith(prefix) && suffix.matcher(n.substring(prefix.length())).matches()
            && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.add(p);
        }
      }
    } catch (NoSuchFileException e) {
      return out;
    }
    out.sort(null);
    return out;
  }

  private void deleteJournal() throws IOException {
    Files.deleteIfExists(journal);
    Directories.fsync(parent);
  }

  private void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    Directories.fsync(parent);
  }

  private static boolean emptyDirectory(Path p) throws IOException {
    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
      return !s.iterator().hasNext();
    }
  }

  private static byte[] readAll(FileChannel ch) throws IOException {
    long size = ch.size();
    if (size > 1 << 20) {
      throw new IOException("restore journal of " + size + " bytes is not a journal");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size);
    while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
      // read until full or end of file
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  private static String random() {
    return Long.toHexString(new SecureRandom().nextLong() & Long.MAX_VALUE);
  }

  // ------------------------------------------------------------------------------ the journal

  /** A parsed journal: the header's fields and whether {@code commit} follows. */
  static final class Journal {
    final boolean torn;
    final String set;
    final String dir;
    final String old;
    final String staging;
    final boolean committed;

    private Journal(boolean torn, Map<String, String> header, boolean committed) {
      this.torn = torn;
      this.set = header.get("set");
      this.dir = header.get("dir");
      this.old = header.get("old");
      this.staging = header.get("staging");
      this.committed = committed;
    }

    static Journal parse(byte[] bytes) {
      List<String> records = records(bytes);
      if (records.isEmpty() || !records.get(0).startsWith("begin ")) {
        return new Journal(true, Map.of(), false);
      }
      Map<String, String> header = new HashMap<>();
      for (String field : records.get(0).substring("begin ".length()).split(" ")) {
        int eq = field.indexOf('=');
        if (eq > 0) {
          header.put(field.substring(0, eq),
              URLDecoder.decode(field.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      long v = parseLong(header.get("v"));
      if (v != RestoreSwap.VERSION) {
        throw new BackendException("the restore journal is of version " + header.get("v") + ";"
            + " this Cairn reads version " + RestoreSwap.VERSION + ": open the store with the Cairn version"
            + " that wrote it");
      }
      boolean committed = records.stream().skip(1).anyMatch("commit"::equals);
      return new Journal(false, header, committed);
    }

    /** The records of complete lines with a valid CRC, up to the first one that is not. */
    static List<String> records(byte[] bytes) {
      List<String> out = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] != '\n') {
          continue;
        }
        String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
        start = i + 1;
        int c = line.lastIndexOf(" crc=");
        if (c < 0 || !line.substring(c + 5).equals(crc(line.substring(0, c)))) {
          break;
        }
        out.add(line.substring(0, c));
      }
      return out;
    }

    static String crc(String record) {
      CRC32C crc = new CRC32C();
      crc.update(record.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().toHexDigits((int) crc.getValue());
    }

    private static long parseLong(String s) {
      try {
        return s == null ? -1 : Long.parseLong(s);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }
}
