package dev.cairn.storage.internal;

import dev.cairn.storage.StorageAdmin.VerificationReport;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a whole store from one read snapshot: every record parses, decodes and matches its
 * checksum or hash; every blob is intact; and the dedup invariants hold — each blob's reference
 * count equals the number of records pointing at it, no record points at a missing blob, no
 * blob has a zero count or lacks a count; the expiry index holds exactly one entry per record
 * with a time to live; and the change feed, if the store has one, is dense up to its head, every
 * entry parses, and each key's last change matches its record ({@link FeedVerifier}). Memory:
 * one map entry per distinct blob, and one per key the feed changes again later.
 */
final class Verifier {

  private static final int MAX_PROBLEMS = 1000;

  private final RecordStore store;
  private final BackendTransaction rtx;
  private final List<String> problems = new ArrayList<>();
  private long records;
  private long blobs;

  Verifier(RecordStore store, BackendTransaction rtx) {
    this.store = store;
    this.rtx = rtx;
  }

  VerificationReport run() {
    Map<ByteBuffer, Long> referenced = new HashMap<>();
    Map<ByteBuffer, Long> referencedIds = new HashMap<>();
    try (BackendCursor c = rtx.scan(RecordStore.RECORDS, null, null)) {
      while (c.next()) {
        records++;
        byte[] rk = c.key();
        RecordStore.Where where;
        try {
          where = RecordStore.where(Keys.collectionOf(rk), Keys.keyOf(rk));
        } catch (RuntimeException e) {
          problem("record key " + RecordFormat.hex(rk) + " is malformed");
          continue;
        }
        try {
          byte[] value = c.value();
          RecordFormat.StoredRecord rec = RecordFormat.parseRecord(value, rk, where);
          // a damaged index (e.g. a flipped separator key in an interior B-tree page) can hide a
          // record from point lookups while scans still see it
          if (!java.util.Arrays.equals(rtx.get(RecordStore.RECORDS, rk), value)) {
            problem(where + ": a point lookup of its key does not find the value a scan finds"
                + " (the backend's index is damaged)");
          }
          if (rec.isBlob()) {
            ByteBuffer bk = ByteBuffer.wrap(rec.blobKey());
            referenced.merge(bk, 1L, Long::sum);
            Long previous = referencedIds.putIfAbsent(bk, rec.blobId());
            if (previous != null && previous != rec.blobId()) {
              problem(where + ": refers to blob id " + rec.blobId() + " but other records of the"
                  + " same content to blob id " + previous);
            }
          }
          if (rec.expiresAt() != RecordFormat.NEVER && rtx.get(RecordStore.META,
              RecordStore.expiryKey(rec.expiresAt(), rk)) == null) {
            problem(where + ": expires at " + rec.expiresAt() + " (epoch ms) but has no expiry"
                + " index entry (count and key scans would still see it once expired)");
          }
          store.verifyRecord(rtx, rec, where);
        } catch (RuntimeException e) {
          problem(e.getMessage());
        }
      }
    }
    verifyExpiryIndex();
    new FeedVerifier(rtx, this::problem).run();
    // the content index: hash -> (blob id, count)
    Map<ByteBuffer, RecordFormat.IndexEntry> index = new HashMap<>();
    Map<Long, byte[]> keyOfId = new HashMap<>();
    try (BackendCursor c = rtx.scan(RecordStore.INDEX, null, null)) {
      while (c.next()) {
        byte[] k = c.key();
        try {
          RecordFormat.IndexEntry e = RecordFormat.parseIndex(c.value(), RecordStore.indexWhere(k));
          index.put(ByteBuffer.wrap(k), e);
          byte[] other = keyOfId.put(e.blobId(), k);
          if (other != null) {
            problem("blob id " + e.blobId() + " is indexed under two contents: "
                + RecordFormat.hex(other) + " and " + RecordFormat.hex(k));
          }
        } catch (RuntimeException e) {
          problem(e.getMessage());
        }
      }
    }
    try (BackendCursor c = rtx.scan(RecordStore.BLOBS, null, null)) {
      while (c.next()) {
        blobs++;
        byte[] idKey = c.key();
        long id;
        try {
          id = RecordFormat.blobIdOf(idKey, "blob key " + RecordFormat.hex(idKey));
        } catch (RuntimeException e) {
          problem(e.getMessage());
          continue;
        }
        byte[] contentKey = keyOfId.remove(id);
        if (contentKey == null) {
          problem("blob id " + id + " has no index entry (nothing can reference it)");
          continue;
        }
        try {
          store.verifyBlob(rtx, contentKey, c.value());
        } catch (RuntimeException e) {
          problem(e.getMessage());
        }
      }
    }
    keyOfId.forEach((id, k) -> problem("index entry of blob " + RecordFormat.hex(k)
        + " names blob id " + id + ", which is missing"));
    index.forEach((k, e) -> {
      long refs = referenced.getOrDefault(k, 0L);
      Long recordId = referencedIds.get(k);
      String what = "blob " + hex(k);
      if (e.count() <= 0) {
        problem(what + " has reference count " + e.count());
      } else if (e.count() != refs) {
        problem(what + " has reference count " + e.count() + " but " + refs
            + " records reference it");
      }
      if (recordId != null && recordId != e.blobId()) {
        problem(what + " is indexed as blob id " + e.blobId() + " but records refer to id "
            + recordId);
      }
      referenced.remove(k);
    });
    referenced.forEach((k, v) -> problem(v + " records reference blob " + hex(k)
        + ", which has no index entry"));
    return new VerificationReport(records, blobs, problems);
  }

  /** Every expiry index entry names a record that carries that expiry. */
  private void verifyExpiryIndex() {
    byte[] start = RecordStore.EXPIRY_PREFIX;
    try (BackendCursor c = rtx.scan(RecordStore.META, start, Keys.prefixEnd(start))) {
      while (c.next()) {
        byte[] k = c.key();
        if (k.length <= start.length + 8) {
          problem("expiry index key " + RecordFormat.hex(k) + " is malformed");
          continue;
        }
        byte[] rk = RecordStore.recordKeyOf(k);
        Long e = RecordStore.peekExpiry(rtx, rk);
        if (e == null || e != RecordStore.expiryOf(k)) {
          problem("expiry index entry " + RecordStore.expiryOf(k) + " of record key "
              + RecordFormat.hex(rk) + " names a record that does not expire then ("
              + (e == null ? "absent" : e == RecordFormat.NEVER ? "never expires" : "expires at " + e)
              + ")");
        }
      }
    }
  }

  private static String hex(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return RecordFormat.hex(a);
  }

  private void problem(String p) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(p);
    } else if (problems.size() == MAX_PROBLEMS) {
      problems.add("... more problems not listed");
    }
  }
}
