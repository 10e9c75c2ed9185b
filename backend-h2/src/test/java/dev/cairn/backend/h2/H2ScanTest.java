package dev.cairn.backend.h2;

import static dev.cairn.backend.h2.H2TestSupport.b;
import static dev.cairn.backend.h2.H2TestSupport.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class H2ScanTest {

  @TempDir Path dir;

  private static byte[] bytes(int... v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return out;
  }

  @Test
  void keysWithHighBytesSortAfterLowBytes() {
    try (Backend backend = H2TestSupport.open(dir)) {
      try (BackendTransaction tx = backend.beginWrite()) {
        for (byte[] k :
            List.of(bytes(0xFF), bytes(0x80), bytes(0x7F), bytes(0x00), bytes(0xFF, 0x00),
                bytes(0x01), bytes(0x80, 0xFF))) {
          tx.put("records", k, b("v"));
        }
        tx.commit(Durability.SYNC);
      }
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(keys(tx, "records", null, null))
            .containsExactly(
                bytes(0x00), bytes(0x01), bytes(0x7F), bytes(0x80), bytes(0x80, 0xFF),
                bytes(0xFF), bytes(0xFF, 0x00));
        assertThat(keys(tx, "records", bytes(0x7F), bytes(0xFF)))
            .containsExactly(bytes(0x7F), bytes(0x80), bytes(0x80, 0xFF));
        assertThat(keys(tx, "records", bytes(0x80), null))
            .containsExactly(bytes(0x80), bytes(0x80, 0xFF), bytes(0xFF), bytes(0xFF, 0x00));
      }
    }
  }

  @Test
  void randomKeysScanInUnsignedOrderForRandomRanges() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    NavigableMap<byte[], byte[]> expected = new TreeMap<>(Arrays::compareUnsigned);
    try (Backend backend = H2TestSupport.open(dir)) {
      try (BackendTransaction tx = backend.beginWrite()) {
        for (int i = 0; i < 2_000; i++) {
          byte[] k = new byte[1 + rnd.nextInt(6)];
          rnd.nextBytes(k);
          byte[] v = new byte[rnd.nextInt(20)];
          rnd.nextBytes(v);
          tx.put("records", k, v);
          expected.put(k, v);
        }
        tx.commit(Durability.SYNC);
      }
      try (BackendTransaction tx = backend.beginRead()) {
        for (int i = 0; i < 50; i++) {
          byte[] from = rnd.nextInt(5) == 0 ? null : randomKey(rnd);
          byte[] to = rnd.nextInt(5) == 0 ? null : randomKey(rnd);
          List<byte[]> want = new ArrayList<>(range(expected, from, to).keySet());
          List<byte[]> gotKeys = new ArrayList<>();
          try (BackendCursor c = tx.scan("records", from, to)) {
            while (c.next()) {
              gotKeys.add(c.key());
              assertThat(c.value()).as("seed %d", seed).isEqualTo(expected.get(c.key()));
            }
          }
          assertThat(gotKeys).as("seed %d range %s..%s", seed, Arrays.toString(from),
              Arrays.toString(to)).containsExactlyElementsOf(want);
          assertThat(tx.count("records", from, to)).as("seed %d", seed).isEqualTo(want.size());
        }
      }
    }
  }

  private static byte[] randomKey(Random rnd) {
    byte[] k = new byte[1 + rnd.nextInt(3)];
    rnd.nextBytes(k);
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
  void prefixRangeReturnsExactlyThePrefixedKeys() {
    try (Backend backend = H2TestSupport.open(dir)) {
      try (BackendTransaction tx = backend.beginWrite()) {
        for (String k : List.of("users\0a", "users\0b", "user\0z", "users", "usersx", "users\1")) {
          tx.put("records", b(k), b("v"));
        }
        tx.commit(Durability.SYNC);
      }
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(keys(tx, "records", b("users\0"), b("users\1")))
            .containsExactly(b("users\0a"), b("users\0b"));
      }
    }
  }

  @Test
  void emptyRangesReturnNothing() {
    try (Backend backend = H2TestSupport.open(dir)) {
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(keys(tx, "records", null, null)).isEmpty();
      }
      H2TestSupport.put(backend, "records", "m", "v");
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(keys(tx, "records", b("m"), b("m"))).isEmpty();
        assertThat(keys(tx, "records", b("z"), b("a"))).isEmpty();
        assertThat(keys(tx, "records", b("n"), null)).isEmpty();
        assertThat(keys(tx, "records", null, b("m"))).isEmpty();
        assertThat(keys(tx, "records", b("m"), b("m\0"))).containsExactly(b("m"));
        assertThat(keys(tx, "blobs", null, null)).isEmpty();
      }
    }
  }

  @Test
  void cursorHasNoEntryBeforeNextOrAfterTheEnd() {
    try (Backend backend = H2TestSupport.open(dir)) {
      H2TestSupport.put(backend, "records", "a", "1");
      try (BackendTransaction tx = backend.beginRead();
          BackendCursor c = tx.scan("records", null, null)) {
        assertThatThrownBy(c::key).isInstanceOf(IllegalStateException.class);
        assertThat(c.next()).isTrue();
        assertThat(c.key()).isEqualTo(b("a"));
        assertThat(c.value()).isEqualTo(b("1"));
        assertThat(c.next()).isFalse();
        assertThat(c.next()).isFalse();
        assertThatThrownBy(c::value).isInstanceOf(IllegalStateException.class);
      }
    }
  }

  @Test
  void cursorIsClosedWithItsTransaction() {
    try (Backend backend = H2TestSupport.open(dir)) {
      H2TestSupport.put(backend, "records", "a", "1");
      BackendTransaction tx = backend.beginRead();
      BackendCursor c = tx.scan("records", null, null);
      tx.close();
      assertThatThrownBy(c::next).isInstanceOf(IllegalStateException.class);
      c.close(); // harmless
    }
  }

  @Test
  void writeTransactionScanIncludesItsUncommittedWrites() {
    try (Backend backend = H2TestSupport.open(dir)) {
      H2TestSupport.put(backend, "records", "a", "1");
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put("records", b("b"), b("2"));
        tx.delete("records", b("a"));
        assertThat(keys(tx, "records", null, null)).containsExactly(b("b"));
        tx.rollback();
      }
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(keys(tx, "records", null, null)).containsExactly(b("a"));
      }
    }
  }
}
