package dev.cairn.backup;

import static dev.cairn.backup.SetCatalog.DATA;

import dev.cairn.backup.BackupProgress.Phase;
import dev.cairn.backup.LogicalFormat.FormatException;
import dev.cairn.storage.BackupException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin.ExportedRecord;
import dev.cairn.storage.StorageAdmin.VerificationReport;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.internal.ChangeFeedRestart;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Imports a verified logical set into a new store: the blobs it takes from its parents are
 * spooled to disk first (each checked by hash), then the set's own stream is replayed through
 * {@link dev.cairn.storage.StorageAdmin#importRecords} in batches of up to
 * 512 records or 8 MiB that keep each record's created and updated times,
 * and the new store's integrity check and record count close it. The stream does not depend on
 * the backend, codec or dedup scope of either side, so this is also how a store migrates.
 */
final class LogicalImporter {

  private static final int BATCH_RECORDS = 512;
  private static final long BATCH_BYTES = 8L << 20;

  private LogicalImporter() {}

  /**
   * Builds the store in {@code store} with {@code builder} from the set {@code c} verified,
   * spooling blobs under {@code work}; closes it when done. Its change feed, if it has one,
   * starts again above {@code feedAbove} ({@link ChangeFeedRestart}).
   */
  static void importSet(SetVerifier.Checked c, Path work, Path store, StorageBuilder builder,
      ProgressReporter progress, long feedAbove) throws IOException {
    BackupManifest m = c.manifest;
    Path spool = work.resolve("blobs");
    Files.createDirectories(spool);
    // blobs this set takes from its parents, verified by hash as they are spooled
    Set<ByteBuffer> needed = new HashSet<>(c.neededFromParents);
    for (int i = c.parents.size() - 1; i >= 0 && !needed.isEmpty(); i--) {
      BackupManifest p = c.parents.get(i);
      try (InputStream in = Files.newInputStream(c.local.get(p.setId() + "/" + DATA))) {
        LogicalFormat.read(in, new LogicalFormat.Visitor() {
          @Override
          public void blob(byte[] hash, byte[] value) throws IOException {
            if (needed.remove(ByteBuffer.wrap(hash))) {
              spoolBlob(spool, hash, value);
            }
          }

          @Override
          public void record(LogicalFormat.Rec r) {}
        });
      } catch (FormatException e) {
        throw new BackupException("parent set " + p.setId() + " file " + DATA + " is damaged: "
            + e.getMessage());
      }
    }
    if (!needed.isEmpty()) {
      throw new BackupException("set " + m.setId() + ": " + needed.size()
          + " blobs are in none of its parents, e.g. " + Sha256.hex(needed.iterator().next()));
    }
    progress.start(Phase.IMPORT, m.records(), -1);
    try (Storage s = builder.directory(store).open()) {
      if (!s.collections().isEmpty()) {
        throw new BackupException("the restore directory " + store + " is not empty");
      }
      List<ExportedRecord> batch = new ArrayList<>();
      long[] batchBytes = new long[1];
      try (InputStream in = Files.newInputStream(c.local.get(m.setId() + "/" + DATA))) {
        LogicalFormat.read(in, new LogicalFormat.Visitor() {
          @Override
          public void blob(byte[] hash, byte[] value) throws IOException {
            spoolBlob(spool, hash, value);
          }

          @Override
          public void record(LogicalFormat.Rec r) throws IOException {
            byte[] value = r.inline() != null ? r.inline() : readSpooled(spool, r);
            batch.add(new ExportedRecord(r.collection(), r.key(), r.created(), r.updated(), value,
                null, r.expiresAt()));
            batchBytes[0] += value.length;
            if (batch.size() >= BATCH_RECORDS || batchBytes[0] >= BATCH_BYTES) {
              progress.add(batch.size(), batchBytes[0]);
              s.admin().importRecords(List.copyOf(batch));
              batch.clear();
              batchBytes[0] = 0;
            }
          }
        });
      } catch (FormatException e) {
        throw new BackupException("set " + m.setId() + " file " + DATA + " is damaged: "
            + e.getMessage());
      }
      if (!batch.isEmpty()) {
        progress.add(batch.size(), batchBytes[0]);
        s.admin().importRecords(List.copyOf(batch));
      }
      progress.end();
      progress.start(Phase.CHECK, m.records(), -1);
      VerificationReport v = s.admin().verify();
      if (!v.ok()) {
        throw new BackupException("the restored store failed its integrity check: "
            + v.problems().get(0));
      }
      if (v.records() != m.records()) {
        throw new BackupException("the restored store holds " + v.records()
            + " records, the set " + m.records());
      }
      progress.add(v.records(), 0);
      progress.end();
      ChangeFeedRestart.afterRestore(s, feedAbove); // the import's own changes are not history
    }
  }

  private static void spoolBlob(Path spool, byte[] hash, byte[] value) throws IOException {
    Path f = spool.resolve(Sha256.hex(hash));
    if (!Files.exists(f)) {
      Files.write(f, value);
    }
  }

  private static byte[] readSpooled(Path spool, LogicalFormat.Rec r) throws IOException {
    Path f = spool.resolve(Sha256.hex(r.hash()));
    byte[] v;
    try {
      v = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      throw new BackupException("record " + r.where() + " refers to blob "
          + Sha256.hex(r.hash()) + " that the set and its parents lack");
    }
    if (v.length != r.rawLength()
        || !Arrays.equals(Sha256.of(v), r.hash())) {
      throw new BackupException("record " + r.where() + ": blob " + Sha256.hex(r.hash())
          + " does not match the record's hash or length");
    }
    return v;
  }
}
