package dev.cairn.storage.internal;

import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Scans of the records keyspace ({@link dev.cairn.storage.Storage#keys},
 * {@link dev.cairn.storage.Storage#entries}), by prefix or by {@link ScanRange}, ascending or
 * descending ({@link BackendTransaction#scanDescending}), as lazy streams that read one page at
 * a time: one short read transaction per page of {@value #KEY_PAGE} keys or
 * {@value #ENTRY_PAGE} records with values (fewer once their values reach
 * {@link #ENTRY_PAGE_BYTES}), holding no transaction between pages, so memory
 * stays bounded and writers are never held up by a slow consumer (a descending stream pins no
 * snapshot either). A page with values reads its blobs in id order, nearby ids with one range
 * scan.
 *
 * <p>Threading: stateless; each stream is used by one thread at a time, as streams are. A page
 * is read inside the engine's {@link Lifecycle}, so reading a page of a closed store throws.
 */
final class ScanPager {

  /**
   * Keys per read transaction of a key scan (bounded memory: ~100 bytes a key of ~20
   * characters). 4,096 rather than 1,024: an LMDB key scan ran 10-20 % faster and a SQLite one
   * 4-14 %, H2's within 4 % (benchmarks/README.md, "fifteenth").
   */
  static final int KEY_PAGE = 4096;
  /**
   * Records per read transaction of a scan with values: 1,024, as a page of ~1 KiB values
   * (1 MiB) is already larger than a core's cache; 512 read no faster, 4,096 slower.
   */
  static final int ENTRY_PAGE = 1024;
  /**
   * Raw bytes of values after which a page with values ends early (it holds at least one
   * record), so that a page of large values stays this size plus one value.
   */
  static final long ENTRY_PAGE_BYTES = 4L << 20;

  private final Backend backend;
  private final RecordStore records;
  private final Metrics metrics;
  private final Lifecycle lifecycle;

  ScanPager(Backend backend, RecordStore records, Metrics metrics, Lifecycle lifecycle) {
    this.backend = backend;
    this.records = records;
    this.metrics = metrics;
    this.lifecycle = lifecycle;
  }

  /** The keys from record key {@code start} to the end of its prefix, in key order. */
  Stream<String> keys(byte[] start) {
    return keys(ScanRange.prefix(start));
  }

  /** The keys of {@code range}, in its order and up to its limit. */
  Stream<String> keys(ScanRange range) {
    return page(range, null, (rtx, keys, values, blobRefs) -> {
      List<String> out = new ArrayList<>(keys.size());
      for (byte[] rk : keys) {
        out.add(Keys.keyOf(rk));
      }
      return out;
    });
  }

  /**
   * The keys and values of {@code collection} from record key {@code start} to the end of its
   * prefix, in key order; each value is decoded and checked as a read by key is.
   */
  Stream<Map.Entry<String, byte[]>> entries(String collection, byte[] start) {
    return entries(collection, ScanRange.prefix(start));
  }

  /**
   * The keys and values of {@code range} within {@code collection}, in its order and up to its
   * limit; each value is decoded and checked as a read by key is.
   */
  Stream<Map.Entry<String, byte[]>> entries(String collection, ScanRange range) {
    return page(range, collection, (rtx, keys, values, blobRefs) -> {
      // inline values were decoded as the cursor read them; the page's blobs are read in id
      // order: runs of nearby ids with one range scan each instead of a point lookup per value
      int blobs = blobRefs.size();
      if (blobs > 0) {
        long[] ids = new long[blobs];
        for (int i = 0; i < blobs; i++) {
          ids[i] = blobRefs.get(i).rec().blobId();
        }
        Map<Long, byte[]> blobValues = readBlobs(rtx, ids, blobs);
        for (Parsed p : blobRefs) {
          values.setValue(p.index(), records.decodeRecord(
              rtx, p.rec(), collection, p.name(), blobValues.get(p.rec().blobId())));
        }
      }
      metrics.backendReads.add(values.size()); // a scan: no access statistics (Storage.entries)
      return values;
    });
  }

  /** Ids closer than this are read with one range scan (skipping the blobs in between). */
  private static final int BLOB_RUN_GAP = 8;

  /**
   * The stored values of the blobs with the first {@code n} of {@code ids} (any order,
   * duplicates allowed), by id; a missing blob is absent from the map. Runs of ids no more than
   * {@value #BLOB_RUN_GAP} apart are read with one range scan, the others with a point lookup.
   */
  private Map<Long, byte[]> readBlobs(BackendTransaction btx, long[] ids, int n) {
    long[] sorted = Arrays.copyOf(ids, n);
    Arrays.sort(sorted);
    Map<Long, byte[]> out = new HashMap<>(n * 2);
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && sorted[j + 1] - sorted[j] <= BLOB_RUN_GAP) {
        j++;
      }
      if (sorted[j] == sorted[i]) {
        byte[] v = btx.get(RecordStore.BLOBS, RecordFormat.blobIdKey(sorted[i]));
        if (v != null) {
          out.put(sorted[i], v);
        }
      } else {
        try (BackendCursor c = btx.scan(RecordStore.BLOBS, RecordFormat.blobIdKey(sorted[i]),
            RecordFormat.blobIdKey(sorted[j] + 1))) {
          int k = i;
          while (k <= j && c.next()) {
            long id = RecordFormat.blobIdOf(c.key(), "blob scan");
            while (k <= j && sorted[k] < id) {
              k++; // missing: decode reports it
            }
            if (k <= j && sorted[k] == id) {
              out.put(id, c.value());
              while (k <= j && sorted[k] == id) {
                k++;
              }
            }
          }
        }
      }
      i = j + 1;
    }
    return out;
  }

  /**
   * A record of a page with values whose value is decoded after the walk: its key, its value
   * parsed (checked, not decoded), and its entry's place in the page.
   */
  private record Parsed(String name, RecordFormat.StoredRecord rec, int index) {}

  /**
   * The walk of a page with values ({@link BackendCursor#forEachParts}): each record parsed from
   * the backend's own bytes (the payload is the one copy made, none where the backend hands it
   * over as an array of its own) and, unless expired, kept; an inline
   * value decoded at once, while the record is in this core's cache (a page is larger than the
   * cache: decoding in a second pass read every record back from memory). A blob reference
   * waits for the page's blob reads ({@code blobRefs}), a value needing a dictionary not loaded
   * yet for the end of the walk ({@link #later}): the walk must not use the transaction. Stops
   * once the page holds {@code pageSize} records, has read {@code maxPage}, or its values reach
   * {@link #ENTRY_PAGE_BYTES}.
   */
  private final class ValuePage implements BackendCursor.PartsVisitor {
    private final String collection;
    private final long now;
    private final int pageSize;
    private final int maxPage;
    private final EntryPage values;
    private final List<Parsed> blobRefs;
    final List<Parsed> later = new ArrayList<>(0);
    byte[] last;
    private int scanned;
    private long valueBytes;

    ValuePage(String collection, long now, int pageSize, int maxPage, EntryPage values,
        List<Parsed> blobRefs) {
      this.collection = collection;
      this.now = now;
      this.pageSize = pageSize;
      this.maxPage = maxPage;
      this.values = values;
      this.blobRefs = blobRefs;
    }

    @Override
    public boolean visit(java.nio.ByteBuffer k, java.nio.ByteBuffer v, byte[] body) {
      scanned++;
      byte[] rk = RecordStore.copy(k);
      last = rk;
      String name = Keys.keyOf(rk);
      RecordStore.Where where = RecordStore.where(collection, name);
      RecordFormat.StoredRecord rec = records.parseToRead(v, body, rk, where);
      if (!rec.expired(now)) {
        byte[] raw = rec.isBlob() ? null : records.decodeWithoutReads(rec, where);
        if (raw == null) {
          (rec.isBlob() ? blobRefs : later).add(new Parsed(name, rec, values.size()));
        }
        values.add(name, raw); // a value still to decode is set after the walk
        valueBytes += rec.rawLength();
      }
      return values.size() < pageSize && scanned < maxPage && valueBytes < ENTRY_PAGE_BYTES;
    }
  }

  /**
   * A page of entries as two arrays, names and values, each {@link Map.Entry} made as it is
   * handed out: the consumer gets a fresh object in its cache rather than one built while the
   * rest of the page was read (an LMDB value scan ran 4-5 % faster; benchmarks/README.md,
   * "twentieth"). A value is null only until it is decoded after the walk; a slot handed out is
   * cleared ({@link #set} with null, by {@link Pager#tryAdvance}).
   */
  private static final class EntryPage extends AbstractList<Map.Entry<String, byte[]>> {
    private final String[] names;
    private final byte[][] values;
    private int size;

    EntryPage(int capacity) {
      names = new String[capacity];
      values = new byte[capacity][];
    }

    /** Appends an entry; {@code value} null if it is decoded after the walk. */
    void add(String name, byte[] value) {
      names[size] = name;
      values[size++] = value;
    }

    /** The value of entry {@code i}, decoded after the walk. */
    void setValue(int i, byte[] value) {
      values[Objects.checkIndex(i, size)] = value;
    }

    @Override
    public Map.Entry<String, byte[]> get(int i) {
      String name = names[Objects.checkIndex(i, size)];
      return name == null ? null : Map.entry(name, values[i]);
    }

    /** Only clears: a page's entries are set by {@link #add} and {@link #setValue}. */
    @Override
    public Map.Entry<String, byte[]> set(int i, Map.Entry<String, byte[]> entry) {
      if (entry != null) {
        throw new UnsupportedOperationException("a page's entries are only cleared");
      }
      Map.Entry<String, byte[]> old = get(i);
      names[i] = null;
      values[i] = null;
      return old;
    }

    @Override
    public int size() {
      return size;
    }
  }

  /**
   * What a page produces from its records: from their keys ({@code recordKeys}; empty for a
   * page with values); or, if the page asked for values, from their entries ({@code values};
   * null for a key scan), decoded but for the blob references (value null, each listed in
   * {@code blobRefs} with its place).
   */
  @FunctionalInterface
  private interface PageReader<T> {
    List<T> read(BackendTransaction rtx, List<byte[]> recordKeys, EntryPage values,
        List<Parsed> blobRefs);
  }

  /** A page reader over {@code range}; with values if {@code collection} is not null. */
  private <T> Stream<T> page(ScanRange range, String collection, PageReader<T> reader) {
    return StreamSupport.stream(new Pager<>(range, collection, reader), false);
  }

  /**
   * Pages through a range of records, one short read transaction per page of {@value #KEY_PAGE}
   * keys or {@value #ENTRY_PAGE} records with values (fewer once their raw values reach
   * {@link #ENTRY_PAGE_BYTES}), holding no transaction between pages. An
   * ascending page starts after the last key of the page before, a descending page below it;
   * the last page is no longer than what remains of the limit.
   *
   * <p>A spliterator rather than an iterator under {@link Spliterators#spliteratorUnknownSize}:
   * a stream's terminal operation hands out a whole page in one loop
   * ({@link #forEachRemaining}) instead of asking {@code hasNext()} and {@code next()} per
   * record. It never splits: a range is read in order, page after page.
   */
  private final class Pager<T> implements Spliterator<T> {
    private byte[] from;
    private byte[] to;
    private final boolean descending;
    private long remaining;
    /** The collection whose values the pages parse; null for keys only. */
    private final String collection;
    private final PageReader<T> reader;
    /** The page being handed out, from {@code at} on. */
    private List<T> page = List.of();
    private int at;
    private boolean exhausted;

    Pager(ScanRange range, String collection, PageReader<T> reader) {
      this.from = range.from();
      this.to = range.to();
      this.descending = range.descending();
      this.remaining = range.limit();
      this.collection = collection;
      this.reader = reader;
    }

    /** Whether a record is left to hand out, reading pages until one has it or none is left. */
    private boolean more() {
      while (at == page.size() && !exhausted) {
        fill(); // a page of expired records only comes back empty: read the next one
      }
      return at < page.size();
    }

    @Override
    public boolean tryAdvance(Consumer<? super T> action) {
      if (!more()) {
        return false;
      }
      T next = page.get(at);
      page.set(at++, null); // handed out: the page no longer keeps it
      action.accept(next);
      return true;
    }

    @Override
    public void forEachRemaining(Consumer<? super T> action) {
      while (more()) {
        List<T> p = page;
        int n = p.size();
        int i = at;
        at = n; // the page is handed out whole, even if the action throws (the stream is done)
        for (; i < n; i++) {
          action.accept(p.get(i));
        }
      }
    }

    @Override
    public Spliterator<T> trySplit() {
      return null;
    }

    @Override
    public long estimateSize() {
      return Long.MAX_VALUE;
    }

    @Override
    public int characteristics() {
      return Spliterator.ORDERED | Spliterator.NONNULL;
    }

    private void fill() {
      if (remaining <= 0) {
        exhausted = true;
        return;
      }
      lifecycle.enterOrThrow();
      try (BackendTransaction rtx = backend.beginRead()) {
        boolean withValues = collection != null;
        int maxPage = withValues ? ENTRY_PAGE : KEY_PAGE;
        int pageSize = (int) Math.min(maxPage, remaining);
        List<byte[]> keys = withValues ? List.of() : new ArrayList<>(pageSize);
        EntryPage values = withValues ? new EntryPage(pageSize) : null;
        List<Parsed> blobRefs = withValues ? new ArrayList<>() : List.of();
        // expired records are skipped; checked only if the expiry index says any has expired
        long now = records.now();
        boolean skipExpired = records.anyExpired(rtx, now);
        byte[] last = null;
        boolean ended = false;
        try (BackendCursor c = ScanRange.open(rtx, from, to, descending)) {
          if (withValues) {
            // one walk of the cursor for the page (BackendCursor.forEachParts)
            ValuePage vp = new ValuePage(collection, now, pageSize, maxPage, values, blobRefs);
            ended = !c.forEachParts(vp);
            last = vp.last;
            for (Parsed p : vp.later) {
              // a value whose decoding reads the store: after the walk, in this transaction
              values.setValue(p.index(),
                  records.decodeRecord(rtx, p.rec(), collection, p.name(), null));
            }
          } else if (!skipExpired) {
            // keys only, none expired: one walk of the keys (BackendCursor.forEachKey)
            ended = !c.forEachKey(k -> {
              keys.add(k);
              return keys.size() < pageSize;
            });
            last = keys.isEmpty() ? null : keys.get(keys.size() - 1);
          } else {
            // keys only, some expired: each value's expiry peeked at; up to pageSize kept,
            // reading no more than a full page's worth
            for (int scanned = 0; keys.size() < pageSize && scanned < maxPage; scanned++) {
              if (!c.next()) {
                ended = true;
                break;
              }
              last = c.key();
              if (!c.read((k, v) -> RecordStore.expired(v, now))) {
                keys.add(last);
              }
            }
          }
        }
        remaining -= withValues ? values.size() : keys.size();
        if (ended || remaining == 0) {
          exhausted = true;
        } else if (descending) {
          to = last;
        } else {
          from = Keys.successor(last);
        }
        page = reader.read(rtx, keys, values, blobRefs);
        at = 0;
      } finally {
        lifecycle.exit();
      }
    }
  }
}
