package dev.cairn.backend.lmdb;

import static dev.cairn.backend.lmdb.LmdbTestSupport.b;
import static dev.cairn.backend.lmdb.LmdbTestSupport.get;
import static dev.cairn.backend.lmdb.LmdbTestSupport.put;
import static dev.cairn.backend.lmdb.LmdbTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Capability;
import java.util.Arrays;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LmdbCrudTest {

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

  @Test
  void providerIsFoundByServiceLoaderWithItsCapabilities() {
    var provider =
        ServiceLoader.load(dev.cairn.storage.spi.BackendProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("lmdb"))
            .findFirst();
    assertThat(provider).isPresent();
    assertThat(provider.get().capabilities())
        .containsExactlyInAnyOrder(
            Capability.ORDERED_SCAN,
            Capability.HOT_BACKUP,
            Capability.CONCURRENT_READERS,
            Capability.DURABLE,
            Capability.SELF_CONTAINED_SNAPSHOT);
  }

  @Test
  void putThenGetReturnsTheValue() {
    put(backend, "records", b("k1"), b("v1"));
    assertThat(s(get(backend, "records", b("k1")))).isEqualTo("v1");
  }

  @Test
  void getOfMissingKeyReturnsNull() {
    assertThat(get(backend, "records", b("nope"))).isNull();
  }

  @Test
  void putReplacesTheValue() {
    put(backend, "records", b("k"), b("first"));
    put(backend, "records", b("k"), b("second, longer than the first"));
    assertThat(s(get(backend, "records", b("k")))).isEqualTo("second, longer than the first");
  }

  @Test
  void deleteReturnsWhetherTheKeyExisted() {
    put(backend, "records", b("k"), b("v"));
    try (BackendTransaction tx = backend.beginWrite()) {
      assertThat(tx.delete("records", b("k"))).isTrue();
      assertThat(tx.delete("records", b("k"))).isFalse();
      assertThat(tx.delete("records", b("other"))).isFalse();
      tx.commit(Durability.SYNC);
    }
    assertThat(get(backend, "records", b("k"))).isNull();
  }

  @Test
  void keyspacesAreSeparate() {
    put(backend, "records", b("k"), b("r"));
    put(backend, "blobs", b("k"), b("b"));
    assertThat(s(get(backend, "records", b("k")))).isEqualTo("r");
    assertThat(s(get(backend, "blobs", b("k")))).isEqualTo("b");
    assertThat(get(backend, "meta", b("k"))).isNull();
  }

  @Test
  void emptyAndLargeValuesRoundTrip() {
    byte[] large = new byte[3 << 20];
    new Random(42).nextBytes(large);
    put(backend, "blobs", b("empty"), new byte[0]);
    put(backend, "blobs", b("large"), large);
    assertThat(get(backend, "blobs", b("empty"))).isEmpty();
    assertThat(get(backend, "blobs", b("large"))).isEqualTo(large);
  }

  @Test
  void writeTransactionReadsItsOwnWrites() {
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put("records", b("k"), b("v"));
      assertThat(s(tx.get("records", b("k")))).isEqualTo("v");
      tx.delete("records", b("k"));
      assertThat(tx.get("records", b("k"))).isNull();
      tx.rollback();
    }
  }

  @Test
  void returnedArraysAreTheCallersAndInputsAreCopied() {
    byte[] key = b("k");
    byte[] value = b("value");
    try (BackendTransaction tx = backend.beginWrite()) {
      tx.put("records", key, value);
      value[0] = 'X';
      key[0] = 'Z';
      tx.commit(Durability.SYNC);
    }
    byte[] first = get(backend, "records", b("k"));
    first[0] = 'Y';
    assertThat(s(get(backend, "records", b("k")))).isEqualTo("value");
    assertThat(get(backend, "records", b("Z"))).isNull();
  }

  @Test
  void keysLongerThanLmdbsLimitAreRejectedBeforeNativeCode() {
    byte[] max = new byte[511];
    Arrays.fill(max, (byte) 7);
    put(backend, "records", max, b("fits"));
    assertThat(s(get(backend, "records", max))).isEqualTo("fits");
    byte[] tooLong = new byte[512];
    try (BackendTransaction tx = backend.beginWrite()) {
      assertThatThrownBy(() -> tx.put("records", tooLong, b("v")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("512")
          .hasMessageContaining("511");
      assertThatThrownBy(() -> tx.get("records", tooLong))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> tx.delete("records", tooLong))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> tx.put("records", new byte[0], b("v")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("empty");
      assertThatThrownBy(() -> tx.put("records", null, b("v")))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
      assertThatThrownBy(() -> tx.put("records", b("k"), null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("value");
      // the transaction is still usable after rejected calls
      tx.put("records", b("ok"), b("v"));
      tx.commit(Durability.SYNC);
    }
    assertThat(s(get(backend, "records", b("ok")))).isEqualTo("v");
  }

  @Test
  void unknownKeyspaceIsAnIllegalArgument() {
    try (BackendTransaction tx = backend.beginRead()) {
      assertThatThrownBy(() -> tx.get("nope", b("k")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("nope");
      assertThatThrownBy(() -> tx.scan("nope", null, null))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void readOnlyTransactionRefusesWrites() {
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(tx.readOnly()).isTrue();
      assertThatThrownBy(() -> tx.put("records", b("k"), b("v")))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> tx.delete("records", b("k")))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void everyMethodThrowsIllegalStateAfterTheTransactionEnded() {
    BackendTransaction w = backend.beginWrite();
    assertThat(w.readOnly()).isFalse();
    w.commit(Durability.SYNC);
    assertThatThrownBy(() -> w.get("records", b("k"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> w.put("records", b("k"), b("v")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> w.delete("records", b("k"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> w.scan("records", null, null)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> w.commit(Durability.SYNC)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(w::rollback).isInstanceOf(IllegalStateException.class);
    w.close();
    w.close();

    BackendTransaction r = backend.beginRead();
    r.rollback();
    assertThatThrownBy(() -> r.get("records", b("k"))).isInstanceOf(IllegalStateException.class);
    r.close();
  }

  @Test
  void readTransactionsAreReusedWithoutLeakingReaderSlots() {
    // maxReaders=4: if ending a read transaction leaked its slot this would fail quickly.
    backend.close();
    backend =
        LmdbTestSupport.open(
            dir, java.util.Map.of("lmdb.maxReaders", "4", "lmdb.readTxnPoolSize", "2"));
    put(backend, "records", b("k"), b("v"));
    for (int i = 0; i < 2_000; i++) {
      try (BackendTransaction a = backend.beginRead();
          BackendTransaction c = backend.beginRead();
          BackendTransaction d = backend.beginRead()) {
        assertThat(s(a.get("records", b("k")))).isEqualTo("v");
        assertThat(c.get("records", b("x"))).isNull();
        assertThat(d.count("records", null, null)).isEqualTo(1);
      }
    }
  }

  @Test
  void countMatchesTheRange() {
    for (int i = 0; i < 50; i++) {
      put(backend, "meta", b(String.format("k%02d", i)), b("v"));
    }
    try (BackendTransaction tx = backend.beginRead()) {
      assertThat(tx.count("meta", null, null)).isEqualTo(50);
      assertThat(tx.count("meta", b("k10"), b("k20"))).isEqualTo(10);
      assertThat(tx.count("meta", b("k45"), null)).isEqualTo(5);
      assertThat(tx.count("meta", null, b("k05"))).isEqualTo(5);
      assertThat(tx.count("meta", b("k20"), b("k10"))).isZero();
    }
  }

  @Test
  void sizeOnDiskCountsTheFiles() {
    put(backend, "blobs", b("k"), new byte[100_000]);
    assertThat(backend.sizeOnDisk()).isGreaterThanOrEqualTo(100_000);
    backend.optimize();
  }
}
