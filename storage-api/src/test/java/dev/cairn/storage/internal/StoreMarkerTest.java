package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.Capability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn.store}: a store directory names its backend, and no backend opens (and creates a
 * store among) another backend's files.
 */
final class StoreMarkerTest {

  @TempDir Path tmp;

  /** An in-memory backend with a name and the file names it claims as its own. */
  private record Fake(String name, Set<String> storeFiles) implements BackendProvider {
    @Override
    public Set<Capability> capabilities() {
      return new MemoryBackendProvider().capabilities();
    }

    @Override
    public Backend open(BackendConfig config) {
      return new MemoryBackendProvider().open(config);
    }
  }

  private static final Fake ALPHA = new Fake("alpha", Set.of("data.alpha"));
  private static final Fake BETA = new Fake("beta", Set.of("data.beta", "data.beta-log"));

  @AfterEach
  void forgetStores() {
    MemoryBackendProvider.STORES.clear();
  }

  private static StorageBuilder builder(Path dir, BackendProvider... backends) {
    StorageBuilder b = Storage.builder().directory(dir).noScheduledMaintenance();
    for (BackendProvider p : backends) {
      b.backend(p); // the last one is chosen; all are installed
    }
    return b;
  }

  private static String marker(Path dir) throws IOException {
    return Files.readString(dir.resolve("cairn.store"), StandardCharsets.UTF_8);
  }

  @Test
  void aMissingOrEmptyDirectoryBecomesAStoreWhoseMarkerNamesTheBackend() throws IOException {
    Path missing = tmp.resolve("missing");
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    for (Path dir : new Path[] {missing, empty}) {
      try (Storage s = builder(dir, ALPHA).open()) {
        s.putBytes("c", "k", new byte[] {1});
      }
      assertThat(marker(dir)).contains("backend=alpha\n", "format=1\n");
      try (Storage s = builder(dir, ALPHA).open()) {
        assertThat(s.getBytes("c", "k")).contains(new byte[] {1});
      }
    }
  }

  @Test
  void aStoreCreatedByOneBackendIsRefusedByAnotherNamingBoth() throws IOException {
    Path dir = tmp.resolve("s");
    builder(dir, ALPHA).open().close();
    String before = marker(dir);

    assertThatThrownBy(() -> builder(dir, BETA).open())
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("backend 'alpha'")
        .hasMessageContaining("not 'beta'")
        .hasMessageContaining("(not installed here)")
        .hasMessageContaining(dir.toString());
    assertThatThrownBy(() -> builder(dir, ALPHA, BETA).open())
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("backend 'alpha'")
        .hasMessageNotContaining("not installed");
    assertThat(marker(dir)).isEqualTo(before);
  }

  @Test
  void anUnknownBackendsFilesAreRefusedNotJoinedByANewStore() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("rocks"));
    Files.writeString(dir.resolve("data.rocks"), "someone else's store");

    assertThatThrownBy(() -> builder(dir, ALPHA).open())
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("not empty and holds no files of backend 'alpha'")
        .hasMessageContaining("data.rocks");
    assertThat(dir.resolve("cairn.store")).doesNotExist();
    assertThat(MemoryBackendProvider.STORES).isEmpty();
  }

  @Test
  void aPreMarkerStoreOfAnInstalledBackendIsRefusedNamingThatBackend() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("beta"));
    Files.writeString(dir.resolve("data.beta"), "x");
    Files.writeString(dir.resolve("data.beta-log"), "x");

    assertThatThrownBy(() -> builder(dir, BETA, ALPHA).open())
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("holds files of backend 'beta' (data.beta, data.beta-log), not of 'alpha'")
        .hasMessageContaining("backend(\"beta\")");
  }

  @Test
  void aStoreFromBeforeMarkersStillOpensAndGetsItsMarker() throws IOException {
    Path dir = tmp.resolve("old");
    try (Storage s = builder(dir, ALPHA).open()) {
      s.putBytes("c", "k", new byte[] {7});
    }
    Files.delete(dir.resolve("cairn.store"));        // as an earlier build left it
    Files.writeString(dir.resolve("data.alpha"), "the backend's own file");

    try (Storage s = builder(dir, BETA, ALPHA).open()) {
      assertThat(s.getBytes("c", "k")).contains(new byte[] {7});
    }
    assertThat(marker(dir)).contains("backend=alpha");
    assertThat(dir.resolve("cairn.store.tmp")).doesNotExist();
  }

  @Test
  void aPreMarkerDirectoryWithTwoBackendsFilesIsRefused() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("both"));
    Files.writeString(dir.resolve("data.alpha"), "x");
    Files.writeString(dir.resolve("data.beta"), "x");

    assertThatThrownBy(() -> builder(dir, BETA, ALPHA).open())
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("files of backends 'alpha' (data.alpha) and 'beta' (data.beta)");
  }

  @Test
  void theEnginesFilesHiddenFilesAndLostAndFoundDoNotMakeADirectoryAStore() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("volume"));
    Files.createDirectory(dir.resolve("lost+found"));
    Files.writeString(dir.resolve(".cairn-demo"), "x");
    Files.writeString(dir.resolve("cairn.lock"), "");
    Files.writeString(dir.resolve("cairn.store.tmp"), "left by a crash");

    builder(dir, ALPHA).open().close();

    assertThat(marker(dir)).contains("backend=alpha");
  }

  @Test
  void aDamagedMarkerIsCorruptionAndANewerOneAsksForAnUpgrade() throws IOException {
    Path dir = tmp.resolve("s");
    builder(dir, ALPHA).open().close();

    Files.writeString(dir.resolve("cairn.store"), "format=1\n");
    assertThatThrownBy(() -> builder(dir, ALPHA).open())
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("cairn.store is damaged")
        .hasMessageContaining("no 'backend'");
    Files.write(dir.resolve("cairn.store"), new byte[] {'b', '=', (byte) 0xff, '\n'});
    assertThatThrownBy(() -> builder(dir, ALPHA).open())
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("cairn.store is damaged");
    Files.writeString(dir.resolve("cairn.store"), "backend=alpha\nformat=\\u00zz\n");
    assertThatThrownBy(() -> builder(dir, ALPHA).open())
        .isInstanceOf(DataCorruptionException.class);
    Files.writeString(dir.resolve("cairn.store"), "backend=alpha\nformat=2\n");
    assertThatThrownBy(() -> builder(dir, ALPHA).open())
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("upgrade Cairn");
  }
}
