package dev.cairn.backup;

import static dev.cairn.backup.SetCatalog.ARCHIVE;
import static dev.cairn.backup.SetCatalog.DATA;
import static dev.cairn.backup.SetCatalog.INDEX;
import static dev.cairn.backup.SetCatalog.MANIFEST;

import dev.cairn.backup.BackupManifest.FileEntry;
import dev.cairn.backup.BackupProgress.Operation;
import dev.cairn.backup.BackupProgress.Phase;
import dev.cairn.backup.LogicalFormat.FormatException;
import dev.cairn.backup.ManifestCodec.InvalidManifestException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin.VerificationReport;
import dev.cairn.storage.internal.Directories;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Verifies a set: downloads every file of it (and of its parents) and checks size and SHA-256
 * against the manifest, then checks the content — a native snapshot unpacked, opened and run
 * through the store's integrity check; a logical stream decoded frame by frame, every blob
 * against its hash and every blob reference resolved. Never throws for what it finds: each
 * finding is a {@link VerifyReport.Problem}. Restores run the same check and go on with the
 * verified local copies it leaves ({@link Checked}).
 */
final class SetVerifier {

  private static final Pattern COLLECTION = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final int MAX_PROBLEMS = 1000;

  private final SetCatalog catalog;
  private final BackupListener listener;
  private final Path workDirectory;

  SetVerifier(SetCatalog catalog, BackupListener listener, Path workDirectory) {
    this.catalog = catalog;
    this.listener = listener;
    this.workDirectory = workDirectory;
  }

  /** Verifies a set in a temporary directory under the work directory, deleted afterwards. */
  VerifyReport verify(String setId) {
    ProgressReporter progress = new ProgressReporter(listener, Operation.VERIFY, setId);
    Path work = null;
    try {
      work = WorkDirectories.create(workDirectory, "cairn-verify-");
      Checked c = check(setId, work, work.resolve("unpacked"), progress);
      progress.done();
      return c.report();
    } catch (IOException e) {
      return new VerifyReport(setId, null, 0, 0, 0, List.of(new VerifyReport.Problem(MANIFEST,
          null, "cannot create a working directory in " + workDirectory + ": " + e)));
    } finally {
      WorkDirectories.deleteQuietly(work);
    }
  }

  /** What verification found, plus the verified local copies a restore goes on to use. */
  static final class Checked {
    final String setId;
    BackupManifest manifest;
    final List<VerifyReport.Problem> problems = new ArrayList<>();
    int files;
    long records;
    long blobs;
    final Map<String, Path> local = new HashMap<>(); // "<setId>/<file>" -> verified local copy
    final List<BackupManifest> parents = new ArrayList<>();
    final Set<ByteBuffer> neededFromParents = new HashSet<>();

    Checked(String setId) {
      this.setId = setId;
    }

    void problem(String file, String record, String message) {
      if (problems.size() < MAX_PROBLEMS) {
        problems.add(new VerifyReport.Problem(file, record, message));
      } else if (problems.size() == MAX_PROBLEMS) {
        problems.add(new VerifyReport.Problem(file, null, "... more problems not listed"));
      }
    }

    VerifyReport report() {
      return new VerifyReport(setId, manifest == null ? null : manifest.kind(), files, records,
          blobs, problems);
    }
  }

