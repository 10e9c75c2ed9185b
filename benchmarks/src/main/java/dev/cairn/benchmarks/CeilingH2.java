package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.util.Iterator;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The ceiling for a store on H2's MVStore that keeps Cairn's two promises on reads and nothing
 * else: it is the raw library ({@link RawH2}) plus only the work no checking store can skip.
 *
 * <ul>
 *   <li>Keys are UTF-8 bytes behind a collection prefix, ordered as unsigned bytes (the order
 *       every Cairn backend shares; H2's {@code StringDataType} orders by UTF-16 units), so a
 *       scanned key is decoded into a {@code String}.
 *   <li>Every value carries a CRC32C over key and value, checked on every read (Cairn: "every
 *       read fails on a damaged record").
 *   <li>A read hands out a copy (MVStore hands out the array in its page cache: a caller that
 *       changed it would change what later reads return).
 * </ul>
 *
 * <p>No header, no versions, no access statistics, no locks, no lifecycle, no snapshots beyond
 * MVStore's own: what {@code impl=ceiling} scores is what any store with these guarantees can
 * reach on this engine, in the same run as raw and Cairn (benchmarks/README.md, "Ceilings").
 */
final class CeilingH2 implements Kv {

  private final MVStore store;
  private final MVMap<byte[], byte[]> map;

  CeilingH2(Path dir) {
    store = new MVStore.Builder().fileName(dir.resolve("ceiling.mv.db").toString())
        .autoCommitDisabled().cacheSize(16).open();
    map = store.openMap("kv", new MVMap.Builder<byte[], byte[]>()
        .keyType(H2UnsignedBytes.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
  }

  @Override
  public synchronized void putBatch(String[] keys, byte[][] values) {
    for (int i = 0; i < keys.length; i++) {
      byte[] k = Sealing.prefixed(keys[i]);
      map.put(k, Sealing.seal(k, values[i]));
    }
    store.commit();
    store.sync();
  }

  @Override
  public synchronized void putOne(String key, byte[] value) {
    byte[] k = Sealing.prefixed(key);
    map.put(k, Sealing.seal(k, value));
    store.commit();
    store.sync();
  }

  @Override
  public void putOneGroup(String key, byte[] value) {
    putOne(key, value);
  }

  @Override
  public byte[] get(String key) {
    byte[] k = Sealing.prefixed(key);
    return Sealing.unseal(k, Kv.require(map.get(k), key));
  }

  @Override
  public long scanKeys(Blackhole bh) {
    long n = 0;
    Iterator<byte[]> it = map.keyIterator(Sealing.PREFIX);
    while (it.hasNext()) {
      bh.consume(Sealing.unprefixed(it.next()));
      n++;
    }
    return n;
  }

  @Override
  public long scanAll(Blackhole bh) {
    long n = 0;
    Cursor<byte[], byte[]> c = map.cursor(Sealing.PREFIX);
    while (c.hasNext()) {
      byte[] k = c.next();
      bh.consume(Sealing.unprefixed(k));
      bh.consume(Sealing.unseal(k, c.getValue()));
      n++;
    }
    return n;
  }

  @Override
  public void close() {
    store.close();
  }
}
