package dev.cairn.backend.h2;

import static dev.cairn.backend.h2.H2TestSupport.b;
import static dev.cairn.backend.h2.H2TestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression test of the H2 loss after {@code kill -9} on large stores: MVStore's crash recovery
 * could not find chunks written into reused space in the middle of the file, because the store
 * header MVStore wrote for them named the previous chunk ({@link HeaderSyncingFileStore} says
 * why). A copy of {@code store.mv.db} taken right after a commit returned is exactly what a
 * {@code kill -9} at that instant leaves (the page cache holds every write); opening the copy
 * runs MVStore's recovery, which must find that commit.
 */
final class H2CrashRecoveryTest {

  private static final long SEED = Long.getLong("cairn.test.seed", 20261204L);

  @TempDir Path dir;
  @TempDir Path crashes;

  @Test
  void everySyncCommitIsFoundByRecoveryOnceChunksReuseSpaceInTheMiddleOfTheFile()
      throws IOException {
    Random rnd = new Random(SEED);
    try (H2Backend backend = (H2Backend) H2TestSupport.open(dir)) {
      // Free dead chunks at once instead of after 45 s, so that new chunks go into holes in
      // the middle of the file within a few commits, as they do in a store that has run a while.
      backend.mvStore().setRetentionTime(0);
      for (int commit = 0; commit < 300; commit++) {
        try (BackendTransaction tx = backend.beginWrite()) {
          for (int i = 0, n = 1 + rnd.nextInt(12); i < n; i++) {
            byte[] value = new byte[64 + rnd.nextInt(rnd.nextBoolean() ? 512 : 24_000)];
            rnd.nextBytes(value);
            tx.put("records", b("k" + rnd.nextInt(400)), value);
          }
          if (rnd.nextInt(3) == 0) {
            tx.delete("records", b("k" + rnd.nextInt(400)));
          }
          tx.put("meta", b("last-commit"), b(Integer.toString(commit)));
          tx.commit(Durability.SYNC);
        }
        Path crashed = crashes.resolve("after-commit-" + commit);
        Files.createDirectories(crashed);
        Files.copy(dir.resolve(H2Backend.FILE_NAME), crashed.resolve(H2Backend.FILE_NAME));
        try (Backend recovered = H2TestSupport.open(crashed)) {
          assertThat(get(recovered, "meta", "last-commit"))
              .as("last commit found by recovery of a copy taken after commit %d (seed %d)",
                  commit, SEED)
              .isEqualTo(Integer.toString(commit));
        }
        deleteTree(crashed);
      }
    }
  }

  @Test
  void damageThatMakesMvStoreDropDurableCommitsIsRefusedAtOpen() throws IOException {
    Random rnd = new Random(SEED);
    int commits = 40;
    try (Backend backend = H2TestSupport.open(dir)) {
      for (int commit = 0; commit < commits; commit++) {
        try (BackendTransaction tx = backend.beginWrite()) {
          for (int i = 0; i < 8; i++) {
            byte[] value = new byte[1_500];
            rnd.nextBytes(value);
            tx.put("records", b(commit + "-" + i + "-" + rnd.nextInt()), value);
          }
          tx.put("meta", b("last-commit"), b(Integer.toString(commit)));
          tx.commit(Durability.SYNC);
        }
      }
      // no close: a copy now is the file as kill -9 would leave it
      Files.copy(dir.resolve(H2Backend.FILE_NAME), crashes.resolve("intact.mv.db"));
    }
    Path intact = crashes.resolve("intact.mv.db");
    long newest = versionMvStoreOpens(intact);
    // Damage the header of one older chunk after another, until plain MVStore silently opens a
    // version more than one behind: commits that newer chunks depended on are gone.
    int refused = 0;
    for (long[] chunk : chunkHeaders(intact)) {
      Path damaged = crashes.resolve("damaged-" + chunk[1]);
      Files.createDirectories(damaged);
      Path file = damaged.resolve(H2Backend.FILE_NAME);
      Files.copy(intact, file);
      try (var ch = java.nio.channels.FileChannel.open(file,
          java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(b("X")), chunk[0]); // "chunk:" becomes "Xhunk:"
      }
      long opened;
      try {
        opened = versionMvStoreOpens(file);
      } catch (RuntimeException e) {
        continue; // MVStore refuses it by itself
      }
      if (opened >= newest - 1) {
        continue; // not a chunk the newest version depends on
      }
      assertThatThrownBy(() -> H2TestSupport.open(damaged).close())
          .as("a file MVStore would open at version %d instead of %d (seed %d)", opened, newest,
              SEED)
          .isInstanceOf(dev.cairn.storage.DataCorruptionException.class)
          .hasMessageContaining("had been made durable");
      refused++;
      if (refused == 3) {
        break;
      }
    }
    assertThat(refused).as("damaged chunks that made MVStore fall back silently (seed %d)", SEED)
        .isPositive();
  }

  /** The version plain MVStore opens a file at (read-only, on a copy: it may not write). */
  private long versionMvStoreOpens(Path file) throws IOException {
    Path copy = crashes.resolve("probe.mv.db");
    Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    org.h2.mvstore.MVStore s =
        new org.h2.mvstore.MVStore.Builder().fileName(copy.toString()).readOnly().open();
    try {
      return s.getFileStore().lastChunkVersion();
    } finally {
      s.closeImmediately();
    }
  }

  /**
   * The chunks of an MVStore file, newest first but the newest skipped: {offset of the header,
   * version}. A chunk starts at a 4 KiB block with the text {@code chunk:<id>,...,version:<v>}.
   */
  private static java.util.List<long[]> chunkHeaders(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    java.util.List<long[]> out = new java.util.ArrayList<>();
    for (int at = 8192; at + 6 < all.length; at += 4096) {
      if (new String(all, at, 6, java.nio.charset.StandardCharsets.ISO_8859_1).equals("chunk:")) {
        String head = new String(all, at, Math.min(512, all.length - at),
            java.nio.charset.StandardCharsets.ISO_8859_1);
        int v = head.indexOf(",version:");
        if (v > 0) {
          int end = v + 9;
          while (end < head.length() && Character.digit(head.charAt(end), 16) >= 0) {
            end++;
          }
          out.add(new long[] {at, Long.parseLong(head.substring(v + 9, end), 16)});
        }
      }
    }
    out.sort((x, y) -> Long.compare(y[1], x[1]));
    return out.isEmpty() ? out : out.subList(1, out.size());
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }
}
