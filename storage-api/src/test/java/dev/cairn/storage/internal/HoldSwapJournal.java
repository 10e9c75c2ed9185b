package dev.cairn.storage.internal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Main class of a child JVM for {@link RestoreSwapRecoveryTest}: begins a swap of a store
 * directory (journal written and locked), renames the directory to its old name, prints
 * {@code moved} and waits to be killed. Arguments: {@code dir old staging setId}.
 */
final class HoldSwapJournal {

  private HoldSwapJournal() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path old = Path.of(args[1]);
    RestoreSwap.begin(dir, old, Path.of(args[2]), args[3]); // held until killed
    Files.move(dir, old);
    System.out.println("moved");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
