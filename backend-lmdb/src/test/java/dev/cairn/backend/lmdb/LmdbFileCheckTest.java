package dev.cairn.backend.lmdb;

import static dev.cairn.backend.lmdb.LmdbTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendTransaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LmdbFileCheck}: LMDB copies a free-list record by the count in its first word, so a
 * damaged count would crash the JVM at the first write that allocates a page. The check must
 * refuse such a file at open, and must never refuse a healthy one.
 */
final class LmdbFileCheckTest {

  @TempDir Path dir;

  /** Writes, overwrites and deletes in many transactions, so the free list has records. */
  private static void churn(Backend backend, Random random, int rounds) {
    for (int round = 0; round < rounds; round++) {
      try (BackendTransaction tx = backend.beginWrite()) {
        for (int i = 0; i < 40; i++) {
          int k = random.nextInt(400);
          if (random.nextInt(4) == 0) {
            tx.delete("records", b("k" + k));
          } else {
            byte[] v = new byte[random.nextInt(random.nextInt(10) == 0 ? 20_000 : 1_500)];
            random.nextBytes(v);
            tx.put("records", b("k" + k), v);
          }
        }
        tx.commit(Durability.SYNC);
      }
    }
  }

  private Path data() {
    return dir.resolve(LmdbBackend.DATA_FILE);
  }

