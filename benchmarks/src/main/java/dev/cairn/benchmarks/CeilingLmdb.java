package dev.cairn.benchmarks;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The ceiling for a store on LMDB that keeps Cairn's two promises on reads and nothing else: the
 * raw library exactly as {@link RawLmdb} uses it (its environment, database, per-thread reset
 * read transaction and direct buffers) plus only the work no checking store can skip, the same
 * as {@link CeilingH2}'s:
 *
 * <ul>
 *   <li>keys behind a collection prefix ({@link Sealing#PREFIX}, as Cairn's records), so a
 *       scanned key is decoded after it;
 *   <li>every value followed by a CRC32C over key and value, checked on every read in LMDB's
 *       memory, and handed out as one copy ({@link Sealing}; {@code RawLmdb} copies each value
 *       out too).
 * </ul>
 *
 * <p>No record header, versions, access statistics, latency histogram, lifecycle or read-slot
 * bookkeeping: what {@code impl=ceiling} scores on the read cases is what any store with these
 * guarantees can reach on LMDB, in the same run as raw and Cairn (benchmarks/README.md,
 * "Ceilings"). Writes are here only to load the records the reads measure.
 */
final class CeilingLmdb implements Kv {

  private final RawLmdb raw;

  CeilingLmdb(Path dir) {
    raw = new RawLmdb(dir);
  }

  @Override
  public void putBatch(String[] keys, byte[][] values) {
    try (Txn<ByteBuffer> txn = raw.env.txnWrite()) {
      for (int i = 0; i < keys.length; i++) {
        byte[] k = Sealing.prefixed(keys[i]);
        raw.db.put(txn, raw.keyBuffer(k), raw.value(Sealing.seal(k, values[i])));
      }
      txn.commit();
    }
  }

  @Override
  public void putOne(String key, byte[] value) {
    putBatch(new String[] {key}, new byte[][] {value});
  }

  @Override
  public void putOneGroup(String key, byte[] value) {
    putOne(key, value);
  }

  @Override
  public byte[] get(String key) {
    Txn<ByteBuffer> txn = raw.readTxn.get();
    txn.renew();
    try {
      ByteBuffer k = raw.keyBuffer(Sealing.prefixed(key));
      ByteBuffer v = raw.db.get(txn, k);
      if (v == null) {
        return Kv.require(null, key);
      }
      return Sealing.unseal(k, v);
    } finally {
      txn.reset();
    }
  }

  @Override
  public long scanKeys(Blackhole bh) {
    return scan(bh, false);
  }

  @Override
  public long scanAll(Blackhole bh) {
    return scan(bh, true);
  }

  private long scan(Blackhole bh, boolean values) {
    long n = 0;
    try (Txn<ByteBuffer> txn = raw.env.txnRead();
        CursorIterable<ByteBuffer> it = raw.db.iterate(txn, KeyRange.all())) {
      for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
        byte[] k = new byte[kv.key().remaining()];
        kv.key().get(kv.key().position(), k);
        bh.consume(Sealing.unprefixed(k)); // new String(bytes) beats a CharsetDecoder
        if (values) {
          bh.consume(Sealing.unseal(kv.key(), kv.val()));
        }
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    raw.close();
  }
}
