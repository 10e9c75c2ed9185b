package dev.cairn.integration;

import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.util.Random;

/**
 * Main class of the child JVM that {@link FullDiskTest} starts under a file-size limit: writes
 * distinct incompressible values, one durable call each, until a write fails, then reports how
 * the store behaves. One line per event on stdout:
 * {@code ack <i>}, {@code fail <exception class> <message>}, {@code read <outcome>},
 * {@code again <outcome>}, {@code close <outcome>}. Arguments: {@code dir backend}.
 */
final class FullDiskWriter {

  static final String COLLECTION = "full";
  static final int VALUE_BYTES = 16 * 1024;

  private FullDiskWriter() {}

  static byte[] value(int i) {
    byte[] v = new byte[VALUE_BYTES];
    new Random(i * 31L + 7).nextBytes(v);
    return v;
  }

  public static void main(String[] args) {
    Storage storage = Storage.builder().directory(Path.of(args[0])).backend(args[1])
        .noScheduledMaintenance().open();
    int acked = 0;
    try {
      for (int i = 0; i < 100_000; i++) {
        storage.putBytes(COLLECTION, "k" + i, value(i));
        acked = i + 1;
        System.out.println("ack " + i);
      }
      System.out.println("fail none never-failed");
    } catch (RuntimeException e) {
      System.out.println("fail " + e.getClass().getName() + " " + oneLine(e.getMessage()));
    }
    System.out.println("read " + outcome(() -> {
      if (storage.getBytes(COLLECTION, "k0").isEmpty()) {
        throw new AssertionError("k0 is missing");
      }
    }));
    int next = acked;
    System.out.println("again " + outcome(() -> storage.putBytes(COLLECTION, "k" + next, value(next))));
    System.out.println("close " + outcome(storage::close));
    System.out.flush();
    System.exit(0);
  }

  private static String outcome(Runnable r) {
    try {
      r.run();
      return "ok";
    } catch (RuntimeException | Error e) {
      return e.getClass().getName() + " " + oneLine(e.getMessage());
    }
  }

  private static String oneLine(String s) {
    return s == null ? "(no message)" : s.replace('\n', ' ').replace('\r', ' ');
  }
}