  /**
   * Checks a set, downloading its files (and its parents') into {@code work} and unpacking a
   * native archive into {@code unpackDir}; a restore then uses those copies.
   */
  Checked check(String setId, Path work, Path unpackDir, ProgressReporter progress) {
    Checked c = new Checked(setId);
    try {
      c.manifest = catalog.readManifest(setId);
    } catch (NoSuchFileException e) {
      c.problem(MANIFEST, null, "set " + setId + " has no manifest in " + catalog.target()
          + " (absent or incomplete)");
      return c;
    } catch (IOException e) {
      c.problem(MANIFEST, null, "cannot read: " + e);
      return c;
    } catch (InvalidManifestException e) {
      c.problem(MANIFEST, null, e.getMessage());
      return c;
    }
    BackupManifest m = c.manifest;
    boolean filesOk = downloadAll(c, m, work, progress, "");
    if (m.kind() == BackupKind.NATIVE) {
      if (m.file(ARCHIVE).isEmpty()) {
        c.problem(MANIFEST, null, "native set lists no " + ARCHIVE);
      } else if (filesOk) {
        checkNative(c, unpackDir, progress);
      }
    } else {
      if (m.file(DATA).isEmpty() || m.file(INDEX).isEmpty()) {
        c.problem(MANIFEST, null, "logical set lacks " + DATA + " or " + INDEX);
        return c;
      }
      Set<ByteBuffer> parentBlobs = new HashSet<>();
      boolean parentsOk = checkParents(c, work, progress, parentBlobs);
      if (filesOk) {
        checkLogical(c, parentBlobs, parentsOk, progress);
      }
    }
    return c;
  }

  private boolean downloadAll(Checked c, BackupManifest m, Path work, ProgressReporter progress,
      String what) {
    boolean ok = true;
    long total = m.files().stream().mapToLong(FileEntry::size).sum();
    progress.start(Phase.DOWNLOAD, -1, total);
    for (FileEntry f : m.files()) {
      String name = m.setId() + "/" + f.name();
      Path local = SafeNames.resolveInside(work, name);
      String problem;
      if (local == null) {
        problem = "file name escapes the working directory";
      } else {
        try {
          problem = catalog.download(name, f, local, progress);
        } catch (IOException e) {
          problem = e instanceof NoSuchFileException ? "missing from " + catalog.target()
              : "cannot read: " + e;
        }
      }
      c.files++;
      if (problem != null) {
        ok = false;
        c.problem(what + f.name(), null, problem);
      } else {
        c.local.put(name, local);
      }
    }
    progress.end();
    return ok;
  }

  private void checkNative(Checked c, Path unpackDir, ProgressReporter progress) {
    BackupManifest m = c.manifest;
    Path archive = c.local.get(m.setId() + "/" + ARCHIVE);
    progress.start(Phase.UNPACK, -1, m.entries().stream().mapToLong(FileEntry::size).sum());
    try {
      Directories.deleteTree(unpackDir);
      NativeArchive.unpack(archive, unpackDir, m.entries(), progress);
    } catch (FormatException e) {
      c.problem(ARCHIVE, null, e.getMessage());
      return;
    } catch (IOException e) {
      c.problem(ARCHIVE, null, "cannot unpack: " + e);
      return;
    }
    progress.end();
    progress.start(Phase.CHECK, m.records(), -1);
    try (Storage s = NativeArchive.openSnapshot(unpackDir, m.backend())) {
      VerificationReport v = s.admin().verify();
      c.records = v.records();
      c.blobs = v.blobs();
      for (String p : v.problems()) {
        c.problem(ARCHIVE, null, "store integrity check: " + p);
      }
      if (!s.admin().storeId().equals(m.storeId())) {
        c.problem(ARCHIVE, null, "the snapshot is of store " + s.admin().storeId()
            + ", the manifest says " + m.storeId());
      }
      if (v.records() != m.records() || v.blobs() != m.blobs()) {
        c.problem(ARCHIVE, null, "the snapshot holds " + v.records() + " records and " + v.blobs()
            + " blobs, the manifest says " + m.records() + " and " + m.blobs());
      }
      progress.add(v.records(), 0);
    } catch (RuntimeException e) {
      c.problem(ARCHIVE, null, "cannot open the snapshot with backend " + m.backend() + ": " + e);
    }
    progress.end();
  }

