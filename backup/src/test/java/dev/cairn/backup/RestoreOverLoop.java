package dev.cairn.backup;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Main class of the child JVM that {@link RestoreOverKillTest} starts and kills: opens the
 * store and restores over it, alternating two sets, until killed. Prints {@code ready} before
 * the first restore and {@code restored <n> <setId>} after each, each line in one unbuffered
 * {@code write(2)}.
 *
 * <p>Arguments: {@code storeDir backend targetDir workDir setA setB}. Not a library entry point.
 */
final class RestoreOverLoop {

  private static final FileOutputStream OUT = new FileOutputStream(FileDescriptor.out);

  private RestoreOverLoop() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String backend = args[1];
    BackupManager backups = BackupManager.builder().target(Path.of(args[2]))
        .workDirectory(Path.of(args[3])).build();
    String[] sets = {args[4], args[5]};
    StorageBuilder builder = Fixtures.builder(backend, dir);
    Storage storage = builder.open(); // never closed: the parent kills this JVM
    print("ready");
    try {
      for (int i = 0; ; i++) {
        String set = sets[i % 2];
        storage = backups.restoreOver(set, storage, builder);
        print("restored " + i + " " + set);
      }
    } catch (Throwable e) {
      e.printStackTrace();
      print("error " + e);
      System.exit(3);
    }
  }

  private static void print(String line) {
    byte[] b = (line + "\n").getBytes(StandardCharsets.US_ASCII);
    synchronized (OUT) {
      try {
        OUT.write(b);
      } catch (IOException e) {
        Runtime.getRuntime().halt(4); // the parent went away
      }
    }
  }
}
