package dev.cairn.backend.h2;

import static dev.cairn.backend.h2.H2TestSupport.b;
import static dev.cairn.backend.h2.H2TestSupport.get;
import static dev.cairn.backend.h2.H2TestSupport.put;
import static dev.cairn.backend.h2.H2TestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Capability;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class H2CrudTest {

  @TempDir Path dir;

  @Test
  void providerIsDiscoveredByNameWithItsCapabilities() {
    BackendProvider found =
        ServiceLoader.load(BackendProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("h2"))
            .findFirst()
            .orElseThrow();
    assertThat(found).isInstanceOf(H2BackendProvider.class);
    assertThat(found.capabilities())
        .containsExactlyInAnyOrder(
            Capability.ORDERED_SCAN,
            Capability.HOT_BACKUP,
            Capability.CONCURRENT_READERS,
            Capability.DURABLE,
            Capability.SELF_CONTAINED_SNAPSHOT);
  }

  @Test
  void emptyValuesAndEmptyKeysAreStored() {
    try (Backend backend = H2TestSupport.open(dir)) {
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put("records", new byte[0], b("empty key"));
        tx.put("records", b("k"), new byte[0]);
        tx.commit(Durability.SYNC);
      }
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(s(tx.get("records", new byte[0]))).isEqualTo("empty key");
        assertThat(tx.get("records", b("k"))).isEmpty();
      }
    }
  }

  @Test
  void writeTransactionSeesItsOwnWrites() {
    try (Backend backend = H2TestSupport.open(dir)) {
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put("records", b("x"), b("1"));
        assertThat(s(tx.get("records", b("x")))).isEqualTo("1");
        tx.delete("records", b("x"));
        assertThat(tx.get("records", b("x"))).isNull();
        tx.put("records", b("x"), b("2"));
        assertThat(H2TestSupport.keys(tx, "records", null, null)).hasSize(1);
        tx.commit(Durability.SYNC);
      }
      assertThat(get(backend, "records", "x")).isEqualTo("2");
    }
  }

  @Test
  void arraysAreCopiedInBothDirections() {
    try (Backend backend = H2TestSupport.open(dir)) {
      byte[] key = b("k");
      byte[] value = b("value");
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put("records", key, value);
        key[0] = 'z';
        value[0] = 'X';
        tx.commit(Durability.SYNC);
      }
      try (BackendTransaction tx = backend.beginRead()) {
        byte[] read = tx.get("records", b("k"));
        assertThat(s(read)).isEqualTo("value");
        read[0] = 'Y';
        assertThat(s(tx.get("records", b("k")))).isEqualTo("value");
      }
    }
  }

  @Test
  void unknownKeyspaceIsAnIllegalArgument() {
    try (Backend backend = H2TestSupport.open(dir);
        BackendTransaction tx = backend.beginWrite()) {
      assertThatThrownBy(() -> tx.get("nope", b("k")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("nope");
      assertThatThrownBy(() -> tx.put("nope", b("k"), b("v")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> tx.scan("nope", null, null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> tx.delete(null, b("k")))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void everyMethodThrowsAfterCommitRollbackOrClose() {
    try (Backend backend = H2TestSupport.open(dir)) {
      BackendTransaction committed = backend.beginWrite();
      committed.commit(Durability.SYNC);
      BackendTransaction rolledBack = backend.beginWrite();
      rolledBack.rollback();
      BackendTransaction closed = backend.beginRead();
      closed.close();
      closed.close(); // idempotent
      for (BackendTransaction tx : new BackendTransaction[] {committed, rolledBack, closed}) {
        assertThatThrownBy(() -> tx.get("records", b("k"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tx.put("records", b("k"), b("v")))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tx.delete("records", b("k")))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tx.scan("records", null, null))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tx.commit(Durability.SYNC))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(tx::rollback).isInstanceOf(IllegalStateException.class);
      }
    }
  }

  @Test
  void unknownH2OptionIsRejectedListingTheKnownOnes() {
    BackendConfig config =
        new BackendConfig(dir, Set.of("records"), Map.of("h2.cacheSizeMB", "8", "sqlite.x", "1"));
    assertThatThrownBy(() -> new H2BackendProvider().open(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("h2.cacheSizeMB")
        .hasMessageContaining("h2.writerTimeoutMs")
        .hasMessageContaining("h2.cacheSizeMb")
        .hasMessageContaining("h2.asyncFlushMs");
  }

  @Test
  void badOptionValuesAreAllReportedAtOnce() {
    BackendConfig config =
        new BackendConfig(
            dir,
            Set.of("records"),
            Map.of("h2.writerTimeoutMs", "soon", "h2.compress", "maybe", "h2.cacheSizeMb", "-1"));
    assertThatThrownBy(() -> new H2BackendProvider().open(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("h2.writerTimeoutMs")
        .hasMessageContaining("h2.compress")
        .hasMessageContaining("h2.cacheSizeMb");
  }

  @Test
  void validOptionsAreAccepted() {
    Map<String, String> options =
        Map.of(
            "h2.writerTimeoutMs", "5000",
            "h2.cacheSizeMb", "4",
            "h2.asyncFlushMs", "0",
            "h2.compress", "true",
            "h2.compactTimeMs", "100");
    try (Backend backend = H2TestSupport.open(dir, options)) {
      put(backend, "meta", "k", "v");
      assertThat(get(backend, "meta", "k")).isEqualTo("v");
    }
  }
}
