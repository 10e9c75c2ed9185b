package dev.cairn.storage.internal;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.DedupMode;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The maintenance step that deduplicates later what {@link dev.cairn.storage.DedupMode#DEFERRED}
 * wrote inline: values stored in their records (with their SHA-256) that are equal to another
 * record's, or to content already shared, become references to one shared blob; and a shared
 * blob that only one record of a {@code DEFERRED} collection still references goes back into
 * that record, so reading it is one lookup again ({@code ON_WRITE} collections keep content
 * apart from records, as their mode says; {@code OFF} collections are left alone). Modes are read
 * as configured now: a store may hold records written under other modes.
 *
 * <p>How: two passes over the records, each in one read snapshot, find the candidates in bounded
 * memory — the first keeps a 64-bit fingerprint per hashed record and index entry (8 bytes
 * each) and the index entries with one reference; the second collects only the records whose
 * fingerprint occurs twice. Then each group is rewritten in write transactions of at most
 * {@value #BATCH} records, under the engine's write lock: every record is read again in the
 * write transaction and changed only if it still holds the same content, so writes made since
 * the passes are never undone. A record keeps its version and times: its value does not change,
 * so no cache entry goes stale. Each write transaction is atomic and synced, so a crash leaves
 * every reference count exact.
 *
 * <p>Threading: called by {@link Maintenance}, which serialises runs.
 */
final class Deduplicator {

  /** Records changed per write transaction (bounds the write lock's hold time). */
  static final int BATCH = 256;

  private final StorageConfig config;
  private final Backend backend;
  private final RecordStore records;
  private final VersionSequence versions;
  private final Metrics metrics;
  private final ReentrantLock writeLock;

  Deduplicator(StorageConfig config, Backend backend, RecordStore records,
      VersionSequence versions, Metrics metrics, ReentrantLock writeLock) {
    this.config = config;
    this.backend = backend;
    this.records = records;
    this.versions = versions;
    this.metrics = metrics;
    this.writeLock = writeLock;
  }

  /** What one run changed. */
  record Result(long shared, long newBlobs, long unshared, long bytesSaved) {
    @Override
    public String toString() {
      return shared + " records now share content (" + newBlobs + " new shared blobs, "
          + bytesSaved + " bytes saved), " + unshared + " back inline";
    }
  }

  Result run() {
    // pass 1: fingerprints of every hashed inline record and every index entry
    long[] fps = new long[1024];
    int n = 0;
    Set<ByteBuffer> single = new HashSet<>(); // index entries with one reference
    try (BackendTransaction rtx = backend.beginRead()) {
      try (BackendCursor c = rtx.scan(RecordStore.INDEX, null, null)) {
        while (c.next()) {
          byte[] k = c.key();
          if (n == fps.length) {
            fps = Arrays.copyOf(fps, n * 2);
          }
          fps[n++] = RecordStore.fingerprint(k);
          RecordFormat.IndexEntry e =
              RecordFormat.parseIndex(c.value(), RecordStore.indexWhere(k));
          if (e.count() == 1) {
            single.add(ByteBuffer.wrap(k));
          }
        }
      }
      try (BackendCursor c = rtx.scan(RecordStore.RECORDS, null, null)) {
        while (c.next()) {
          byte[] rk = c.key();
          RecordFormat.StoredRecord rec = parse(rk, c.value());
          if (rec != null && !rec.isBlob() && rec.hash() != null
              && mode(rk) != DedupMode.OFF) {
            if (n == fps.length) {
              fps = Arrays.copyOf(fps, n * 2);
            }
            byte[] bk = records.blobKey(Keys.collectionOf(rk), rec.hash());
            fps[n++] = RecordStore.fingerprint(bk);
          }
        }
      }
    }
    Arrays.sort(fps, 0, n);
    long[] twice = new long[16];
    int t = 0;
    for (int i = 1; i < n; i++) {
      if (fps[i] == fps[i - 1] && (t == 0 || twice[t - 1] != fps[i])) {
        if (t == twice.length) {
          twice = Arrays.copyOf(twice, t * 2);
        }
        twice[t++] = fps[i];
      }
    }
    fps = null; // the largest structure: let it go before the second pass
    long[] candidates = Arrays.copyOf(twice, t);
    // pass 2: the records that may share content, grouped by content; the lone references
    Map<ByteBuffer, List<byte[]>> groups = new LinkedHashMap<>();
    List<byte[]> lone = new ArrayList<>();
    if (t > 0 || !single.isEmpty()) {
      try (BackendTransaction rtx = backend.beginRead();
          BackendCursor c = rtx.scan(RecordStore.RECORDS, null, null)) {
        while (c.next()) {
          byte[] rk = c.key();
          RecordFormat.StoredRecord rec = parse(rk, c.value());
          if (rec == null) {
            continue;
          }
          if (rec.isBlob()) {
            // ON_WRITE keeps content apart from its record even when only one refers to it
            if (single.contains(ByteBuffer.wrap(rec.blobKey()))
                && mode(rk) == DedupMode.DEFERRED) {
              lone.add(rk);
            }
          } else if (rec.hash() != null && mode(rk) != DedupMode.OFF) {
            byte[] bk = records.blobKey(Keys.collectionOf(rk), rec.hash());
            if (Arrays.binarySearch(candidates, RecordStore.fingerprint(bk)) >= 0) {
              groups.computeIfAbsent(ByteBuffer.wrap(bk), x -> new ArrayList<>()).add(rk);
            }
          }
        }
      }
    }
    long[] totals = new long[5];
    List<Map.Entry<ByteBuffer, List<byte[]>>> batch = new ArrayList<>();
    int batchRecords = 0;
    for (Map.Entry<ByteBuffer, List<byte[]>> g : groups.entrySet()) {
      batch.add(g);
      batchRecords += g.getValue().size();
      if (batchRecords >= BATCH) {
        inTransaction(btx -> batch.forEach(e -> share(btx, e.getKey(), e.getValue(), totals)));
        batch.clear();
        batchRecords = 0;
      }
    }
    if (!batch.isEmpty()) {
      inTransaction(btx -> batch.forEach(e -> share(btx, e.getKey(), e.getValue(), totals)));
    }
    for (int i = 0; i < lone.size(); i += BATCH) {
      List<byte[]> part = lone.subList(i, Math.min(lone.size(), i + BATCH));
      inTransaction(btx -> part.forEach(rk -> unshare(btx, rk, totals)));
    }
    // the shared records' bytes were counted as stored (and compressed) when written: move them
    // to the dedup saving, so that raw = stored + saved by dedup + saved by compression holds
    metrics.dedupHits.add(totals[0] - totals[1]);
    metrics.savedByDedup.add(totals[3]);
    metrics.storedBytesWritten.add(-totals[4]);
    metrics.savedByCompression.add(-(totals[3] - totals[4]));
    return new Result(totals[0], totals[1], totals[2], totals[3]);
  }

  /**
   * Turns the records of one content that still hold it inline into references to its shared
   * blob, creating the blob from the first of them if the content is not shared yet (and at
   * least two records hold it). totals: shared, new blobs, unshared, raw and stored bytes saved.
   */
  private void share(BackendTransaction btx, ByteBuffer blobKeyBuffer, List<byte[]> keys,
      long[] totals) {
    byte[] blobKey = blobKeyBuffer.array();
    List<byte[]> rks = new ArrayList<>(keys.size());
    List<RecordFormat.StoredRecord> recs = new ArrayList<>(keys.size());
    long now = config.clock().millis();
    for (byte[] rk : keys) {
      byte[] v = btx.get(RecordStore.RECORDS, rk);
      RecordFormat.StoredRecord rec = v == null ? null : parse(rk, v);
      // an expired record is left for the purge, which releases what it holds; a record that
      // expires later keeps its expiry when rewritten as a reference
      if (rec != null && !rec.isBlob() && rec.hash() != null && !rec.expired(now)
          && Arrays.equals(records.blobKey(Keys.collectionOf(rk), rec.hash()), blobKey)) {
        rks.add(rk);
        recs.add(rec);
      }
    }
    byte[] iv = btx.get(RecordStore.INDEX, blobKey);
    RecordFormat.IndexEntry entry =
        iv == null ? null : RecordFormat.parseIndex(iv, RecordStore.indexWhere(blobKey));
    if (recs.isEmpty() || (entry == null && recs.size() < 2)) {
      return;
    }
    long saved = 0;
    long savedStored = 0;
    if (entry == null) {
      RecordFormat.StoredRecord first = recs.get(0);
      long blobId = versions.next(); // unique store-wide and increasing: new blobs append
      btx.put(RecordStore.BLOBS, RecordFormat.blobIdKey(blobId), RecordFormat.encodeBlob(
          first.codecId(), first.dictId(), first.rawLength(), first.payload()));
      entry = new RecordFormat.IndexEntry(
          blobId, 0, first.codecId(), first.dictId(), first.storedLength());
      records.noteShared(blobKey);
      saved -= first.rawLength();
      savedStored -= first.storedLength();
      totals[1]++;
    }
    for (int i = 0; i < recs.size(); i++) {
      RecordFormat.StoredRecord rec = recs.get(i);
      btx.put(RecordStore.RECORDS, rks.get(i), RecordFormat.encodeBlobRef(rks.get(i),
          entry.codecId(), entry.dictId(), rec.rawLength(), entry.storedLength(), rec.created(),
          rec.updated(), rec.version(), blobKey, entry.blobId(), rec.expiresAt()));
      saved += rec.rawLength();
      savedStored += rec.storedLength();
    }
    btx.put(RecordStore.INDEX, blobKey,
        RecordFormat.encodeIndex(entry.withCount(entry.count() + recs.size())));
    totals[0] += recs.size();
    totals[3] += Math.max(0, saved);
    totals[4] += Math.max(0, savedStored);
  }

  /** Moves a blob that only {@code rk} references back into its record. */
  private void unshare(BackendTransaction btx, byte[] rk, long[] totals) {
    byte[] v = btx.get(RecordStore.RECORDS, rk);
    RecordFormat.StoredRecord rec = v == null ? null : parse(rk, v);
    if (rec == null || !rec.isBlob()) {
      return;
    }
    byte[] blobKey = rec.blobKey();
    byte[] iv = btx.get(RecordStore.INDEX, blobKey);
    if (iv == null) {
      return; // verify() reports a reference without an index entry
    }
    RecordFormat.IndexEntry e = RecordFormat.parseIndex(iv, RecordStore.indexWhere(blobKey));
    byte[] bv = btx.get(RecordStore.BLOBS, RecordFormat.blobIdKey(e.blobId()));
    if (e.count() != 1 || e.blobId() != rec.blobId() || bv == null) {
      return;
    }
    RecordFormat.StoredBlob blob = RecordFormat.parseBlob(bv, RecordStore.indexWhere(blobKey));
    byte[] hash = Arrays.copyOfRange(blobKey, blobKey.length - RecordFormat.HASH, blobKey.length);
    btx.put(RecordStore.RECORDS, rk, RecordFormat.encodeInlineHead(rk, blob.codecId(),
        blob.dictId(), blob.rawLength(), rec.created(), rec.updated(), rec.version(),
        blob.payload(), hash, rec.expiresAt()), blob.payload());
    btx.delete(RecordStore.INDEX, blobKey);
    btx.delete(RecordStore.BLOBS, RecordFormat.blobIdKey(e.blobId()));
    totals[2]++;
  }

  private void inTransaction(java.util.function.Consumer<BackendTransaction> work) {
    writeLock.lock();
    try (BackendTransaction btx = backend.beginWrite()) {
      work.accept(btx);
      btx.commit(Durability.SYNC);
    } finally {
      writeLock.unlock();
    }
  }

  /** The dedup mode of the collection of record key {@code rk}, as configured now. */
  private DedupMode mode(byte[] rk) {
    return config.dedupMode(Keys.collectionOf(rk));
  }

  /** The record parsed, or null if it is damaged (verify() reports it; it is left alone). */
  private static RecordFormat.StoredRecord parse(byte[] rk, byte[] v) {
    try {
      return RecordFormat.parseRecord(v, rk, "record");
    } catch (DataCorruptionException e) {
      return null;
    }
  }
}
