package dev.cairn.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The ceiling for a store on LMDB that keeps Cairn's two promises on reads and nothing else: the
 * raw library as {@link RawLmdb} uses it (one named database, direct buffers, a reset read
 * transaction per thread renewed for each read) plus only the work no checking store can skip,
 * the same as {@link CeilingH2}'s:
 *
 * <ul>
 *   <li>keys behind a collection prefix ({@code bench\0}, as Cairn's records), so a scanned key
 *       is decoded after it;
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

  private static final byte[] PREFIX = "bench\0".getBytes(StandardCharsets.UTF_8);

  private final Env<ByteBuffer> env;
  private final Dbi<ByteBuffer> db;
  private final ThreadLocal<Txn<ByteBuffer>> readTxn;
  private final ThreadLocal<ByteBuffer[]> buffers = ThreadLocal.withInitial(() ->
      new ByteBuffer[] {ByteBuffer.allocateDirect(511), ByteBuffer.allocateDirect(64 << 10)});

  CeilingLmdb(Path dir) {
    env = Env.create().setMapSize(16L << 30).setMaxDbs(1).setMaxReaders(128)
        .open(dir.toFile());
    db = env.openDbi("kv", DbiFlags.MDB_CREATE);
    readTxn = ThreadLocal.withInitial(() -> {
      Txn<ByteBuffer> t = env.txnRead();
      t.reset();
      return t;
    });
  }

  private ByteBuffer keyBuffer(byte[] key) {
    return buffers.get()[0].clear().put(key).flip();
  }

  private ByteBuffer valueBuffer(byte[] v) {
    ByteBuffer[] bs = buffers.get();
    if (bs[1].capacity() < v.length) {
      bs[1] = ByteBuffer.allocateDirect(v.length);
    }
    return bs[1].clear().put(v).flip();
  }

  @Override
  public void putBatch(String[] keys, byte[][] values) {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      for (int i = 0; i < keys.length; i++) {
        byte[] k = key(keys[i]);
        db.put(txn, keyBuffer(k), valueBuffer(Sealing.seal(k, values[i])));
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
    byte[] k = key(key);
    Txn<ByteBuffer> txn = readTxn.get();
    txn.renew();
    try {
      ByteBuffer kb = keyBuffer(k);
      ByteBuffer v = db.get(txn, kb);
      if (v == null) {
        return Kv.require(null, key);
      }
      return Sealing.unseal(kb, v);
    } finally {
      txn.reset();
    }
  }

  @Override
  public long scanKeys(Blackhole bh) {
    long n = 0;
    try (Txn<ByteBuffer> txn = env.txnRead();
        CursorIterable<ByteBuffer> it = db.iterate(txn, KeyRange.all())) {
      for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
        bh.consume(keyString(kv.key()));
        n++;
      }
    }
    return n;
  }

  @Override
  public long scanAll(Blackhole bh) {
    long n = 0;
    try (Txn<ByteBuffer> txn = env.txnRead();
        CursorIterable<ByteBuffer> it = db.iterate(txn, KeyRange.all())) {
      for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
        bh.consume(keyString(kv.key()));
        bh.consume(Sealing.unseal(kv.key(), kv.val()));
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    env.close();
  }

  private static byte[] key(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] out = java.util.Arrays.copyOf(PREFIX, PREFIX.length + k.length);
    System.arraycopy(k, 0, out, PREFIX.length, k.length);
    return out;
  }

  private static String keyString(ByteBuffer k) {
    ByteBuffer b = k.duplicate();
    b.position(b.position() + PREFIX.length);
    return StandardCharsets.UTF_8.decode(b).toString();
  }
}
