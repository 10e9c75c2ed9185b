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
 * lmdbjava the fast way: one named Dbi, direct buffers, durable commits (default env flags: the
 * commit fsyncs), and one read transaction per thread reused with {@code reset()}/{@code renew()}
 * (opening one per get, ~7 µs each, dominates small reads). Values are copied
 * out into a {@code byte[]}, as any caller that keeps them must.
 */
final class RawLmdb implements Kv {

  // package-private for CeilingLmdb, which uses the library the same way
  final Env<ByteBuffer> env;
  final Dbi<ByteBuffer> db;
  final ThreadLocal<Txn<ByteBuffer>> readTxn;
  private final ThreadLocal<ByteBuffer[]> buffers = ThreadLocal.withInitial(() ->
      new ByteBuffer[] {ByteBuffer.allocateDirect(511), ByteBuffer.allocateDirect(64 << 10)});

  RawLmdb(Path dir) {
    env = Env.create().setMapSize(16L << 30).setMaxDbs(1).setMaxReaders(128)
        .open(dir.toFile());
    db = env.openDbi("kv", DbiFlags.MDB_CREATE);
    readTxn = ThreadLocal.withInitial(() -> {
      Txn<ByteBuffer> t = env.txnRead();
      t.reset();
      return t;
    });
  }

  private ByteBuffer key(String key) {
    ByteBuffer b = buffers.get()[0].clear();
    b.put(key.getBytes(StandardCharsets.UTF_8)).flip();
    return b;
  }

  /** {@code key}'s bytes in this thread's key buffer (for {@link CeilingLmdb}). */
  ByteBuffer keyBuffer(byte[] key) {
    return buffers.get()[0].clear().put(key).flip();
  }

  ByteBuffer value(byte[] v) {
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
        db.put(txn, key(keys[i]), value(values[i]));
      }
      txn.commit();
    }
  }

  @Override
  public void putOne(String key, byte[] value) {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      db.put(txn, key(key), value(value));
      txn.commit();
    }
  }

  @Override
  public void putOneGroup(String key, byte[] value) {
    putOne(key, value); // LMDB's writer mutex serialises the writers
  }

  @Override
  public byte[] get(String key) {
    Txn<ByteBuffer> txn = readTxn.get();
    txn.renew();
    try {
      ByteBuffer v = db.get(txn, key(key));
      if (v == null) {
        return Kv.require(null, key);
      }
      byte[] out = new byte[v.remaining()];
      v.get(out);
      return out;
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
        byte[] v = new byte[kv.val().remaining()];
        kv.val().get(v);
        bh.consume(v);
        n++;
      }
    }
    return n;
  }

  /**
   * A key in LMDB's memory as a {@code String}: copied out, then decoded by {@code new String},
   * which made a scan of keys about 1.4x faster than {@code UTF_8.decode(buffer)} (this baseline
   * used that until 2026-12-05; benchmarks/README.md, "tenth").
   */
  private static String keyString(ByteBuffer key) {
    byte[] k = new byte[key.remaining()];
    key.get(key.position(), k);
    return new String(k, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    env.close();
  }
}
