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
 * blob has a zero count or lacks a count. Memory: one map entry per distinct blob.
 */
final class Verifier {

  private static final int MAX_PROBLEMS = 1000;

  private final Engine engine;
  private final BackendTransaction rtx;
  private final List<String> problems = new ArrayList<>();
  private long records;
  private long blobs;

  Verifier(Engine engine, BackendTransaction rtx) {
    this.engine = engine;
    this.rtx = rtx;
  }

  VerificationReport run() {
    Map<ByteBuffer, Long> referenced = new HashMap<>();
    try (BackendCursor c = rtx.scan(Engine.RECORDS, null, null)) {
      while (c.next()) {
        records++;
        byte[] rk = c.key();
        Engine.Where where;
        try {
          where = Engine.where(Keys.collectionOf(rk), Keys.keyOf(rk));
        } catch (RuntimeException e) {
          problem("record key " + RecordFormat.hex(rk) + " is malformed");
          continue;
        }
        try {
          byte[] value = c.value();
          RecordFormat.StoredRecord rec = RecordFormat.parseRecord(value, rk, where);
          // a damaged index (e.g. a flipped separator key in an interior B-tree page) can hide a
          // record from point lookups while scans still see it
          if (!java.util.Arrays.equals(rtx.get(Engine.RECORDS, rk), value)) {
            problem(where + ": a point lookup of its key does not find the value a scan finds"
                + " (the backend's index is damaged)");
          }
          if (rec.isBlob()) {
            referenced.merge(ByteBuffer.wrap(rec.blobKey()), 1L, Long::sum);
          }
          engine.verifyRecord(rtx, rec, where);
        } catch (RuntimeException e) {
          problem(e.getMessage());
        }
      }
    }
    Map<ByteBuffer, Long> counts = new HashMap<>();
    try (BackendCursor c = rtx.scan(Engine.REFS, null, null)) {
      while (c.next()) {
        byte[] k = c.key();
        try {
          counts.put(ByteBuffer.wrap(k),
              RecordFormat.parseCount(c.value(), "reference count of blob " + RecordFormat.hex(k)));
        } catch (RuntimeException e) {
          problem(e.getMessage());
          counts.put(ByteBuffer.wrap(k), -1L);
        }
      }
    }
    try (BackendCursor c = rtx.scan(Engine.BLOBS, null, null)) {
      while (c.next()) {
        blobs++;
        byte[] k = c.key();
        ByteBuffer kb = ByteBuffer.wrap(k);
        String what = "blob " + RecordFormat.hex(k);
        try {
          engine.verifyBlob(rtx, k, c.value());
        } catch (RuntimeException e) {
          problem(e.getMessage());
        }
        Long count = counts.remove(kb);
        long refs = referenced.getOrDefault(kb, 0L);
        referenced.remove(kb);
        if (count == null) {
          problem(what + " has no reference count (" + refs + " records reference it)");
        } else if (count == 0) {
          problem(what + " has reference count 0");
        } else if (count >= 0 && count != refs) {
          problem(what + " has reference count " + count + " but " + refs + " records reference it");
        }
      }
    }
    counts.forEach((k, v) -> problem("reference count for missing blob " + hex(k)));
    referenced.forEach((k, v) -> problem(v + " records reference missing blob " + hex(k)));
    return new VerificationReport(records, blobs, problems);
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
