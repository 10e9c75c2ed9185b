package dev.cairn.backup;

import dev.cairn.backup.BackupManifest.FileEntry;
import dev.cairn.backup.LogicalFormat.FormatException;
import dev.cairn.backup.LogicalFormat.HashingFile;
import dev.cairn.storage.Storage;
import dev.cairn.storage.internal.Directories;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Packs a snapshot directory into a ZIP archive ({@code snapshot.zip}, DEFLATE) and unpacks it
 * safely: every entry name must be a safe relative path that stays inside the target directory
 * (no zip-slip), must be listed in the manifest with its size and SHA-256, may appear once, and
 * may not grow past its listed size (no zip bomb).
 */
final class NativeArchive {

  /** The store's lock file: never part of a snapshot. */
  static final String LOCK_FILE = "cairn.lock";

  private NativeArchive() {}

  /**
   * Opens a snapshot directory (taken, or unpacked from an archive) as a plain store of
   * {@code backend}, with no scheduled maintenance and no verifying maintenance: the caller runs
   * the integrity check itself.
   */
  static Storage openSnapshot(Path dir, String backend) {
    return Storage.builder().directory(dir).backend(backend).noScheduledMaintenance()
        .maintenanceVerify(false).open();
  }

  /** The result of packing: the archive file and the entries inside it. */
  record Packed(FileEntry archive, List<FileEntry> entries, long rawBytes) {}

  @SuppressWarnings("try") // the zip is closed explicitly before its entry (size, hash) is read
  static Packed pack(Path snapshotDir, Path archive, String archiveName, ProgressReporter progress)
      throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(snapshotDir)) {
      files = s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().equals(LOCK_FILE))
          .sorted().toList();
    }
    List<FileEntry> entries = new ArrayList<>();
    long raw = 0;
    try (HashingFile out = new HashingFile(archive);
        ZipOutputStream zip = new ZipOutputStream(out.out)) {
      zip.setLevel(Deflater.DEFAULT_COMPRESSION);
      byte[] buf = new byte[1 << 16];
      for (Path f : files) {
        String name = snapshotDir.relativize(f).toString()
            .replace(f.getFileSystem().getSeparator(), "/");
        SafeNames.check(name, "snapshot file");
        ZipEntry e = new ZipEntry(name);
        e.setTime(0);
        zip.putNextEntry(e);
        MessageDigest d = Sha256.newDigest();
        long size = 0;
        try (InputStream in = Files.newInputStream(f)) {
          int n;
          while ((n = in.read(buf)) > 0) {
            zip.write(buf, 0, n);
            d.update(buf, 0, n);
            size += n;
            progress.add(0, n);
          }
        }
        zip.closeEntry();
        entries.add(new FileEntry(name, size, Sha256.hex(d.digest())));
        raw += size;
      }
      zip.finish();
      zip.close();
      return new Packed(out.entry(archiveName), entries, raw);
    }
  }

  /**
   * Unpacks {@code archive} into the empty directory {@code dir}, checking every entry against
   * {@code expected}.
   *
   * @throws FormatException naming the entry, for an unsafe, unlisted, duplicate, oversized or
   *     mismatching entry, or a listed entry that is missing
   */
  static void unpack(Path archive, Path dir, List<FileEntry> expected, ProgressReporter progress)
      throws IOException, FormatException {
    Map<String, FileEntry> byName = new HashMap<>();
    for (FileEntry e : expected) {
      byName.put(e.name(), e);
    }
    Set<String> seen = new HashSet<>();
    Files.createDirectories(dir);
    byte[] buf = new byte[1 << 16];
    try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        String name = e.getName();
        if (e.isDirectory()) {
          String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
          if (SafeNames.resolveInside(dir, trimmed) == null) {
            throw new FormatException("archive entry " + name + " escapes the target directory", null);
          }
          continue;
        }
        Path target = SafeNames.resolveInside(dir, name);
        if (target == null || name.equals(LOCK_FILE)) {
          throw new FormatException("archive entry " + name + " escapes the target directory"
              + " or is not a store file", null);
        }
        FileEntry want = byName.get(name);
        if (want == null) {
          throw new FormatException("archive entry " + name + " is not listed in the manifest", null);
        }
        if (!seen.add(name)) {
          throw new FormatException("archive entry " + name + " appears twice", null);
        }
        Files.createDirectories(target.getParent());
        MessageDigest d = Sha256.newDigest();
        long size = 0;
        try (OutputStream out = Files.newOutputStream(target,
            java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
          int n;
          while ((n = zip.read(buf)) > 0) {
            size += n;
            if (size > want.size()) {
              throw new FormatException("archive entry " + name + " is larger than the "
                  + want.size() + " bytes the manifest lists", null);
            }
            out.write(buf, 0, n);
            d.update(buf, 0, n);
            progress.add(0, n);
          }
        }
        String sha = Sha256.hex(d.digest());
        if (size != want.size() || !sha.equals(want.sha256())) {
          throw new FormatException("archive entry " + name + " does not match its checksum in"
              + " the manifest (" + size + " bytes, sha256 " + sha + ")", null);
        }
      }
    } catch (java.util.zip.ZipException ze) {
      throw new FormatException("archive is damaged: " + ze.getMessage(), null);
    }
    for (String name : byName.keySet()) {
      if (!seen.contains(name)) {
        throw new FormatException("archive lacks entry " + name + " listed in the manifest", null);
      }
    }
    for (String name : seen) {
      DurableFiles.fsync(dir.resolve(name));
    }
    Directories.fsync(dir);
  }
}
