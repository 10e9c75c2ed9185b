package dev.cairn.benchmarks;

import java.util.Iterator;
import java.nio.file.Path;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;
import org.openjdk.jmh.infra.Blackhole;

/**
 * An H2 MVStore map of String key to byte[] value, auto-commit off; a durable commit is
 * {@code store.commit()} then {@code store.sync()} (H2 does not fsync by itself). Writers are
 * serialised (one commit, one fsync each); reads go to the map directly (MVStore maps are
 * thread-safe).
 */
final class RawH2 implements Kv {

  private final MVStore store;
  private final MVMap<String, byte[]> map;

  RawH2(Path dir) {
    store = new MVStore.Builder().fileName(dir.resolve("raw.mv.db").toString())
        .autoCommitDisabled().cacheSize(16).open();
    map = store.openMap("kv", new MVMap.Builder<String, byte[]>()
        .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
  }

  @Override
  public synchronized void putBatch(String[] keys, byte[][] values) {
    for (int i = 0; i < keys.length; i++) {
      map.put(keys[i], values[i]);
    }
    store.commit();
    store.sync();
  }

  @Override
  public synchronized void putOne(String key, byte[] value) {
    map.put(key, value);
    store.commit();
    store.sync();
  }

  @Override
  public void putOneGroup(String key, byte[] value) {
    putOne(key, value);
  }

  @Override
  public byte[] get(String key) {
    return Kv.require(map.get(key), key);
  }

  @Override
  public long scanKeys(Blackhole bh) {
    long n = 0;
    Iterator<String> it = map.keyIterator(null);
    while (it.hasNext()) {
      bh.consume(it.next());
      n++;
    }
    return n;
  }

  @Override
  public long scanAll(Blackhole bh) {
    long n = 0;
    Cursor<String, byte[]> c = map.cursor(null);
    while (c.hasNext()) {
      bh.consume(c.next());
      bh.consume(c.getValue());
      n++;
    }
    return n;
  }

  @Override
  public void close() {
    store.close();
  }
}
