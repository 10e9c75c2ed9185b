package dev.cairn.storage.spi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The default {@link BackendTransaction#scanDescending}: a reverse cursor made of forward scans,
 * for backends without a native one. Each batch is one {@link BackendTransaction#scan} of the
 * range below the last key returned, keeping the {@value #BATCH} greatest keys in a min-heap (so
 * it needs no ordered scan and holds no values); values are read with
 * {@link BackendTransaction#get} as the cursor reaches their keys. Used by one thread, like its
 * transaction.
 */
final class DescendingByForwardScans implements BackendCursor {

  /** Keys per forward scan: memory is bounded by this many keys. */
  static final int BATCH = 256;

  private final BackendTransaction tx;
  private final String keyspace;
  private final byte[] from;
  /** The exclusive upper bound of the next batch; null: none. */
  private byte[] to;
  /** The current batch, greatest key first. */
  private final ArrayDeque<byte[]> batch = new ArrayDeque<>();
  private boolean lastBatch;
  private byte[] key;
  private byte[] value;
  private boolean closed;

  DescendingByForwardScans(BackendTransaction tx, String keyspace, byte[] fromInclusive,
      byte[] toExclusive) {
    this.tx = tx;
    this.keyspace = keyspace;
    this.from = fromInclusive == null ? null : fromInclusive.clone();
    this.to = toExclusive == null ? null : toExclusive.clone();
    fill(); // at once, so that an ended transaction or an unknown keyspace throws here
  }

  @Override
  public boolean next() {
    checkOpen();
    key = null;
    value = null;
    while (true) {
      if (batch.isEmpty()) {
        if (lastBatch) {
          return false;
        }
        fill();
        continue;
      }
      byte[] k = batch.poll();
      byte[] v = tx.get(keyspace, k); // throws once the transaction has ended
      if (v != null) { // null: deleted by this transaction since the batch was read
        key = k;
        value = v;
        return true;
      }
    }
  }

  private void fill() {
    PriorityQueue<byte[]> greatest = new PriorityQueue<>(BATCH + 1, Arrays::compareUnsigned);
    try (BackendCursor c = tx.scan(keyspace, from, to)) {
      while (c.next()) {
        byte[] k = c.key();
        if (!inRange(k)) {
          continue; // never trust a scan's bounds here: a key above them would repeat forever
        }
        if (greatest.size() < BATCH) {
          greatest.add(k);
        } else if (Arrays.compareUnsigned(k, greatest.peek()) > 0) {
          greatest.poll();
          greatest.add(k);
        }
      }
    }
    lastBatch = greatest.size() < BATCH;
    List<byte[]> ascending = new ArrayList<>(greatest.size());
    while (!greatest.isEmpty()) {
      ascending.add(greatest.poll());
    }
    if (!ascending.isEmpty()) {
      to = ascending.get(0);
    }
    for (byte[] k : ascending) {
      batch.addFirst(k);
    }
  }

  private boolean inRange(byte[] k) {
    return (from == null || Arrays.compareUnsigned(k, from) >= 0)
        && (to == null || Arrays.compareUnsigned(k, to) < 0);
  }

  @Override
  public byte[] key() {
    return current(key).clone();
  }

  @Override
  public byte[] value() {
    return current(value).clone();
  }

  private byte[] current(byte[] b) {
    checkOpen();
    if (b == null) {
      throw new IllegalStateException("no current entry: call next() first (and check its result)");
    }
    return b;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("cursor is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
    key = null;
    value = null;
    batch.clear();
  }
}
