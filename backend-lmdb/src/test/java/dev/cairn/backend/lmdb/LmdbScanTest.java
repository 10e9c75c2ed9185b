package dev.cairn.backend.lmdb;

import static dev.cairn.backend.lmdb.LmdbTestSupport.b;
import static dev.cairn.backend.lmdb.LmdbTestSupport.keys;
import static dev.cairn.backend.lmdb.LmdbTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LmdbScanTest {

  @TempDir java.nio.file.Path dir;
  private Backend backend;

  @BeforeEach
  void openStore() {
    backend = LmdbTestSupport.open(dir);
  }

  @AfterEach
  void closeStore() {
    backend.close();
  }

  private void putAll(String keyspace, byte[]... keys) {
    try (BackendTransaction tx = backend.beginWrite()) {
      for (byte[] k : keys) {
        tx.put(keyspace, k, k);
      }
      tx.commit(Durability.SYNC);
    }
  }

  private static byte[] bytes(int... v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return out;
  }

  @Test
  void scanReturnsKeysInUnsignedByteOrderIncludingFfBytes() {
    byte[][] keys = {
      bytes(0xFF), bytes(0xFF, 0xFF), bytes(0x00), bytes(0x7F), bytes(0x80), bytes(0x01, 0xFF),
      bytes(0x01), bytes(0xFE, 0xFF, 0xFF), bytes(0x00, 0x00)
    };
    putAll("records", keys);
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(keys(tx, "records", null, null))
          .containsExactly(
              bytes(0x00), bytes(0x00, 0x00), bytes(0x01), bytes(0x01, 0xFF), bytes(0x7F),
              bytes(0x80), bytes(0xFE, 0xFF, 0xFF), bytes(0xFF), bytes(0xFF, 0xFF));
      // an upper bound of 0xFF excludes 0xFF and everything after it
      assertThat(keys(tx, "records", bytes(0x80), bytes(0xFF)))
          .containsExactly(bytes(0x80), bytes(0xFE, 0xFF, 0xFF));
      assertThat(keys(tx, "records", bytes(0xFF), null))
          .containsExactly(bytes(0xFF), bytes(0xFF, 0xFF));
    }
  }

  @Test
  void prefixRangeReturnsExactlyThePrefixedKeys() {
    putAll("records", b("a\0x"), b("ab\0k1"), b("ab\0k2"), b("ab\1"), b("abc\0k"), b("b\0z"));
    byte[] from = b("ab\0");
    byte[] to = b("ab\1");
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(keys(tx, "records", from, to)).containsExactly(b("ab\0k1"), b("ab\0k2"));
    }
  }

  @Test
  void emptyAndInvertedRangesReturnNothing() {
    putAll("records", b("a"), b("b"), b("c"));
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(keys(tx, "records", b("b"), b("b"))).isEmpty();
      assertThat(keys(tx, "records", b("c"), b("a"))).isEmpty();
      assertThat(keys(tx, "records", b("d"), null)).isEmpty();
      assertThat(keys(tx, "records", null, b("a"))).isEmpty();
      assertThat(keys(tx, "blobs", null, null)).isEmpty();
      assertThat(keys(tx, "records", new byte[0], null)).hasSize(3);
    }
  }

  @Test
  void boundsLongerThanTheKeyLimitWork() {
    byte[] k1 = new byte[511];
    Arrays.fill(k1, (byte) 5);
    byte[] k2 = k1.clone();
    k2[510] = 6;
    putAll("records", k1, k2);
    byte[] from = Arrays.copyOf(k1, 600); // k1 followed by zeros: greater than k1
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(keys(tx, "records", from, null)).containsExactly(k2);
      assertThat(keys(tx, "records", null, from)).containsExactly(k1);
      assertThat(tx.count("records", from, null)).isEqualTo(1);
    }
  }

  @Test
  void cursorReturnsNewArraysAndValues() {
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put("meta", b("k"), b("v"));
      tx.commit(Durability.SYNC);
    }
    try (BackendTransaction tx = backend.beginRead();
        BackendCursor c = tx.scan("meta", null, null)) {
      assertThatThrownBy(c::key).isInstanceOf(IllegalStateException.class);
      assertThat(c.next()).isTrue();
      byte[] k1 = c.key();
      k1[0] = 'X';
      assertThat(s(c.key())).isEqualTo("k");
      byte[] v1 = c.value();
      v1[0] = 'Y';
      assertThat(s(c.value())).isEqualTo("v");
      assertThat(c.next()).isFalse();
      assertThat(c.next()).isFalse();
    }
  }

  @Test
  void randomRangesMatchASortedMap() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    NavigableMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    try (BackendTransaction tx = backend.beginWrite()) {
      for (int i = 0; i < 600; i++) {
        byte[] k = new byte[1 + rnd.nextInt(4)];
        for (int j = 0; j < k.length; j++) {
          k[j] = (byte) (rnd.nextBoolean() ? 0xFF - rnd.nextInt(3) : rnd.nextInt(256));
        }
        byte[] v = new byte[rnd.nextInt(20)];
        rnd.nextBytes(v);
        tx.put("records", k, v);
        model.put(k, v);
      }
      tx.commit(Durability.SYNC);
    }
    try (BackendTransaction tx = backend.beginRead()) {
      for (int round = 0; round < 200; round++) {
        byte[] from = rnd.nextInt(5) == 0 ? null : randomBound(rnd);
        byte[] to = rnd.nextInt(5) == 0 ? null : randomBound(rnd);
        NavigableMap<byte[], byte[]> expected = range(model, from, to);
        List<byte[]> gotKeys = new ArrayList<>();
        List<byte[]> gotValues = new ArrayList<>();
        try (BackendCursor c = tx.scan("records", from, to)) {
          while (c.next()) {
            gotKeys.add(c.key());
            gotValues.add(c.value());
          }
        }
        assertThat(gotKeys).as("seed %d round %d", seed, round).containsExactlyElementsOf(expected.keySet());
        assertThat(gotValues).as("seed %d round %d", seed, round).containsExactlyElementsOf(expected.values());
        assertThat(tx.count("records", from, to)).as("seed %d", seed).isEqualTo(expected.size());
      }
    }
  }

  private static byte[] randomBound(Random rnd) {
    byte[] k = new byte[1 + rnd.nextInt(3)];
    for (int j = 0; j < k.length; j++) {
      k[j] = (byte) (rnd.nextBoolean() ? 0xFF - rnd.nextInt(2) : rnd.nextInt(256));
    }
    return k;
  }

  private static NavigableMap<byte[], byte[]> range(
      NavigableMap<byte[], byte[]> m, byte[] from, byte[] to) {
    if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) {
      return new TreeMap<>(Arrays::compareUnsigned);
    }
    NavigableMap<byte[], byte[]> r = m;
    if (from != null) {
      r = r.tailMap(from, true);
    }
    if (to != null) {
      r = r.headMap(to, false);
    }
    return r;
  }

  @Test
  void scanInAWriteTransactionSeesItsWritesAndSurvivesChangesWhileIterating() {
    putAll("records", b("a"), b("c"), b("e"), b("g"));
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put("records", b("b"), b("b"));
      List<String> seen = new ArrayList<>();
      try (BackendCursor c = tx.scan("records", null, null)) {
        while (c.next()) {
          String k = s(c.key());
          seen.add(k + "=" + s(c.value()));
          if (k.equals("c")) {
            tx.delete("records", b("c")); // delete the current entry
            tx.put("records", b("d"), b("new")); // insert right after it
            tx.delete("records", b("e")); // delete the next one
          }
        }
      }
      assertThat(seen).containsExactly("a=a", "b=b", "c=c", "d=new", "g=g");
      tx.rollback();
    }
  }

  @Test
  void cursorsCloseWithTheirTransaction() {
    putAll("records", b("a"), b("b"));
    BackendTransaction tx = backend.beginRead();
    BackendCursor c = tx.scan("records", null, null);
    assertThat(c.next()).isTrue();
    tx.close();
    assertThatThrownBy(c::next).isInstanceOf(IllegalStateException.class);
    c.close();
    BackendTransaction w = backend.beginWrite();
    BackendCursor wc = w.scan("records", null, null);
    assertThat(wc.next()).isTrue();
    w.commit(Durability.ASYNC);
    assertThatThrownBy(wc::next).isInstanceOf(IllegalStateException.class);
    wc.close();
    // the store is fine afterwards
    try (BackendTransaction r = backend.beginRead()) {
      assertThat(keys(r, "records", null, null)).hasSize(2);
    }
  }
}