  private static long readLong(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
      ch.read(b, offset);
      return b.getLong(0);
    }
  }

  private static void writeLong(Path file, long offset, long value) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value);
      ch.write(b, offset);
    }
  }

  @Test
  void healthyStoresAfterChurnAlwaysPass() {
    Random random = new Random(11);
    boolean sawRecords = false;
    for (int cycle = 0; cycle < 12; cycle++) {
      try (Backend backend = LmdbTestSupport.open(dir)) { // runs the check
        churn(backend, random, 15);
      }
      List<Long> records = LmdbFileCheck.freeListRecords(data());
      sawRecords |= !records.isEmpty();
    }
    assertThat(sawRecords).as("the churn left records in the free list to check").isTrue();
  }

  @Test
  void aLargeFreeListOnOverflowPagesIsCheckedToo() throws IOException {
    try (Backend backend = LmdbTestSupport.open(dir)) {
      try (BackendTransaction tx = backend.beginWrite()) {
        for (int i = 0; i < 3_000; i++) {
          tx.put("records", b("k" + i), new byte[1_000]);
        }
        tx.commit(Durability.SYNC);
      }
      try (BackendTransaction tx = backend.beginWrite()) {
        for (int i = 0; i < 3_000; i++) {
          tx.delete("records", b("k" + i));
        }
        tx.commit(Durability.SYNC);
      }
      LmdbTestSupport.put(backend, "meta", b("x"), b("y")); // saves the freed pages' list
    }
    long largest = 0;
    for (long offset : LmdbFileCheck.freeListRecords(data())) {
      largest = Math.max(largest, readLong(data(), offset));
    }
    // one 4 KiB page holds at most 509 page numbers: a longer list lives on overflow pages
    assertThat(largest).as("the largest free-list record's count").isGreaterThan(509);
  }

  @Test
  void aDamagedFreePageCountIsRefusedAtOpenInsteadOfCrashing() throws IOException {
    try (Backend backend = LmdbTestSupport.open(dir)) {
      churn(backend, new Random(5), 30);
    }
    List<Long> records = LmdbFileCheck.freeListRecords(data());
    assertThat(records).isNotEmpty();
    long offset = records.get(0);
    // the flip the corruption checker found: a count far beyond the record, so LMDB's copy at the
    // next page allocation would read past the end of the mapped file (SIGBUS)
    writeLong(data(), offset, readLong(data(), offset) ^ 0x0000_0100_0000_0000L);

    assertThatThrownBy(() -> LmdbTestSupport.open(dir))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("data.mdb is corrupt")
        .hasMessageContaining("free pages but holds room for");
  }

  @Test
  void aFreePageListOutOfOrderIsRefused() throws IOException {
    try (Backend backend = LmdbTestSupport.open(dir)) {
      churn(backend, new Random(6), 30);
    }
    long offset = -1;
    for (long o : LmdbFileCheck.freeListRecords(data())) {
      if (readLong(data(), o) >= 2) {
        offset = o;
        break;
      }
    }
    assertThat(offset).as("a record listing two or more pages").isNotNegative();
    // make the second listed page number larger than the first: LMDB keeps them descending
    writeLong(data(), offset + 16, readLong(data(), offset + 8) + 1);

    assertThatThrownBy(() -> LmdbTestSupport.open(dir))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("descending order");
  }

  @Test
  void aFreeListRootOutsideTheFileIsRefused() throws IOException {
    try (Backend backend = LmdbTestSupport.open(dir)) {
      churn(backend, new Random(8), 30);
    }
    assertThat(LmdbFileCheck.freeListRecords(data())).isNotEmpty();
    // the free list's root page number lives in both meta pages (MDB_meta.mm_dbs[0].md_root)
    int pageSize = (int) (readLong(data(), 16 + 24) & 0xFFFF_FFFFL);
    for (long metaPage : new long[] {0, pageSize}) {
      writeLong(data(), metaPage + 16 + 24 + 40, 1L << 40);
    }

    assertThatThrownBy(() -> LmdbTestSupport.open(dir))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("outside the file");
  }

  /** Sets F_DUPDATA on the leaf node of {@code key}, found by its bytes in the file. */
  private void markAsDuplicates(byte[] key) throws IOException {
    byte[] file = java.nio.file.Files.readAllBytes(data());
    int at = indexOf(file, key);
    assertThat(at).as("the key's bytes in data.mdb").isPositive();
    assertThat(indexOf(java.util.Arrays.copyOfRange(file, at + 1, file.length), key))
        .as("the key occurs once").isNegative();
    // MDB_node: lo, hi, flags, ksize (16 bits each), then the key
    int flagsAt = at - 4;
    assertThat(file[flagsAt] & 0x04).isZero();
    try (FileChannel ch = FileChannel.open(data(), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {(byte) (file[flagsAt] | 0x04)}), flagsAt);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private void storeWithNeedle() {
    try (Backend backend = LmdbTestSupport.open(dir)) {
      churn(backend, new Random(9), 10);
      LmdbTestSupport.put(backend, "records", b("needle-key-0123456789"), new byte[100]);
    }
  }

  @Test
  void aDuplicateDataFlagInANamedDatabaseIsRefusedAtOpen() throws IOException {
    // LMDB 0.9 dereferences a null sub-cursor on such a node: any read reaching it is a SIGSEGV
    storeWithNeedle();
    markAsDuplicates(b("needle-key-0123456789"));

    assertThatThrownBy(() -> LmdbTestSupport.open(dir))
        .isInstanceOf(DataCorruptionException.class)
        .hasMessageContaining("named database page")
        .hasMessageContaining("has flags 0x4");
  }

  @Test
  void aLargeStoreSkipsTheFullCheckAtOpenAndVerifyFindsTheDamage() throws IOException {
    storeWithNeedle();
    markAsDuplicates(b("needle-key-0123456789"));

    // as if data.mdb were larger than lmdb.fullCheckMaxBytes: open checks the free list only
    try (Backend backend =
        LmdbTestSupport.open(dir, java.util.Map.of(LmdbOptions.FULL_CHECK_MAX_BYTES.key(), "0"))) {
      List<String> problems = backend.verifyStructure(); // must report, not crash
      assertThat(problems).hasSize(1);
      assertThat(problems.get(0)).contains("data.mdb is corrupt").contains("has flags 0x4");
    }
  }

  @Test
  void absentEmptyAndForeignFilesAreLeftToLmdb() throws IOException {
    assertThat(LmdbFileCheck.freeListRecords(data())).isEmpty(); // absent
    java.nio.file.Files.write(data(), new byte[0]);
    assertThat(LmdbFileCheck.freeListRecords(data())).isEmpty(); // empty
    java.nio.file.Files.write(data(), new byte[8192]);
    assertThat(LmdbFileCheck.freeListRecords(data())).isEmpty(); // not LMDB's: MDB_INVALID later
  }
}
