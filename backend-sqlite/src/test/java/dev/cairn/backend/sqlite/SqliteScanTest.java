package dev.cairn.backend.sqlite;

import static dev.cairn.backend.sqlite.SqliteTestSupport.b;
import static dev.cairn.backend.sqlite.SqliteTestSupport.bytes;
import static dev.cairn.backend.sqlite.SqliteTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SqliteScanTest {

  @TempDir Path dir;
  SqliteBackend backend;

  @BeforeEach
  void open() {
    backend = SqliteTestSupport.open(dir);
  }

  @AfterEach
  void close() {
    backend.close();
  }

  private static List<String> keys(BackendTransaction tx, byte[] from, byte[] to) {
    List<String> out = new ArrayList<>();
    try (BackendCursor c = tx.scan("records", from, to)) {
      while (c.next()) {
        out.add(HexFormat.of().formatHex(c.key()));
      }
    }
    return out;
  }

  @Test
  void scansMatchAnUnsignedByteOrderedMapForRandomKeysAndBounds() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    try (BackendTransaction tx = backend.beginWrite()) {
      for (int i = 0; i < 400; i++) {
        byte[] key = new byte[1 + rnd.nextInt(4)];
        for (int j = 0; j < key.length; j++) {
          // bias towards the edge bytes 0x00, 0x7F, 0x80, 0xFF
          int pick = rnd.nextInt(6);
          key[j] = (byte) (pick == 0 ? 0x00 : pick == 1 ? 0xFF : pick == 2 ? 0x80
              : pick == 3 ? 0x7F : rnd.nextInt(256));
        }
        byte[] value = new byte[rnd.nextInt(8)];
        rnd.nextBytes(value);
        tx.put("records", key, value);
        model.put(key, value);
      }
      tx.commit(Durability.SYNC);
    }
    List<byte[]> all = new ArrayList<>(model.keySet());
    try (BackendTransaction tx = backend.beginRead()) {
      for (int round = 0; round < 60; round++) {
        byte[] from = rnd.nextInt(4) == 0 ? null : boundary(rnd, all);
        byte[] to = rnd.nextInt(4) == 0 ? null : boundary(rnd, all);
        Map<byte[], byte[]> expected = range(model, from, to);
        List<String> expectedKeys = new ArrayList<>();
        expected.keySet().forEach(k -> expectedKeys.add(HexFormat.of().formatHex(k)));
        String bounds = "seed " + seed + ", from " + hex(from) + ", to " + hex(to);
        assertThat(keys(tx, from, to)).as(bounds).containsExactlyElementsOf(expectedKeys);
        assertThat(tx.count("records", from, to)).as(bounds).isEqualTo(expected.size());
        try (BackendCursor c = tx.scan("records", from, to)) {
          for (Map.Entry<byte[], byte[]> e : expected.entrySet()) {
            assertThat(c.next()).as(bounds).isTrue();
            assertThat(c.value()).as(bounds).isEqualTo(e.getValue());
          }
          assertThat(c.next()).as(bounds).isFalse();
        }
      }
    }
  }

  private static byte[] boundary(Random rnd, List<byte[]> keys) {
    if (rnd.nextBoolean()) {
      return keys.get(rnd.nextInt(keys.size())).clone();
    }
    byte[] b = new byte[1 + rnd.nextInt(3)];
    rnd.nextBytes(b);
    return b;
  }

  private static Map<byte[], byte[]> range(TreeMap<byte[], byte[]> m, byte[] from, byte[] to) {
    if (from != null && to != null) {
      return Arrays.compareUnsigned(from, to) >= 0 ? Map.of() : m.subMap(from, true, to, false);
    }
    if (from != null) {
      return m.tailMap(from, true);
    }
    if (to != null) {
      return m.headMap(to, false);
    }
    return m;
  }

  private static String hex(byte[] b) {
    return b == null ? "open" : HexFormat.of().formatHex(b);
  }

  @Test
  void keysWithHighBytesSortAfterLowerOnesAndTheUpperBoundIsExclusive() {
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put("records", bytes(0xFF, 0xFF), b("1"));
      tx.put("records", bytes(0xFF), b("2"));
      tx.put("records", bytes(0x7F), b("3"));
      tx.put("records", bytes(0x80), b("4"));
      tx.put("records", bytes(0x00), b("5"));
      tx.put("records", bytes(0x01, 0x00), b("6"));
      tx.commit(Durability.SYNC);
    }
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(keys(tx, null, null)).containsExactly("00", "0100", "7f", "80", "ff", "ffff");
      assertThat(keys(tx, bytes(0x80), bytes(0xFF))).containsExactly("80");
      assertThat(keys(tx, bytes(0xFF), null)).containsExactly("ff", "ffff");
      assertThat(keys(tx, null, bytes(0x01, 0x00))).containsExactly("00");
    }
  }

  @Test
  void emptyRangesYieldNothing() {
    SqliteTestSupport.put(backend, "records", "b", "1");
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(keys(tx, b("b"), b("b"))).isEmpty();
      assertThat(keys(tx, b("c"), b("a"))).isEmpty();
      assertThat(keys(tx, b("c"), null)).isEmpty();
      assertThat(keys(tx, null, b("b"))).isEmpty();
      assertThat(tx.count("records", b("c"), b("a"))).isZero();
      try (BackendCursor c = tx.scan("blobs", null, null)) {
        assertThat(c.next()).isFalse();
        assertThat(c.next()).isFalse();
        assertThatThrownBy(c::key).isInstanceOf(IllegalStateException.class);
      }
    }
  }

  @Test
  void prefixScanFindsExactlyThePrefixedKeys() {
    try (BackendTransaction tx = backend.beginWrite()) {
      for (String k : List.of("users\u0000a", "users\u0000b", "users.x\u0000a", "user\u0000z",
          "users\u0001")) {
        tx.put("records", b(k), b("v"));
      }
      tx.commit(Durability.SYNC);
    }
    try (BackendTransaction tx = backend.beginRead()) {
      List<String> found = new ArrayList<>();
      try (BackendCursor c = tx.scan("records", b("users\u0000"), b("users\u0001"))) {
        while (c.next()) {
          found.add(s(c.key()));
        }
      }
      assertThat(found).containsExactly("users\u0000a", "users\u0000b");
    }
  }

  @Test
  void keyBeforeTheFirstNextIsIllegalState() {
    SqliteTestSupport.put(backend, "records", "a", "1");
    try (BackendTransaction tx = backend.beginRead();
        BackendCursor c = tx.scan("records", null, null)) {
      assertThatThrownBy(c::key).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(c::value).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void twoCursorsOverOneKeyspaceIterateIndependently() {
    try (BackendTransaction tx = backend.beginWrite()) {
      for (int i = 0; i < 10; i++) {
        tx.put("records", b("k" + i), b("v" + i));
      }
      tx.commit(Durability.SYNC);
    }
    try (BackendTransaction tx = backend.beginRead()) {
      BackendCursor a = tx.scan("records", null, null);
      BackendCursor c = tx.scan("records", null, null);
      assertThat(a.next()).isTrue();
      assertThat(a.next()).isTrue();
      assertThat(c.next()).isTrue();
      assertThat(s(a.key())).isEqualTo("k1");
      assertThat(s(c.key())).isEqualTo("k0");
      a.close();
      assertThatThrownBy(a::next).isInstanceOf(IllegalStateException.class);
      assertThat(c.next()).isTrue();
      assertThat(s(c.key())).isEqualTo("k1");
      // a third cursor reuses the statement the closed one gave back
      try (BackendCursor d = tx.scan("records", b("k5"), null)) {
        assertThat(d.next()).isTrue();
        assertThat(s(d.key())).isEqualTo("k5");
      }
    }
  }

  @Test
  void cursorsAreClosedWhenTheTransactionEnds() {
    SqliteTestSupport.put(backend, "records", "a", "1");
    BackendCursor cursor;
    try (BackendTransaction tx = backend.beginRead()) {
      cursor = tx.scan("records", null, null);
      assertThat(cursor.next()).isTrue();
    }
    assertThatThrownBy(cursor::next).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(cursor::key).isInstanceOf(IllegalStateException.class);
    cursor.close();
    assertThat(backend.availableReaders()).isEqualTo(4);
  }

  @Test
  void aWriteTransactionCanScanItsOwnUncommittedChanges() {
    SqliteTestSupport.put(backend, "records", "a", "1");
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put("records", b("b"), b("2"));
      tx.delete("records", b("a"));
      assertThat(keys(tx, null, null)).containsExactly(HexFormat.of().formatHex(b("b")));
      assertThat(tx.count("records", null, null)).isEqualTo(1);
      BackendCursor open = tx.scan("records", null, null);
      assertThat(open.next()).isTrue();
      tx.commit(Durability.SYNC); // closes the open cursor first
      assertThatThrownBy(open::next).isInstanceOf(IllegalStateException.class);
    }
  }
}
