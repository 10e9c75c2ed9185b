package dev.cairn.storage.internal;

import dev.cairn.storage.KeyRange;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A scan of the records keyspace as the engine runs it: record keys {@code [from, to)} (both
 * within one collection, so {@code to} is never open), a direction and a limit. Built from a
 * prefix ({@link dev.cairn.storage.Storage#keys(String, String)}) or from a {@link KeyRange}, whose bounds are
 * encoded exactly as keys are ({@link Keys#recordKey}), so a range over non-ASCII keys holds
 * the keys between its bounds in byte order.
 */
record ScanRange(byte[] from, byte[] to, boolean descending, long limit) {

  /** The record keys starting with {@code start} (a collection's prefix), ascending. */
  static ScanRange prefix(byte[] start) {
    return new ScanRange(start, Keys.prefixEnd(start), false, Long.MAX_VALUE);
  }

  /** {@code range} within {@code collection} (already checked). */
  static ScanRange of(String collection, KeyRange range) {
    Objects.requireNonNull(range, "range");
    if (!range.keyPrefix().isEmpty()) {
      ScanRange p = prefix(Keys.recordKey(collection, Keys.prefixBytes(range.keyPrefix())));
      return new ScanRange(p.from, p.to, range.isDescending(), range.limit());
    }
    byte[] from = Keys.recordKey(collection, bound(range.fromInclusive().orElse("")));
    byte[] to = range.toExclusive().isPresent()
        ? Keys.recordKey(collection, bound(range.toExclusive().get()))
        : Keys.prefixEnd(Keys.collectionStart(collection));
    return new ScanRange(from, to, range.isDescending(), range.limit());
  }

  /** A cursor over this range of records, in its direction, in {@code t}. */
  BackendCursor open(BackendTransaction t) {
    return open(t, from, to, descending);
  }

  /** A cursor over the records {@code [from, to)}, descending or not, in {@code t}. */
  static BackendCursor open(BackendTransaction t, byte[] from, byte[] to, boolean descending) {
    return descending
        ? t.scanDescending(RecordStore.RECORDS, from, to)
        : t.scan(RecordStore.RECORDS, from, to);
  }

  /** A bound's UTF-8 bytes (KeyRange has checked it is well-formed, so no replacement occurs). */
  private static byte[] bound(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
