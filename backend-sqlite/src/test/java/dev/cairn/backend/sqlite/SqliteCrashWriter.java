package dev.cairn.backend.sqlite;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link SqliteDurabilityTest}: commits record/twin pairs with
 * {@code SYNC} and prints {@code acked <i>} after each commit returns, until it is killed.
 */
final class SqliteCrashWriter {

  private SqliteCrashWriter() {}

  public static void main(String[] args) {
    SqliteBackend backend = SqliteTestSupport.open(Path.of(args[0]));
    for (int i = 0; ; i++) {
      byte[] key = String.format("r-%06d", i).getBytes(StandardCharsets.UTF_8);
      byte[] value = ("v" + i).getBytes(StandardCharsets.UTF_8);
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put("records", key, value);
        tx.put("blobs", key, value);
        tx.commit(Durability.SYNC);
      }
      System.out.println("acked " + i);
      System.out.flush();
    }
  }
}
