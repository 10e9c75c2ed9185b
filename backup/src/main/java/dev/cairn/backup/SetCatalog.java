package dev.cairn.backup;

import dev.cairn.backup.BackupManager.DamagedSet;
import dev.cairn.backup.BackupManifest.FileEntry;
import dev.cairn.backup.ManifestCodec.InvalidManifestException;
import dev.cairn.storage.BackupException;
import dev.cairn.storage.spi.BackupTarget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What sets a target holds and how to read them: the objects of a set ({@code <setId>/<file>}),
 * its manifest, which sets are complete, damaged or incomplete, and a checked download of one of
 * its files. Every other part of the module reads the target through here.
 */
final class SetCatalog {

  // logs as the manager: operators configure and search for its category
  private static final Logger LOG = LoggerFactory.getLogger(BackupManager.class);

  /** The manifest of a set, written last: a set without it is incomplete. */
  static final String MANIFEST = "manifest.json";
  /** A logical set's stream of records and blobs. */
  static final String DATA = "records.cairnlog.gz";
  /** A logical set's sorted hashes of its own blobs. */
  static final String INDEX = "blobs.idx";
  /** A native set's snapshot archive. */
  static final String ARCHIVE = "snapshot.zip";
  /** Every file name this module writes into a set. */
  static final Set<String> OWN_FILES = Set.of(MANIFEST, DATA, INDEX, ARCHIVE);

  private final BackupTarget target;

  SetCatalog(BackupTarget target) {
    this.target = target;
  }

  BackupTarget target() {
    return target;
  }

  /** Every complete set, sorted by id; damaged ones are logged and left out. */
  List<BackupManifest> list() {
    List<BackupManifest> out = new ArrayList<>();
    for (String id : objectsBySet().keySet()) {
      try {
        out.add(readManifest(id));
      } catch (NoSuchFileException e) {
        // incomplete set
      } catch (IOException | InvalidManifestException e) {
        LOG.warn("set {} in {} is damaged: {}", id, target, damage(e));
      }
    }
    return out;
  }

  /** The newest complete set of store {@code storeId}, if the target holds one. */
  Optional<BackupManifest> newest(String storeId) {
    return list().stream()
        .filter(m -> m.storeId().equals(storeId))
        .max(Comparator.comparing(BackupManifest::createdAt));
  }

  /** Every set whose manifest is present but unusable, sorted by id. */
  List<DamagedSet> listDamaged() {
    List<DamagedSet> out = new ArrayList<>();
    for (String id : objectsBySet().keySet()) {
      try {
        readManifest(id);
      } catch (NoSuchFileException x) {
        // incomplete set
      } catch (IOException | InvalidManifestException x) {
        out.add(new DamagedSet(id, damage(x)));
      }
    }
    return out;
  }

  /** Why a manifest could not be used, as one line. */
  private static String damage(Exception e) {
    String why = e instanceof InvalidManifestException ? e.getMessage() : "cannot read: " + e;
    return MANIFEST + ": " + why.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** The manifest of a set, if it is complete and readable. */
  Optional<BackupManifest> manifest(String setId) {
    try {
      return Optional.of(readManifest(setId));
    } catch (IOException | InvalidManifestException e) {
      return Optional.empty();
    }
  }

  /** Set ids found in the target with the names of their objects. */
  TreeMap<String, List<String>> objectsBySet() {
    TreeMap<String, List<String>> sets = new TreeMap<>();
    try {
      for (String name : target.list()) {
        int slash = name.indexOf('/');
        if (slash > 0 && SetIds.valid(name.substring(0, slash))) {
          sets.computeIfAbsent(name.substring(0, slash), k -> new ArrayList<>()).add(name);
        }
      }
    } catch (IOException e) {
      throw new BackupException("cannot list " + target + ": " + e, e);
    }
    return sets;
  }

  /** Reads and strictly parses a set's manifest. */
  BackupManifest readManifest(String setId) throws IOException, InvalidManifestException {
    byte[] bytes;
    try (InputStream in = target.read(setId + "/" + MANIFEST)) {
      bytes = in.readNBytes(16 << 20);
    }
    return ManifestCodec.read(bytes, setId);
  }

  /**
   * Copies the object {@code name} to {@code local}; returns why it does not match {@code f}
   * (size and SHA-256), or null.
   *
   * @param progress counts the bytes read; may be null
   */
  String download(String name, FileEntry f, Path local, ProgressReporter progress)
      throws IOException {
    Files.createDirectories(local.getParent());
    MessageDigest d = Sha256.newDigest();
    long size;
    try (InputStream in = new DigestInputStream(target.read(name), d)) {
      InputStream counted = progress == null ? in : progress.counting(in);
      size = Files.copy(counted, local, StandardCopyOption.REPLACE_EXISTING);
    }
    String sha = Sha256.hex(d.digest());
    if (size != f.size() || !sha.equals(f.sha256())) {
      return "checksum mismatch: the manifest says " + f.size() + " bytes with sha256 " + f.sha256()
          + ", the file has " + size + " bytes with sha256 " + sha;
    }
    return null;
  }
}
