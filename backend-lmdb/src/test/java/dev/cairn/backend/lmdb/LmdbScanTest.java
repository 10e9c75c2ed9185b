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
