package dev.cairn.backend.h2;

import static dev.cairn.backend.h2.H2TestSupport.b;
import static dev.cairn.backend.h2.H2TestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

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

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }
}
