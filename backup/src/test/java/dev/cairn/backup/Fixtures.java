package dev.cairn.backup;

import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Shared helpers of the backup tests. */
final class Fixtures {

  private Fixtures() {}

  /** One record as the tests compare it: value bytes and both timestamps. */
  record Content(String valueHex, long created, long updated) {}

  static StorageBuilder builder(String backend, Path dir) {
    return Storage.builder().backend(backend).directory(dir).noScheduledMaintenance()
        .maintenanceVerify(false).durability(Durability.SYNC);
  }

  static Storage open(String backend, Path dir) {
    return builder(backend, dir).open();
  }

  /** Every record of a store, from one consistent snapshot. */
  static Map<String, Content> contents(Storage s) {
    Map<String, Content> out = new TreeMap<>();
    s.admin().exportRecords(r -> out.put(r.collection() + "/" + r.key(),
        new Content(HexFormat.of().formatHex(r.value()), r.createdAtMillis(), r.updatedAtMillis())));
    return out;
  }

  /**
   * Writes a mixed data set: small inline values, large deduplicated ones (several keys share
   * each content), and a second collection; deterministic for a seed.
   */
  static void fill(Storage s, long seed, int records) {
    Random rnd = new Random(seed);
    Map<String, byte[]> docs = new TreeMap<>();
    Map<String, byte[]> small = new TreeMap<>();
    for (int i = 0; i < records; i++) {
      if (i % 3 == 0) {
        small.put("s-" + i, ("v" + rnd.nextInt(1000)).getBytes(StandardCharsets.UTF_8));
      } else {
        // 40 distinct contents shared by many keys: exercises deduplication
        docs.put("d-" + i, doc(rnd.nextInt(40), 200 + rnd.nextInt(400)));
      }
    }
    s.putAllBytes("docs", docs);
    s.putAllBytes("small", small);
  }

  static byte[] doc(int variant, int length) {
    StringBuilder b = new StringBuilder("{\"variant\":" + variant + ",\"body\":\"");
    Random r = new Random(variant);
    while (b.length() < length) {
      b.append((char) ('a' + r.nextInt(26)));
    }
    return b.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Flips one bit of the byte at {@code offset} (negative: from the end) of a real file. */
  static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long pos = offset >= 0 ? offset : f.length() + offset;
      f.seek(pos);
      int b = f.read();
      f.seek(pos);
      f.write(b ^ 0x10);
    }
  }

  /** The file of a set in a local target directory. */
  static Path setFile(Path targetDir, String setId, String name) {
    return targetDir.resolve(setId).resolve(name);
  }

  static long countFiles(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  /** Names in {@code dir}'s parent that start with {@code dir}'s name (leftovers of restores). */
  static java.util.List<String> siblingsOf(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir.getParent())) {
      String name = dir.getFileName().toString();
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.contains(name) && !n.equals(name)).sorted().toList();
    }
  }
}