  private boolean checkParents(Checked c, Path work, ProgressReporter progress,
      Set<ByteBuffer> parentBlobs) {
    boolean ok = true;
    for (String p : c.manifest.parents()) {
      BackupManifest pm;
      String where = p + "/" + MANIFEST;
      try {
        pm = catalog.readManifest(p);
      } catch (NoSuchFileException e) {
        c.problem(where, null, "parent set " + p + " is missing from " + catalog.target());
        ok = false;
        continue;
      } catch (IOException | InvalidManifestException e) {
        c.problem(where, null, "parent set " + p + " has an unusable manifest: " + e.getMessage());
        ok = false;
        continue;
      }
      if (pm.kind() == BackupKind.NATIVE || !pm.storeId().equals(c.manifest.storeId())) {
        c.problem(where, null, "parent set " + p + " is not a logical set of store "
            + c.manifest.storeId());
        ok = false;
        continue;
      }
      c.parents.add(pm);
      if (!downloadAll(c, pm, work, progress, p + "/")) {
        ok = false;
        continue;
      }
      try {
        parentBlobs.addAll(LogicalFormat.readIndex(c.local.get(p + "/" + INDEX)));
      } catch (IOException | FormatException e) {
        c.problem(p + "/" + INDEX, null, e.getMessage());
        ok = false;
      }
    }
    return ok;
  }

  private void checkLogical(Checked c, Set<ByteBuffer> parentBlobs, boolean parentsOk,
      ProgressReporter progress) {
    BackupManifest m = c.manifest;
    Path data = c.local.get(m.setId() + "/" + DATA);
    Set<ByteBuffer> own = new HashSet<>();
    Map<ByteBuffer, String> referenced = new HashMap<>();
    long[] counts = new long[2];
    progress.start(Phase.CHECK, m.records(), -1);
    try (InputStream in = Files.newInputStream(data)) {
      LogicalFormat.read(in, new LogicalFormat.Visitor() {
        @Override
        public void blob(byte[] hash, byte[] value) {
          String hex = Sha256.hex(hash);
          byte[] actual = Sha256.of(value);
          if (!Arrays.equals(actual, hash)) {
            c.problem(DATA, null, "blob " + hex + " does not match its hash");
          }
          if (!own.add(ByteBuffer.wrap(hash))) {
            c.problem(DATA, null, "blob " + hex + " appears twice");
          }
          counts[1]++;
          progress.add(0, value.length);
        }

        @Override
        public void record(LogicalFormat.Rec r) {
          counts[0]++;
          String problem = recordProblem(r);
          if (problem != null) {
            c.problem(DATA, r.where(), problem);
          }
          if (r.hash() != null) {
            referenced.putIfAbsent(ByteBuffer.wrap(r.hash()), r.where());
          }
          progress.add(1, 0);
        }
      });
    } catch (FormatException e) {
      c.problem(DATA, e.record, e.getMessage());
    } catch (IOException e) {
      c.problem(DATA, null, "cannot read: " + e);
    }
    c.records += counts[0];
    c.blobs += counts[1];
    if (counts[0] != m.records() || counts[1] != m.blobs()) {
      c.problem(DATA, null, "holds " + counts[0] + " records and " + counts[1]
          + " blobs, the manifest says " + m.records() + " and " + m.blobs());
    }
    for (Map.Entry<ByteBuffer, String> e : referenced.entrySet()) {
      if (own.contains(e.getKey())) {
        continue;
      }
      c.neededFromParents.add(e.getKey());
      if (parentsOk && !parentBlobs.contains(e.getKey())) {
        c.problem(DATA, e.getValue(), "refers to blob " + Sha256.hex(e.getKey())
            + ", found neither in this set nor in its parents");
      }
    }
    try {
      Set<ByteBuffer> index = LogicalFormat.readIndex(c.local.get(m.setId() + "/" + INDEX));
      if (!index.equals(own)) {
        c.problem(INDEX, null, "lists " + index.size() + " blobs that differ from the " + own.size()
            + " blobs of " + DATA);
      }
    } catch (IOException | FormatException e) {
      c.problem(INDEX, null, e.getMessage());
    }
    progress.end();
  }

  private static String recordProblem(LogicalFormat.Rec r) {
    if (!COLLECTION.matcher(r.collection()).matches()) {
      return "collection name is invalid";
    }
    int keyBytes = r.key().getBytes(StandardCharsets.UTF_8).length;
    if (keyBytes < 1 || keyBytes > 256) {
      return "key is " + keyBytes + " bytes (allowed 1..256)";
    }
    if (r.created() < 0 || r.updated() < 0) {
      return "negative timestamp";
    }
    return null;
  }
}
