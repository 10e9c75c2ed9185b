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
  void sizeOnDiskCountsTheFiles() {
    put(backend, "blobs", b("k"), new byte[100_000]);
    assertThat(backend.sizeOnDisk()).isGreaterThanOrEqualTo(100_000);
    backend.optimize();
  }
}
