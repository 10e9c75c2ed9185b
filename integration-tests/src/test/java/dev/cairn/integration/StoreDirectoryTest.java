package dev.cairn.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every built-in backend opens only its own store directory: {@code cairn.store} names the
 * backend, and a directory without it is opened only if it is empty or holds the backend's own
 * files (a store written before {@code cairn.store} existed).
 */
final class StoreDirectoryTest {

  private static final List<String> BACKENDS = List.of("sqlite", "lmdb", "h2");

  @TempDir Path tmp;

  private static Storage open(Path dir, String backend) {
    return Storage.builder().directory(dir).backend(backend).noScheduledMaintenance().open();
  }

  static Stream<Arguments> pairs() {
    return BACKENDS.stream().flatMap(a -> BACKENDS.stream().filter(b -> !b.equals(a))
        .map(b -> Arguments.of(a, b)));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sqlite", "lmdb", "h2"})
  @DisplayName("a missing or empty directory becomes a store; an unknown backend's files are refused")
  void unknownFilesAreRefusedAndEmptyDirectoriesCreateAStore(String backend) throws IOException {
    Path rocks = Files.createDirectories(tmp.resolve("rocks"));
    Files.writeString(rocks.resolve("data.rocks"), "a store of a backend Cairn does not know");
    assertThatThrownBy(() -> open(rocks, backend))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("data.rocks")
        .hasMessageContaining("'" + backend + "'");
    try (Stream<Path> files = Files.list(rocks)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("only the engine's lock file was added").containsExactlyInAnyOrder("data.rocks", "cairn.lock");
    }

    for (Path dir : List.of(tmp.resolve("missing"), Files.createDirectories(tmp.resolve("empty")))) {
      try (Storage s = open(dir, backend)) {
        s.putBytes("c", "k", new byte[] {1});
      }
      assertThat(Files.readString(dir.resolve("cairn.store"))).contains("backend=" + backend + "\n");
      try (Storage s = open(dir, backend)) {
        assertThat(s.getBytes("c", "k")).contains(new byte[] {1});
      }
    }
  }

  @ParameterizedTest(name = "created by {0}, opened with {1}")
  @MethodSource("pairs")
  @DisplayName("a store created by one backend is refused by another, naming the first")
  void aStoreOfOneBackendIsRefusedByAnother(String creator, String other) throws IOException {
    Path dir = tmp.resolve("store");
    try (Storage s = open(dir, creator)) {
      s.putBytes("c", "k", new byte[] {2});
    }

    assertThatThrownBy(() -> open(dir, other))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("backend '" + creator + "'")
        .hasMessageContaining("not '" + other + "'");

    Files.delete(dir.resolve("cairn.store"));   // a store from before cairn.store
    assertThatThrownBy(() -> open(dir, other))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("files of backend '" + creator + "'")
        .hasMessageContaining("not of '" + other + "'");
    try (Storage s = open(dir, creator)) {
      assertThat(s.getBytes("c", "k")).contains(new byte[] {2});
    }
    assertThat(Files.readString(dir.resolve("cairn.store"))).contains("backend=" + creator + "\n");
  }
}
