package dev.cairn.conformance;

import static dev.cairn.conformance.KitSupport.compressibleBytes;
import static dev.cairn.conformance.KitSupport.randomBytes;
import static dev.cairn.conformance.KitSupport.seedNote;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Bytes;
import dev.cairn.storage.Change;
import dev.cairn.storage.ChangeFeed;
import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.DedupMode;
import dev.cairn.storage.DedupScope;
import dev.cairn.storage.Durability;
import dev.cairn.storage.HistoryTruncatedException;
import dev.cairn.storage.KeyRange;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageAdmin.ExportedRecord;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.ValueTooLargeException;
import dev.cairn.storage.Versioned;
import dev.cairn.storage.spi.Capability;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit for the full stack — engine, backend, codec and cache together — through
 * the public API only ({@link Storage}, {@link StorageBuilder}, {@link StorageAdmin}). It covers
 * what {@link Storage} promises about data, transactions, operations and errors: CRUD, typed
 * values, content-hash dedup with reference counts, dedup scope, inline threshold, compression
 * only when it saves, transactions, conditional writes (insert if absent, replace and delete if
 * the version matches, with races that must have exactly one winner), key paging, batches,
 * async, close, bad input, reopen, the change feed (positions in commit order without gaps under
 * concurrent and grouped writers, resume after reopen, retention and the truncation error), and
 * concurrency tests (bank transfers, snapshot isolation, cache coherence).
 *
 * <p>The deduplication tests named "defect N" each guard against one way a deduplicating store
 * has been got wrong before:
 *
 * <ol>
 *   <li>a deduplicated write stored only a reference that reads never followed: the value was
 *       lost;
 *   <li>overwriting a key with content equal to another key's left the old value;
 *   <li>without reference counts, deleting the original broke every other reference;
 *   <li>the hash was taken over compressed bytes, so the codec setting changed what was
 *       deduplicated.
 * </ol>
 *
 * <p>After every test the kit runs {@link StorageAdmin#verify()} on every store it opened that is
 * still open and asserts it found no problem: every record decodes and verifies, and every
 * blob's reference count equals the records that reference it.
 *
 * <pre>{@code
 * final class SqliteZstdStorageTest extends StorageConformanceKit {
 *   @Override
 *   protected StorageBuilder configure(StorageBuilder builder) {
 *     return builder.backend("sqlite").codec("zstd").cache("tiered");
 *   }
 * }
 * }</pre>
 */
@org.junit.jupiter.api.extension.ExtendWith(NamesKitRun.class)
public abstract class StorageConformanceKit {

  /** For subclasses, which supply the stack under test ({@link #configure(StorageBuilder)}). */
  protected StorageConformanceKit() {}

  @TempDir Path tempDir;

  private final List<Storage> opened = new ArrayList<>();
  private Storage storage;
  /** How far the TTL tests moved the clock every store the kit opens reads (real time + it). */
  private final AtomicLong clockOffset = new AtomicLong();

  /**
   * Configures the builder with the backend, codec and cache under test. The kit has already set
   * the directory; tests may change other settings (inline threshold, dedup scope...) after this.
   *
   * @param builder a builder with the test's directory set
   * @return the builder, or a builder made from it
   */
  protected abstract StorageBuilder configure(StorageBuilder builder);

  /**
   * The capabilities of the backend under test, as the open store reports them.
   *
   * @return the capabilities the open store's backend declares
   */
  protected Set<Capability> backendCapabilities() {
    return storage.admin().backendCapabilities();
  }

  @BeforeEach
  void openStorage() {
    storage = open(UnaryOperator.identity());
  }

  @AfterEach
  void verifyAndClose() {
    List<String> problems = new ArrayList<>();
    for (Storage s : opened) {
      try {
        StorageAdmin.VerificationReport report = s.admin().verify();
        problems.addAll(report.problems());
      } catch (StorageClosedException closed) {
        // closed by the test itself
      } finally {
        s.close();
      }
    }
    opened.clear();
    assertThat(problems).as("admin().verify() after the test (dedup/refcount invariants, "
        + "every record decodes and verifies)").isEmpty();
  }

  /** Opens a store in the test's directory, configured by {@link #configure} then {@code tweak}. */
  private Storage open(UnaryOperator<StorageBuilder> tweak) {
    return openIn(tempDir.resolve("store"), tweak);
  }

  private Storage openIn(Path dir, UnaryOperator<StorageBuilder> tweak) {
    StorageBuilder b = configure(Storage.builder().directory(dir));
    Storage s = tweak.apply(b.noScheduledMaintenance().clock(
        () -> java.time.Instant.ofEpochMilli(now()))).open();
    opened.add(s);
    return s;
  }

  /** Closes the default store and opens it again with {@code tweak}. */
  private Storage reopen(UnaryOperator<StorageBuilder> tweak) {
    storage.close();
    storage = open(tweak);
    return storage;
  }

  /** The kit's clock: real time, moved ahead by the TTL tests instead of waiting. */
  private long now() {
    return System.currentTimeMillis() + clockOffset.get();
  }

  private void advanceClock(java.time.Duration d) {
    clockOffset.addAndGet(d.toMillis());
  }

  private void require(Capability c) {
    KitSupport.requireCapability("backend " + storage.admin().backendName(),
        backendCapabilities(), c);
  }

  private static Random random() {
    return new Random(KitSupport.SEED);
  }

  private byte[] get(String c, String k) {
    return storage.getBytes(c, k).orElse(null);
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static long toLong(byte[] b) {
    return ByteBuffer.wrap(b).getLong();
  }

  private long blobs() {
    return storage.admin().verify().blobs();
  }

  /**
   * A record type for the typed API.
   *
   * @param name the player's name
   * @param score the player's score
   * @param tags the player's tags, in order
   */
  public record Player(String name, int score, List<String> tags) {}

  /** A JavaBean for the typed API. */
  public static final class Account {
    private String owner;
    private long balance;

    /**
     * An account with no owner and a zero balance, for mappers that need a no-argument constructor.
     */
    public Account() {}

    /**
     * An account of {@code owner} holding {@code balance}.
     *
     * @param owner the account's owner
     * @param balance the account's balance
     */
    public Account(String owner, long balance) {
      this.owner = owner;
      this.balance = balance;
    }

    /** {@return the account's owner} */
    public String getOwner() {
      return owner;
    }

    /**
     * Sets the account's owner.
     *
     * @param owner the new owner
     */
    public void setOwner(String owner) {
      this.owner = owner;
    }

    /** {@return the account's balance} */
    public long getBalance() {
      return balance;
    }

    /**
     * Sets the account's balance.
     *
     * @param balance the new balance
     */
    public void setBalance(long balance) {
      this.balance = balance;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Account a && a.balance == balance && Objects.equals(a.owner, owner);
    }

    @Override
    public int hashCode() {
      return Objects.hash(owner, balance);
    }
  }

  /** A test-only exception whose identity the transaction tests check. */
  private static final class Boom extends RuntimeException {
    Boom() {
      super("boom");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("CRUD")
  class Crud {

    @Test
    @DisplayName("bytes are read back as written; absent keys are empty")
    void putBytesThenGetBytes() {
      assertThat(storage.getBytes("c", "k")).isEmpty();
      storage.putBytes("c", "k", new byte[] {1, 2, 3});
      assertThat(get("c", "k")).containsExactly(1, 2, 3);
      assertThat(storage.contains("c", "k")).isTrue();
      assertThat(storage.contains("c", "other")).isFalse();
    }

    @Test
    @DisplayName("a zero-length value is stored and distinct from an absent key")
    void zeroLengthValue() {
      storage.putBytes("c", "empty", new byte[0]);
      assertThat(storage.getBytes("c", "empty")).get().satisfies(v -> assertThat(v).isEmpty());
      assertThat(storage.contains("c", "empty")).isTrue();
      assertThat(storage.count("c")).isEqualTo(1);
    }

    @Test
    @DisplayName("put replaces; delete returns whether the key existed")
    void overwriteAndDelete() {
      storage.putBytes("c", "k", new byte[] {1});
      storage.putBytes("c", "k", new byte[] {2, 2});
      assertThat(get("c", "k")).containsExactly(2, 2);
      assertThat(storage.delete("c", "k")).isTrue();
      assertThat(storage.delete("c", "k")).isFalse();
      assertThat(storage.getBytes("c", "k")).isEmpty();
      assertThat(storage.contains("c", "k")).isFalse();
    }

    @Test
    @DisplayName("the array returned by getBytes is the caller's")
    void returnedArrayIsTheCallers() {
      byte[] value = compressibleBytes(random(), 500);
      storage.putBytes("c", "k", value);
      byte[] got = get("c", "k");
      got[0] ^= 1;
      assertThat(get("c", "k")).isEqualTo(value);
      byte[] input = new byte[] {5, 6};
      storage.putBytes("c", "k2", input);
      input[0] = 9;
      assertThat(get("c", "k2")).containsExactly(5, 6);
    }

    @Test
    @DisplayName("getValue reads the same bytes as immutable Bytes, and put stores Bytes as is")
    void getValueAndBytesValues() {
      byte[] value = compressibleBytes(random(), 500);
      storage.putBytes("c", "k", value);
      for (int round = 0; round < 3; round++) { // with a cache: a miss, then hits
        Bytes got = storage.getValue("c", "k").orElseThrow();
        assertThat(got.toByteArray()).isEqualTo(value);
        got.toByteArray()[0] ^= 1;
      }
      assertThat(storage.getValue("c", "absent")).isEmpty();
      storage.put("c", "raw", storage.getValue("c", "k").orElseThrow());
      assertThat(get("c", "raw")).as("stored as is, not mapped").isEqualTo(value);
      assertThat(storage.get("c", "raw", Bytes.class)).contains(Bytes.copyOf(value));
      storage.putBytes("c", "k", new byte[] {4});
      assertThat(storage.getValue("c", "k")).contains(Bytes.copyOf(new byte[] {4}));
    }

    @Test
    @DisplayName("records and JavaBeans round trip through the value mapper")
    void typedValuesRoundTrip() {
      Player p = new Player("Ada", 100, List.of("admin", "ünïcödé"));
      storage.put("players", "p-1", p);
      assertThat(storage.get("players", "p-1", Player.class)).contains(p);
      Account a = new Account("Grace", 42);
      storage.put("accounts", "a-1", a);
      assertThat(storage.get("accounts", "a-1", Account.class)).contains(a);
      assertThat(storage.get("players", "absent", Player.class)).isEmpty();
      storage.put("numbers", "n", 12345L);
      assertThat(storage.get("numbers", "n", Long.class)).contains(12345L);
    }

    @Test
    @DisplayName("values of several MiB and of random sizes round trip")
    void valuesOfManySizesRoundTrip() {
      Random rnd = random();
      Map<String, byte[]> values = new LinkedHashMap<>();
      values.put("big-random", randomBytes(rnd, 5 << 20));
      values.put("big-compressible", compressibleBytes(rnd, 3 << 20));
      for (int i = 0; i < 60; i++) {
        int size = rnd.nextInt(3) == 0 ? rnd.nextInt(80) : rnd.nextInt(40_000);
        values.put("v" + i, rnd.nextBoolean() ? randomBytes(rnd, size)
            : compressibleBytes(rnd, size));
      }
      values.forEach((k, v) -> storage.putBytes("sizes", k, v));
      values.forEach((k, v) -> assertThat(Arrays.equals(get("sizes", k), v))
          .as("value %s of %d bytes; %s", k, v.length, seedNote()).isTrue());
      values.forEach((k, v) -> assertThat(storage.metadata("sizes", k)).get()
          .extracting(RecordMetadata::rawLength).isEqualTo(v.length));
    }

    @Test
    @DisplayName("keys of 256 UTF-8 bytes and non-ASCII keys are accepted")
    void longAndUnicodeKeys() {
      String max = "é".repeat(128); // 256 bytes in UTF-8
      String emoji = "\uD83D\uDE00-key-ü";
      storage.putBytes("c", max, new byte[] {1});
      storage.putBytes("c", emoji, new byte[] {2});
      assertThat(get("c", max)).containsExactly(1);
      assertThat(get("c", emoji)).containsExactly(2);
      assertThat(storage.keys("c", "").toList()).containsExactlyInAnyOrder(max, emoji);
    }

    @Test
    @DisplayName("metadata describes the record and keeps createdAt across overwrites")
    void metadataDescribesTheRecord() throws InterruptedException {
      storage.putBytes("c", "k", new byte[100]);
      RecordMetadata first = storage.metadata("c", "k").orElseThrow();
      assertThat(first.collection()).isEqualTo("c");
      assertThat(first.key()).isEqualTo("k");
      assertThat(first.rawLength()).isEqualTo(100);
      Thread.sleep(5);
      storage.putBytes("c", "k", new byte[200]);
      RecordMetadata second = storage.metadata("c", "k").orElseThrow();
      assertThat(second.version()).isGreaterThan(first.version());
      assertThat(second.createdAt()).isEqualTo(first.createdAt());
      assertThat(second.updatedAt()).isAfterOrEqualTo(first.updatedAt());
      assertThat(second.rawLength()).isEqualTo(200);
      assertThat(storage.metadata("c", "absent")).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Deferred deduplication ({@code DedupMode.DEFERRED}, the default). */
  @Nested
  @DisplayName("deferred deduplication")
  class DeferredDedup {

    @Test
    @DisplayName("equal values stay in their records until maintenance shares them")
    void maintenanceSharesEqualValues() {
      byte[] v = randomBytes(random(), 6_000);
      storage.putBytes("c", "k1", v);
      storage.putBytes("d", "k2", v);
      assertThat(blobs()).as("shared blobs before maintenance").isZero();
      assertThat(storage.metadata("c", "k1").orElseThrow().deduplicated()).isFalse();
      assertThat(storage.maintenance().successful()).isTrue();
      assertThat(blobs()).as("shared blobs after maintenance").isEqualTo(1);
      assertThat(storage.metadata("c", "k1").orElseThrow().deduplicated()).isTrue();
      assertThat(storage.metadata("d", "k2").orElseThrow().deduplicated()).isTrue();
      assertThat(get("c", "k1")).isEqualTo(v);
      assertThat(get("d", "k2")).isEqualTo(v);
      storage.putBytes("c", "k3", v);
      assertThat(storage.metadata("c", "k3").orElseThrow().deduplicated())
          .as("content already shared is shared at write time").isTrue();
      assertThat(blobs()).isEqualTo(1);
      assertThat(storage.entries("c", "").map(Map.Entry::getValue))
          .as("a scan reads shared and inline values").allSatisfy(x -> assertThat(x).isEqualTo(v));
    }

    @Test
    @DisplayName("after maintenance a value left with one reference is back in its record")
    void lastReferenceGoesBackInline() {
      byte[] v = randomBytes(random(), 3_000);
      storage.putBytes("c", "k1", v);
      storage.putBytes("c", "k2", v);
      storage.maintenance();
      assertThat(storage.delete("c", "k1")).isTrue();
      storage.maintenance();
      assertThat(blobs()).isZero();
      assertThat(storage.metadata("c", "k2").orElseThrow().deduplicated()).isFalse();
      assertThat(get("c", "k2")).isEqualTo(v);
    }

    @Test
    @DisplayName("random writes, deletes, rollbacks and maintenance runs match a model and keep "
        + "every reference count exact")
    void randomSequencesWithMaintenanceMatchAModel() {
      Random rnd = random();
      Map<String, byte[]> model = new HashMap<>();
      String[] collections = {"a", "b", "c"};
      byte[][] contents = new byte[6][];
      for (int i = 0; i < contents.length; i++) {
        contents[i] = i % 3 == 0 ? randomBytes(rnd, 30 + i) : compressibleBytes(rnd, 100 + 200 * i);
      }
      for (int step = 0; step < 300; step++) {
        String c = collections[rnd.nextInt(collections.length)];
        String k = "k" + rnd.nextInt(10);
        int op = rnd.nextInt(12);
        String where = "seed " + KitSupport.SEED + ", step " + step;
        if (op < 6) {
          byte[] v = contents[rnd.nextInt(contents.length)];
          storage.putBytes(c, k, v);
          model.put(c + "/" + k, v);
        } else if (op < 9) {
          assertThat(storage.delete(c, k)).as(where).isEqualTo(model.remove(c + "/" + k) != null);
        } else if (op < 11) {
          byte[] v = contents[rnd.nextInt(contents.length)];
          try {
            storage.useTransaction(tx -> {
              tx.putBytes(c, k, v);
              throw new IllegalStateException("rolled back on purpose");
            });
          } catch (IllegalStateException expected) {
            // nothing may have changed
          }
        } else {
          MaintenanceReport r = storage.maintenance();
          assertThat(r.successful()).as(where + ": " + r.failures()).isTrue();
        }
        if (step % 50 == 49) {
          assertThat(storage.admin().verify().problems()).as(where).isEmpty();
        }
      }
      storage.maintenance();
      for (String c : collections) {
        for (int i = 0; i < 10; i++) {
          assertThat(get(c, "k" + i)).as("%s/k%d, seed %d", c, i, KitSupport.SEED)
              .isEqualTo(model.get(c + "/k" + i));
        }
      }
    }

    @Test
    @DisplayName("shared values survive a reopen")
    void sharedValuesSurviveReopen() {
      require(Capability.DURABLE);
      byte[] v = compressibleBytes(random(), 4_000);
      storage.putBytes("c", "k1", v);
      storage.putBytes("c", "k2", v);
      storage.maintenance();
      reopen(UnaryOperator.identity());
      assertThat(get("c", "k1")).isEqualTo(v);
      assertThat(get("c", "k2")).isEqualTo(v);
      assertThat(blobs()).isEqualTo(1);
    }
  }

  /**
   * Deduplication at write time ({@code DedupMode.ON_WRITE}); the "defect N" tests are listed
   * in the class Javadoc.
   */
  @Nested
  @DisplayName("deduplication at write time")
  class Dedup {

    @BeforeEach
    void writeTimeDedup() {
      reopen(b -> b.dedupMode(DedupMode.ON_WRITE));
    }

    @Test
    @DisplayName("a value written under two keys is stored once; each key reads it")
    void valueUnderTwoKeysIsStoredOnce() {
      byte[] v = randomBytes(random(), 10_000);
      long hitsBefore = storage.stats().dedupHits();
      storage.putBytes("c", "k1", v);
      storage.putBytes("c", "k2", v);
      assertThat(storage.stats().dedupHits() - hitsBefore).as("dedup hits").isEqualTo(1);
      assertThat(blobs()).as("blobs holding the shared value").isEqualTo(1);
      assertThat(storage.metadata("c", "k1").orElseThrow().deduplicated()).isTrue();
      assertThat(storage.metadata("c", "k2").orElseThrow().deduplicated()).isTrue();
      assertThat(get("c", "k1")).isEqualTo(v);
      assertThat(get("c", "k2")).isEqualTo(v);
    }

    @Test
    @DisplayName("defect 1: a deduplicated write reads back its value, not a dangling reference")
    void deduplicatedWriteIsReadable() {
      byte[] v = compressibleBytes(random(), 5_000);
      storage.putBytes("a", "original", v);
      storage.putBytes("b", "copy", v.clone());
      assertThat(get("b", "copy")).as("the deduplicated copy").isEqualTo(v);
      Player p = new Player("x".repeat(200), 7, List.of("a", "b"));
      storage.put("players", "p1", p);
      storage.put("players", "p2", p);
      assertThat(storage.get("players", "p2", Player.class)).as("a deduplicated typed value")
          .contains(p);
      assertThat(storage.getAll("players", List.of("p1", "p2"), Player.class))
          .containsOnlyKeys("p1", "p2");
    }

    @Test
    @DisplayName("defect 2: overwriting a key with another key's content replaces the old value")
    void overwriteWithAnotherKeysContent() {
      Random rnd = random();
      byte[] a = randomBytes(rnd, 3_000);
      byte[] b = randomBytes(rnd, 3_000);
      storage.putBytes("c", "k1", a);
      storage.putBytes("c", "k2", b);
      assertThat(blobs()).isEqualTo(2);
      storage.putBytes("c", "k1", b);
      assertThat(get("c", "k1")).as("k1 after overwrite with k2's content").isEqualTo(b);
      assertThat(get("c", "k2")).isEqualTo(b);
      assertThat(blobs()).as("the old value of k1 is freed").isEqualTo(1);
      storage.putBytes("c", "k1", a);
      assertThat(get("c", "k1")).isEqualTo(a);
      assertThat(get("c", "k2")).isEqualTo(b);
      assertThat(blobs()).isEqualTo(2);
    }

    @Test
    @DisplayName("random puts, overwrites, deletes and rollbacks across collections match a model "
        + "and keep every reference count exact")
    void randomSequencesMatchAModel() {
      Random rnd = random();
      Map<String, byte[]> model = new HashMap<>();
      String[] collections = {"a", "b", "c"};
      byte[][] contents = new byte[8][];
      for (int i = 0; i < contents.length; i++) {
        // sizes straddle the default inline threshold (64 bytes); several keys share contents
        contents[i] = i % 2 == 0 ? randomBytes(rnd, 20 + i) : compressibleBytes(rnd, 200 + 300 * i);
      }
      for (int step = 0; step < 400; step++) {
        String c = collections[rnd.nextInt(collections.length)];
        String k = "k" + rnd.nextInt(12);
        int op = rnd.nextInt(10);
        String where = "seed " + KitSupport.SEED + ", step " + step;
        if (op < 5) {
          byte[] v = contents[rnd.nextInt(contents.length)];
          storage.putBytes(c, k, v);
          model.put(c + "/" + k, v);
        } else if (op < 8) {
          assertThat(storage.delete(c, k)).as(where).isEqualTo(model.remove(c + "/" + k) != null);
        } else {
          byte[] v = contents[rnd.nextInt(contents.length)];
          String other = collections[rnd.nextInt(collections.length)];
          try {
            storage.useTransaction(tx -> {
              tx.putBytes(c, k, v);
              tx.delete(other, k);
              throw new IllegalStateException("rolled back on purpose");
            });
          } catch (IllegalStateException expected) {
            // nothing may have changed
          }
        }
        if (step % 100 == 99) {
          assertThat(storage.admin().verify().problems()).as(where).isEmpty();
        }
      }
      for (String c : collections) {
        for (int i = 0; i < 12; i++) {
          assertThat(get(c, "k" + i)).as("%s/k%d, seed %d", c, i, KitSupport.SEED)
              .isEqualTo(model.get(c + "/k" + i));
        }
      }
    }

    @Test
    @DisplayName("defect 3: deleting either key leaves the other intact; deleting both frees the blob")
    void referenceCountsSurviveDeletes() {
      byte[] v = randomBytes(random(), 4_000);
      storage.putBytes("c", "k1", v);
      storage.putBytes("c", "k2", v);
      storage.putBytes("d", "k3", v);
      assertThat(storage.delete("c", "k1")).isTrue();
      assertThat(get("c", "k2")).as("k2 after deleting k1").isEqualTo(v);
      assertThat(get("d", "k3")).as("k3 after deleting k1").isEqualTo(v);
      assertThat(storage.delete("d", "k3")).isTrue();
      assertThat(get("c", "k2")).isEqualTo(v);
      assertThat(blobs()).isEqualTo(1);
      assertThat(storage.delete("c", "k2")).isTrue();
      assertThat(blobs()).as("blobs after deleting every reference").isZero();
      storage.putBytes("c", "k4", v);
      assertThat(get("c", "k4")).as("the content stored again after being freed").isEqualTo(v);
    }

    @Test
    @DisplayName("defect 4: the content hash is SHA-256 of the raw bytes, whatever the codec")
    void hashIsOverRawBytes() {
      byte[] v = compressibleBytes(random(), 8_000);
      storage.putBytes("c", "k", v);
      List<ExportedRecord> exported = new ArrayList<>();
      storage.admin().exportRecords(exported::add);
      assertThat(exported).hasSize(1);
      assertThat(exported.get(0).contentHash()).as("content hash of a deduplicated value")
          .isEqualTo(sha256(v));
      assertThat(exported.get(0).value()).isEqualTo(v);
    }

    @Test
    @DisplayName("defect 4: the same content written with another codec after reopen is deduplicated")
    void dedupIsIndependentOfTheCodec() {
      require(Capability.DURABLE);
      byte[] v = compressibleBytes(random(), 8_000);
      storage.putBytes("c", "k1", v);
      reopen(b -> b.codec("identity").dedupMode(DedupMode.ON_WRITE));
      storage.putBytes("c", "k2", v);
      assertThat(storage.stats().dedupHits()).isEqualTo(1);
      assertThat(blobs()).isEqualTo(1);
      assertThat(get("c", "k1")).isEqualTo(v);
      assertThat(get("c", "k2")).isEqualTo(v);
    }

    @Test
    @DisplayName("GLOBAL scope shares content across collections")
    void globalScopeSharesAcrossCollections() {
      byte[] v = randomBytes(random(), 2_000);
      storage.putBytes("owner1", "k", v);
      storage.putBytes("owner2", "k", v);
      assertThat(blobs()).isEqualTo(1);
    }

    @Test
    @DisplayName("PER_COLLECTION scope shares content only within a collection")
    void perCollectionScope() {
      storage = reopen(b -> b.dedupScope(DedupScope.PER_COLLECTION).dedupMode(DedupMode.ON_WRITE));
      byte[] v = randomBytes(random(), 2_000);
      storage.putBytes("owner1", "k1", v);
      storage.putBytes("owner1", "k2", v);
      assertThat(blobs()).as("one collection").isEqualTo(1);
      storage.putBytes("owner2", "k1", v);
      assertThat(blobs()).as("a second collection gets its own copy").isEqualTo(2);
      storage.delete("owner1", "k1");
      storage.delete("owner1", "k2");
      assertThat(get("owner2", "k1")).isEqualTo(v);
      assertThat(blobs()).isEqualTo(1);
    }

    @Test
    @DisplayName("values below the inline threshold are stored inline, never as blobs")
    void inlineThreshold() {
      byte[] small = randomBytes(random(), 63);
      byte[] atThreshold = randomBytes(random(), 64);
      storage.putBytes("c", "s1", small);
      storage.putBytes("c", "s2", small);
      assertThat(storage.metadata("c", "s1").orElseThrow().deduplicated()).isFalse();
      assertThat(blobs()).as("blobs for two 63-byte values").isZero();
      storage.putBytes("c", "t", atThreshold);
      assertThat(storage.metadata("c", "t").orElseThrow().deduplicated())
          .as("a 64-byte value with the default threshold of 64").isTrue();
      storage = reopen(b -> b.inlineThreshold(0).dedupMode(DedupMode.ON_WRITE));
      storage.putBytes("c", "tiny", new byte[] {7});
      assertThat(storage.metadata("c", "tiny").orElseThrow().deduplicated())
          .as("a 1-byte value with threshold 0").isTrue();
    }

    @Test
    @DisplayName("compression is kept only when it saves")
    void compressionOnlyIfItSaves() {
      String codec = storage.admin().codecName();
      Random rnd = random();
      storage.putBytes("c", "random", randomBytes(rnd, 20_000));
      storage.putBytes("c", "zeros", new byte[20_000]);
      RecordMetadata incompressible = storage.metadata("c", "random").orElseThrow();
      assertThat(incompressible.codec()).as("codec of random bytes").isEqualTo("identity");
      assertThat(incompressible.storedLength()).isEqualTo(20_000);
      RecordMetadata zeros = storage.metadata("c", "zeros").orElseThrow();
      assertThat(zeros.codec()).as("codec of 20,000 zero bytes").isEqualTo(codec);
      if (!codec.equals("identity")) {
        assertThat(zeros.storedLength()).isLessThan(20_000 - 20_000 / 16);
      }
      assertThat(get("c", "zeros")).isEqualTo(new byte[20_000]);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("transactions")
  class Transactions {

    @Test
    @DisplayName("a transaction over several collections commits all its writes")
    void commitsAcrossCollections() {
      storage.putBytes("b", "gone", new byte[] {1});
      String result = storage.transaction(tx -> {
        tx.putBytes("a", "k1", new byte[] {1});
        tx.put("b", "k2", new Player("x", 1, List.of()));
        tx.delete("b", "gone");
        assertThat(tx.getBytes("a", "k1")).as("reads its own write").isPresent();
        assertThat(tx.contains("b", "gone")).as("sees its own delete").isFalse();
        assertThat(tx.keys("a", "")).containsExactly("k1");
        return "done";
      });
      assertThat(result).isEqualTo("done");
      assertThat(get("a", "k1")).containsExactly(1);
      assertThat(storage.get("b", "k2", Player.class)).isPresent();
      assertThat(storage.contains("b", "gone")).isFalse();
    }

    @Test
    @DisplayName("a throwing transaction leaves nothing and its exception is rethrown as is")
    void rollbackLeavesNothing() {
      byte[] shared = randomBytes(random(), 5_000);
      storage.putBytes("a", "keep", shared);
      long blobsBefore = blobs();
      Boom boom = new Boom();
      assertThatThrownBy(() -> storage.useTransaction(tx -> {
        tx.putBytes("a", "new", randomBytes(random(), 7_000));
        tx.putBytes("b", "dup", shared);
        tx.putBytes("a", "keep", new byte[] {1});
        tx.delete("a", "keep");
        throw boom;
      })).isSameAs(boom);
      assertThat(get("a", "keep")).isEqualTo(shared);
      assertThat(storage.contains("a", "new")).isFalse();
      assertThat(storage.contains("b", "dup")).isFalse();
      assertThat(storage.collections()).containsExactly("a");
      assertThat(blobs()).isEqualTo(blobsBefore);
      assertThat(storage.stats().transactionsRolledBack()).isPositive();
    }

    @Test
    @DisplayName("putAll writes every entry or none")
    void putAllIsAllOrNothing() {
      Map<String, byte[]> good = new TreeMap<>();
      for (int i = 0; i < 300; i++) {
        good.put("k" + i, longBytes(i));
      }
      storage.putAllBytes("c", good);
      Map<String, Player> typed = Map.of("p1", new Player("a", 1, List.of()),
          "p2", new Player("b", 2, List.of("t")));
      storage.putAll("players", typed);
      good.forEach((k, v) -> assertThat(get("c", k)).as(k).isEqualTo(v));
      assertThat(storage.getAll("players", List.of("p1", "p2", "p3"), Player.class))
          .isEqualTo(typed);
      Map<String, byte[]> bad = new LinkedHashMap<>();
      bad.put("fine", new byte[] {1});
      bad.put("", new byte[] {2});
      assertThatThrownBy(() -> storage.putAllBytes("c", bad))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(storage.contains("c", "fine")).as("a batch with a bad key wrote nothing")
          .isFalse();
      assertThat(storage.count("c")).isEqualTo(300);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Conditional writes: {@code putIfAbsent}, {@code replaceIfVersion}, {@code deleteIfVersion}
   * and {@code getVersioned}, alone, in transactions and racing each other.
   */
  @Nested
  @DisplayName("conditional writes")
  class ConditionalWrites {

    private long version(String c, String k) {
      return storage.metadata(c, k).orElseThrow().version();
    }

    /** Runs {@code task} of each of {@code threads} threads at once and waits for all. */
    private void onThreads(int threads, IntFunction<Callable<?>> task) throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          work.add(pool.submit(task.apply(t)));
        }
        for (Future<?> f : work) {
          f.get(300, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("putIfAbsent writes only an absent key, and again after a delete")
    void putIfAbsentWritesOnlyAnAbsentKey() {
      assertThat(storage.putBytesIfAbsent("c", "k", new byte[] {1})).isTrue();
      assertThat(storage.putBytesIfAbsent("c", "k", new byte[] {2})).isFalse();
      assertThat(storage.putIfAbsent("c", "k", new Player("x", 1, List.of()))).isFalse();
      assertThat(get("c", "k")).containsExactly(1);
      assertThat(storage.putBytesIfAbsent("c", "empty", new byte[0])).isTrue();
      assertThat(storage.putBytesIfAbsent("c", "empty", new byte[] {3}))
          .as("a zero-length value is present").isFalse();
      assertThat(storage.putIfAbsent("players", "p", new Player("a", 1, List.of("t")))).isTrue();
      assertThat(storage.get("players", "p", Player.class))
          .contains(new Player("a", 1, List.of("t")));
      assertThat(storage.delete("c", "k")).isTrue();
      assertThat(storage.putBytesIfAbsent("c", "k", new byte[] {4})).isTrue();
      assertThat(get("c", "k")).containsExactly(4);
      byte[] mine = {5};
      assertThat(storage.putBytesIfAbsent("c", "copied", mine)).isTrue();
      mine[0] = 6;
      assertThat(get("c", "copied")).as("the array is copied").containsExactly(5);
    }

    @Test
    @DisplayName("replaceIfVersion applies only with the record's current version, which it changes")
    void replaceIfVersionNeedsTheCurrentVersion() {
      storage.putBytes("c", "k", new byte[] {1});
      Versioned<Bytes> first = storage.getVersioned("c", "k", Bytes.class).orElseThrow();
      assertThat(first.value().toByteArray()).containsExactly(1);
      assertThat(first.version()).as("getVersioned and metadata agree")
          .isEqualTo(version("c", "k")).isPositive();
      assertThat(storage.replaceBytesIfVersion("c", "k", first.version() + 1, new byte[] {9}))
          .isFalse();
      assertThat(get("c", "k")).containsExactly(1);
      assertThat(version("c", "k")).as("a replace that did not apply changes nothing")
          .isEqualTo(first.version());
      assertThat(storage.replaceBytesIfVersion("c", "k", first.version(), new byte[] {2}))
          .isTrue();
      Versioned<Bytes> second = storage.getVersioned("c", "k", Bytes.class).orElseThrow();
      assertThat(second.value().toByteArray()).containsExactly(2);
      assertThat(second.version()).isNotEqualTo(first.version()).isEqualTo(version("c", "k"));
      assertThat(storage.replaceBytesIfVersion("c", "k", first.version(), new byte[] {3}))
          .as("the version read before the last write is stale").isFalse();
      assertThat(storage.replaceIfVersion("c", "k", second.version(),
          new Player("p", 7, List.of()))).isTrue();
      assertThat(storage.getVersioned("c", "k", Player.class)).get()
          .extracting(Versioned::value).isEqualTo(new Player("p", 7, List.of()));
      assertThat(storage.replaceBytesIfVersion("c", "absent", first.version(), new byte[] {1}))
          .as("an absent key matches no version").isFalse();
      assertThat(storage.contains("c", "absent")).isFalse();
      assertThat(storage.getVersioned("c", "absent", Bytes.class)).isEmpty();
      // a key deleted and written again does not match the version it had before
      long before = version("c", "k");
      storage.delete("c", "k");
      storage.putBytes("c", "k", new byte[] {4});
      assertThat(storage.replaceBytesIfVersion("c", "k", before, new byte[] {5})).isFalse();
      assertThat(get("c", "k")).containsExactly(4);
    }

    @Test
    @DisplayName("deleteIfVersion deletes only the record of that version")
    void deleteIfVersionNeedsTheCurrentVersion() {
      storage.putBytes("c", "k", new byte[] {1});
      long v1 = version("c", "k");
      storage.putBytes("c", "k", new byte[] {2});
      assertThat(storage.deleteIfVersion("c", "k", v1)).isFalse();
      assertThat(get("c", "k")).containsExactly(2);
      long v2 = version("c", "k");
      assertThat(storage.deleteIfVersion("c", "k", v2)).isTrue();
      assertThat(storage.contains("c", "k")).isFalse();
      assertThat(storage.deleteIfVersion("c", "k", v2)).as("already deleted").isFalse();
    }

    @Test
    @DisplayName("a version that is not positive is refused and changes nothing")
    void nonPositiveVersionsAreRefused() {
      storage.putBytes("c", "k", new byte[] {1});
      assertThatThrownBy(() -> storage.replaceBytesIfVersion("c", "k", 0, new byte[] {2}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expectedVersion");
      assertThatThrownBy(() -> storage.deleteIfVersion("c", "k", -1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> storage.putBytesIfAbsent("c", "", new byte[] {2}))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> storage.putBytesIfAbsent("c", "n", null))
          .isInstanceOf(NullPointerException.class);
      assertThat(get("c", "k")).containsExactly(1);
      assertThat(storage.count("c")).isEqualTo(1);
    }

    @Test
    @DisplayName("in a transaction they see its own writes, and a rollback undoes them")
    void inATransactionTheySeeItsOwnWrites() {
      storage.putBytes("c", "old", new byte[] {1});
      long oldVersion = version("c", "old");
      long[] written = new long[1];
      storage.useTransaction(tx -> {
        tx.putBytes("c", "k", new byte[] {1});
        assertThat(tx.putBytesIfAbsent("c", "k", new byte[] {2})).as("its own put").isFalse();
        Versioned<Bytes> v = tx.getVersioned("c", "k", Bytes.class).orElseThrow();
        assertThat(v.value().toByteArray()).containsExactly(1);
        assertThat(tx.replaceBytesIfVersion("c", "k", v.version(), new byte[] {3})).isTrue();
        written[0] = tx.getVersioned("c", "k", Bytes.class).orElseThrow().version();
        assertThat(tx.replaceBytesIfVersion("c", "k", v.version(), new byte[] {4}))
            .as("its own replace changed the version").isFalse();
        assertThat(tx.deleteIfVersion("c", "old", oldVersion)).isTrue();
        assertThat(tx.putIfAbsent("c", "old", new Player("back", 1, List.of())))
            .as("its own delete").isTrue();
        assertThat(tx.deleteIfVersion("c", "none", oldVersion)).isFalse();
      });
      assertThat(get("c", "k")).containsExactly(3);
      assertThat(version("c", "k")).as("the version the transaction saw is the committed one")
          .isEqualTo(written[0]);
      assertThat(storage.get("c", "old", Player.class)).get()
          .extracting(Player::name).isEqualTo("back");
      long kept = version("c", "k");
      assertThatThrownBy(() -> storage.useTransaction(tx -> {
        assertThat(tx.replaceBytesIfVersion("c", "k", kept, new byte[] {5})).isTrue();
        assertThat(tx.putBytesIfAbsent("c", "new", new byte[] {6})).isTrue();
        throw new Boom();
      })).isInstanceOf(Boom.class);
      assertThat(get("c", "k")).containsExactly(3);
      assertThat(version("c", "k")).isEqualTo(kept);
      assertThat(storage.contains("c", "new")).isFalse();
    }

    @Test
    @DisplayName("shared values keep exact reference counts through conditional writes")
    void sharedValuesKeepTheirReferenceCounts() {
      reopen(b -> b.dedupMode(DedupMode.ON_WRITE));
      Random rnd = random();
      byte[] shared = randomBytes(rnd, 4_000);
      byte[] other = randomBytes(rnd, 3_000);
      assertThat(storage.putBytesIfAbsent("c", "a", shared)).isTrue();
      assertThat(storage.putBytesIfAbsent("c", "b", shared)).isTrue();
      assertThat(storage.putBytesIfAbsent("c", "b", other)).isFalse();
      assertThat(blobs()).as("one copy of the shared value").isEqualTo(1);
      assertThat(storage.replaceBytesIfVersion("c", "a", version("c", "a"), other)).isTrue();
      assertThat(blobs()).as("shared and other").isEqualTo(2);
      assertThat(storage.deleteIfVersion("c", "b", version("c", "b"))).isTrue();
      assertThat(blobs()).as("the last reference to shared released it").isEqualTo(1);
      assertThat(get("c", "a")).isEqualTo(other);
      StorageStats stats = storage.stats();
      assertThat(stats.writes()).as("writes that applied").isEqualTo(3);
      assertThat(stats.deletes()).isEqualTo(1);
      assertThat(stats.transactionsCommitted()).as("one transaction per write that applied")
          .isEqualTo(4);
    }

    @Test
    @DisplayName("async conditional writes complete with the results of the synchronous ones")
    void asyncConditionalWrites() throws Exception {
      assertThat(storage.async().putBytesIfAbsent("c", "k", new byte[] {1})
          .get(60, TimeUnit.SECONDS)).isTrue();
      assertThat(storage.async().putIfAbsent("c", "k", Bytes.copyOf(new byte[] {2}))
          .get(60, TimeUnit.SECONDS)).isFalse();
      Versioned<Bytes> v = storage.async().getVersioned("c", "k", Bytes.class)
          .get(60, TimeUnit.SECONDS).orElseThrow();
      assertThat(storage.async().replaceBytesIfVersion("c", "k", v.version(), new byte[] {3})
          .get(60, TimeUnit.SECONDS)).isTrue();
      assertThat(storage.async().replaceIfVersion("c", "k", v.version(), "stale")
          .get(60, TimeUnit.SECONDS)).isFalse();
      assertThat(storage.async().deleteIfVersion("c", "k", version("c", "k"))
          .get(60, TimeUnit.SECONDS)).isTrue();
      assertThat(storage.contains("c", "k")).isFalse();
      assertThatThrownBy(() -> storage.async().deleteIfVersion("c", "k", 0)
          .get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("racing threads: one putIfAbsent and one replaceIfVersion of each round win")
    void racesHaveExactlyOneWinner() throws Exception {
      int threads = 4;
      int rounds = 12;
      CyclicBarrier start = new CyclicBarrier(threads);
      // wins[round][0]: putIfAbsent winners; [1]: replaceIfVersion winners
      AtomicInteger[][] wins = new AtomicInteger[rounds][2];
      for (AtomicInteger[] w : wins) {
        w[0] = new AtomicInteger();
        w[1] = new AtomicInteger();
      }
      long[] firstVersion = new long[rounds];
      onThreads(threads, thread -> () -> {
        for (int r = 0; r < rounds; r++) {
          String key = "k" + r;
          byte[] mine = {(byte) thread, (byte) r};
          start.await(60, TimeUnit.SECONDS);
          // half the threads insert through a transaction: it must conflict as any would
          boolean inserted = thread % 2 == 0
              ? storage.putBytesIfAbsent("race", key, mine)
              : storage.transaction(tx -> tx.putBytesIfAbsent("race", key, mine));
          if (inserted) {
            wins[r][0].incrementAndGet();
            firstVersion[r] = version("race", key);
          }
          start.await(60, TimeUnit.SECONDS); // every insert of the round has returned
          long seen = firstVersion[r];
          boolean replaced = thread % 2 == 1
              ? storage.replaceBytesIfVersion("race", key, seen, mine)
              : storage.transaction(tx -> tx.replaceBytesIfVersion("race", key, seen, mine));
          if (replaced) {
            wins[r][1].incrementAndGet();
          }
        }
        return null;
      });
      for (int r = 0; r < rounds; r++) {
        assertThat(wins[r][0].get()).as("putIfAbsent winners of round %d", r).isEqualTo(1);
        assertThat(wins[r][1].get()).as("replaceIfVersion winners of round %d", r).isEqualTo(1);
      }
      assertThat(storage.count("race")).isEqualTo(rounds);
      assertThat(storage.stats().writes()).as("one insert and one replace per round")
          .isEqualTo(2L * rounds);
    }

    @Test
    @DisplayName("counters incremented by compare-and-set loops from racing threads end exact")
    void compareAndSetCountersEndExact() throws Exception {
      // GROUP: the check also runs amid the other writes of a group commit
      reopen(b -> b.durability(Durability.GROUP));
      int threads = 4;
      int increments = 25;
      int counters = 2;
      for (int c = 0; c < counters; c++) {
        assertThat(storage.putIfAbsent("ctr", "c" + c, 0L)).isTrue();
      }
      AtomicLong failedAttempts = new AtomicLong();
      onThreads(threads, thread -> () -> {
        for (int i = 0; i < increments; i++) {
          String key = "c" + ((thread + i) % counters);
          while (true) {
            Versioned<Long> seen = storage.getVersioned("ctr", key, Long.class).orElseThrow();
            if (storage.replaceIfVersion("ctr", key, seen.version(), seen.value() + 1)) {
              break;
            }
            failedAttempts.incrementAndGet();
          }
        }
        return null;
      });
      long total = 0;
      for (int c = 0; c < counters; c++) {
        total += storage.get("ctr", "c" + c, Long.class).orElseThrow();
      }
      assertThat(total).as("no increment lost (%d attempts lost a race)", failedAttempts.get())
          .isEqualTo((long) threads * increments);
      assertThat(storage.stats().writes()).as("only the increments that applied were written")
          .isEqualTo((long) threads * increments + counters);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Time to live: the kit's stores read an adjustable clock ({@code StorageBuilder.clock}), which
   * these tests move forward past a record's expiry instead of waiting for it.
   */
  @Nested
  @DisplayName("time to live")
  class TimeToLive {

    private final java.time.Duration hour = java.time.Duration.ofHours(1);

    /** Every read path, as a caller sees it: the value of each, or what says it is absent. */
    private List<Object> reads(Storage s, String c, String k) {
      List<Object> out = new ArrayList<>();
      out.add(s.getBytes(c, k).map(Bytes::copyOf));
      out.add(s.getValue(c, k));
      out.add(s.getBuffer(c, k).map(b -> {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return Bytes.copyOf(a);
      }));
      out.add(s.get(c, k, Bytes.class));
      out.add(s.getVersioned(c, k, Bytes.class).map(Versioned::value));
      out.add(s.getAll(c, List.of(k), Bytes.class).containsKey(k));
      out.add(s.contains(c, k));
      out.add(s.metadata(c, k).isPresent());
      return out;
    }

    private List<Object> absent() {
      return List.of(java.util.Optional.empty(), java.util.Optional.empty(),
          java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
          false, false, false);
    }

    private List<Object> present(byte[] v) {
      Bytes b = Bytes.copyOf(v);
      return List.of(java.util.Optional.of(b), java.util.Optional.of(b), java.util.Optional.of(b),
          java.util.Optional.of(b), java.util.Optional.of(b), true, true, true);
    }

    private List<String> keys(String c, KeyRange r) {
      try (Stream<String> st = storage.keys(c, r)) {
        return st.toList();
      }
    }

    private List<String> entryKeys(String c, KeyRange r) {
      try (Stream<Map.Entry<String, byte[]>> st = storage.entries(c, r)) {
        return st.map(Map.Entry::getKey).toList();
      }
    }

    @Test
    @DisplayName("an expired record is absent at once to every read, scan and count, cached or not")
    void expiredRecordIsAbsentEverywhere() {
      byte[] v = compressibleBytes(random(), 300);
      java.time.Instant before = java.time.Instant.ofEpochMilli(now());
      storage.putBytes("s", "gone", v, hour);
      storage.putBytes("s", "kept", v);
      storage.putBytes("only", "gone", v, java.time.Duration.ofMinutes(30));
      // read twice: the second read may be a cache hit
      assertThat(reads(storage, "s", "gone")).isEqualTo(present(v));
      assertThat(reads(storage, "s", "gone")).as("cached").isEqualTo(present(v));
      RecordMetadata m = storage.metadata("s", "gone").orElseThrow();
      assertThat(m.expiresAt()).as("expiresAt: an hour after the write").get()
          .satisfies(e -> assertThat(e).isBetween(before.plus(hour),
              java.time.Instant.ofEpochMilli(now()).plus(hour)));
      assertThat(storage.metadata("s", "kept").orElseThrow().expiresAt()).isEmpty();
      assertThat(storage.count("s")).isEqualTo(2);
      assertThat(storage.collections()).contains("only", "s");

      advanceClock(hour.plusMillis(1));

      assertThat(reads(storage, "s", "gone")).as("after its expiry").isEqualTo(absent());
      assertThat(reads(storage, "only", "gone")).isEqualTo(absent());
      assertThat(reads(storage, "s", "kept")).isEqualTo(present(v));
      assertThat(storage.count("s")).isEqualTo(1);
      assertThat(storage.count("only")).isZero();
      assertThat(storage.collections()).as("a collection of expired records only")
          .doesNotContain("only").contains("s");
      for (KeyRange r : List.of(KeyRange.all(), KeyRange.all().reversed(),
          KeyRange.from("g"), KeyRange.between("a", "z").reversed().limit(5))) {
        assertThat(keys("s", r)).as("keys %s", r).containsExactly("kept");
        assertThat(entryKeys("s", r)).as("entries %s", r).containsExactly("kept");
      }
      try (Stream<String> st = storage.keys("s", "")) {
        assertThat(st.toList()).containsExactly("kept");
      }
      assertThat(storage.delete("s", "gone")).as("delete of an expired record").isFalse();
      assertThat(storage.maintenance().successful()).isTrue();
      assertThat(reads(storage, "s", "gone")).isEqualTo(absent());
    }

    @Test
    @DisplayName("scans over many pages skip expired records and honour their limits; count is exact")
    void scansAndCountSkipExpiredRecordsAcrossPages() {
      Map<String, byte[]> all = new TreeMap<>();
      List<String> live = new ArrayList<>();
      for (int i = 0; i < 2500; i++) {
        String k = String.format("k%05d", i);
        byte[] v = longBytes(i);
        if (i % 3 == 0) {
          live.add(k);
          all.put(k, v);
        }
        if (i % 3 == 0) {
          storage.putBytes("c", k, v);
        } else {
          storage.putBytes("c", k, v, i % 3 == 1 ? hour : hour.multipliedBy(3));
        }
      }
      advanceClock(hour.multipliedBy(3).plusMillis(1));
      assertThat(storage.count("c")).isEqualTo(live.size());
      assertThat(keys("c", KeyRange.all())).containsExactlyElementsOf(live);
      List<String> reversed = new ArrayList<>(live);
      java.util.Collections.reverse(reversed);
      assertThat(keys("c", KeyRange.all().reversed())).containsExactlyElementsOf(reversed);
      assertThat(keys("c", KeyRange.all().reversed().limit(700)))
          .containsExactlyElementsOf(reversed.subList(0, 700));
      assertThat(entryKeys("c", KeyRange.all().limit(300)))
          .containsExactlyElementsOf(live.subList(0, 300));
      try (Stream<Map.Entry<String, byte[]>> st = storage.entries("c", "")) {
        st.forEach(e -> assertThat(e.getValue()).as(e.getKey()).isEqualTo(all.get(e.getKey())));
      }
      List<String> inTx =
          storage.transaction(tx -> tx.keys("c", KeyRange.all().reversed().limit(10)));
      assertThat(inTx).containsExactlyElementsOf(reversed.subList(0, 10));
      MaintenanceReport r = storage.maintenance();
      assertThat(r.step("purge-expired").orElseThrow().detail())
          .isEqualTo("purged " + (2500 - live.size()) + " expired records");
      assertThat(storage.count("c")).isEqualTo(live.size());
      assertThat(keys("c", KeyRange.all())).containsExactlyElementsOf(live);
      assertThat(storage.maintenance().step("purge-expired").orElseThrow().detail())
          .as("a second purge finds nothing").isEqualTo("purged 0 expired records");
    }

    @Test
    @DisplayName("only the expired part goes: a later expiry and a record rewritten without TTL stay")
    void rewritesChangeOrClearTheExpiry() {
      storage.putBytes("c", "short", new byte[] {1}, hour);
      storage.putBytes("c", "long", new byte[] {2}, hour.multipliedBy(2));
      storage.putBytes("c", "cleared", new byte[] {3}, hour);
      storage.putBytes("c", "cleared", new byte[] {4});
      storage.putBytes("c", "extended", new byte[] {5}, hour);
      storage.putBytes("c", "extended", new byte[] {6}, hour.multipliedBy(3));
      assertThat(storage.metadata("c", "cleared").orElseThrow().expiresAt()).isEmpty();
      advanceClock(hour.plusMillis(1));
      assertThat(keys("c", KeyRange.all())).containsExactly("cleared", "extended", "long");
      storage.maintenance();
      assertThat(storage.getBytes("c", "extended")).get().isEqualTo(new byte[] {6});
      advanceClock(hour);
      assertThat(keys("c", KeyRange.all())).containsExactly("cleared", "extended");
      advanceClock(hour);
      storage.maintenance();
      assertThat(keys("c", KeyRange.all())).containsExactly("cleared");
      assertThat(storage.count("c")).isEqualTo(1);
    }

    @Test
    @DisplayName("conditional writes treat an expired record as absent")
    void conditionalWritesSeeAnExpiredRecordAsAbsent() {
      storage.putBytes("locks", "job", new byte[] {1}, hour);
      long version = storage.getVersioned("locks", "job", Bytes.class).orElseThrow().version();
      assertThat(storage.putBytesIfAbsent("locks", "job", new byte[] {2})).isFalse();
      advanceClock(hour.plusMillis(1));
      assertThat(storage.replaceBytesIfVersion("locks", "job", version, new byte[] {3})).isFalse();
      assertThat(storage.deleteIfVersion("locks", "job", version)).isFalse();
      assertThat(storage.putBytesIfAbsent("locks", "job", new byte[] {4})).isTrue();
      assertThat(get("locks", "job")).isEqualTo(new byte[] {4});
      RecordMetadata m = storage.metadata("locks", "job").orElseThrow();
      assertThat(m.expiresAt()).as("the new record has no TTL").isEmpty();
      assertThat(m.createdAt()).as("a new record: created now, not when the expired one was")
          .isAfterOrEqualTo(java.time.Instant.ofEpochMilli(now() - 60_000));
    }

    @Test
    @DisplayName("purging shared content releases exactly its references (dedup at write and deferred)")
    void purgeReleasesSharedContent() {
      for (DedupMode mode : List.of(DedupMode.DEFERRED, DedupMode.ON_WRITE)) {
        String c = "d" + mode.name().toLowerCase(java.util.Locale.ROOT).replace("_", "");
        reopen(b -> b.inlineThreshold(16).dedupMode(mode));
        byte[] v = randomBytes(random(), 4096);
        byte[] w = randomBytes(new Random(KitSupport.SEED + 1), 4096);
        storage.putBytes(c, "permanent", v);
        storage.putBytes(c, "expiring", v, hour);
        storage.putBytes(c, "both-1", w, hour);
        storage.putBytes(c, "both-2", w, hour.multipliedBy(2));
        storage.maintenance(); // DEFERRED: shares the two contents now
        assertThat(blobs()).as("%s: two shared contents", mode).isEqualTo(2);
        advanceClock(hour.plusMillis(1));
        assertThat(storage.maintenance().successful()).isTrue();
        assertThat(get(c, "permanent")).as("%s: the other reference", mode).isEqualTo(v);
        assertThat(get(c, "expiring")).isNull();
        assertThat(get(c, "both-2")).isEqualTo(w);
        assertThat(storage.admin().verify().problems()).isEmpty();
        advanceClock(hour);
        assertThat(storage.maintenance().successful()).isTrue();
        assertThat(get(c, "both-2")).isNull();
        // deferred: the content left with one reference goes back into its record
        assertThat(blobs()).as("%s: blobs once only permanent is left", mode)
            .isEqualTo(mode == DedupMode.ON_WRITE ? 1 : 0);
        assertThat(storage.count(c)).isEqualTo(1);
        assertThat(storage.admin().verify().problems()).isEmpty();
      }
    }

    @Test
    @DisplayName("deferred dedup neither shares expired records nor drops the expiry of those it shares")
    void deferredDedupKeepsExpiry() {
      reopen(b -> b.inlineThreshold(16));
      byte[] v = randomBytes(random(), 2048);
      storage.putBytes("c", "a", v, hour);
      storage.putBytes("c", "b", v, hour.multipliedBy(2));
      storage.putBytes("c", "x", v, java.time.Duration.ofMinutes(1));
      java.util.Optional<java.time.Instant> expiresB = storage.metadata("c", "b").orElseThrow()
          .expiresAt();
      advanceClock(java.time.Duration.ofMinutes(2));
      // "x" has expired: the purge runs first and removes it; dedup shares a and b
      assertThat(storage.maintenance().successful()).isTrue();
      RecordMetadata b = storage.metadata("c", "b").orElseThrow();
      assertThat(b.deduplicated()).isTrue();
      assertThat(b.expiresAt()).as("kept when shared").isEqualTo(expiresB);
      advanceClock(hour);
      assertThat(get("c", "a")).isNull();
      assertThat(get("c", "b")).isEqualTo(v);
      advanceClock(hour);
      assertThat(get("c", "b")).isNull();
      assertThat(storage.maintenance().successful()).isTrue();
      assertThat(blobs()).isZero();
      assertThat(storage.count("c")).isZero();
    }

    @Test
    @DisplayName("in a transaction: a put with TTL, and reads of records expired meanwhile")
    void transactionsSeeExpiry() {
      storage.putBytes("c", "old", new byte[] {1}, hour);
      storage.useTransaction(tx -> {
        tx.putBytes("c", "new", new byte[] {2}, hour.multipliedBy(2));
        tx.put("c", "typed", new Player("p", 1, List.of()), hour.multipliedBy(2));
        assertThat(tx.getBytes("c", "new")).isPresent();
        assertThat(tx.keys("c", KeyRange.all())).containsExactly("new", "old", "typed");
      });
      assertThat(storage.metadata("c", "typed").orElseThrow().expiresAt()).isPresent();
      advanceClock(hour.plusMillis(1));
      storage.useTransaction(tx -> {
        assertThat(tx.getBytes("c", "old")).isEmpty();
        assertThat(tx.contains("c", "old")).isFalse();
        assertThat(tx.getVersioned("c", "old", Bytes.class)).isEmpty();
        assertThat(tx.keys("c", "")).containsExactly("new", "typed");
        assertThat(tx.delete("c", "old")).isFalse();
        assertThat(tx.putBytesIfAbsent("c", "old", new byte[] {3})).isTrue();
      });
      assertThat(get("c", "old")).isEqualTo(new byte[] {3});
      advanceClock(hour);
      assertThat(storage.count("c")).isEqualTo(1);
      assertThat(storage.getAll("c", List.of("new", "old", "typed"), Bytes.class))
          .containsOnlyKeys("old");
    }

    @Test
    @DisplayName("a collection's default TTL applies to its writes without a TTL of their own")
    void collectionDefaults() {
      reopen(b -> b.defaultTtl("sessions", hour));
      storage.put("sessions", "s1", new Player("a", 1, List.of()));
      storage.putAllBytes("sessions", Map.of("s2", new byte[] {1}));
      assertThat(storage.putBytesIfAbsent("sessions", "s3", new byte[] {1})).isTrue();
      storage.putBytes("sessions", "long", new byte[] {1}, hour.multipliedBy(5));
      storage.putBytes("users", "u1", new byte[] {1});
      assertThat(storage.metadata("sessions", "s1").orElseThrow().expiresAt()).isPresent();
      assertThat(storage.metadata("users", "u1").orElseThrow().expiresAt()).isEmpty();
      advanceClock(hour.plusMillis(1));
      assertThat(keys("sessions", KeyRange.all())).containsExactly("long");
      assertThat(storage.count("users")).isEqualTo(1);
      storage.maintenance();
      assertThat(storage.count("sessions")).isEqualTo(1);
    }

    @Test
    @DisplayName("a TTL that is not positive is refused and writes nothing")
    void badTtlsAreRefused() {
      for (java.time.Duration bad : List.of(java.time.Duration.ZERO,
          java.time.Duration.ofSeconds(-1))) {
        assertThatThrownBy(() -> storage.putBytes("c", "k", new byte[] {1}, bad))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> storage.put("c", "k", "v", bad))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> storage.async().putBytes("c", "k", new byte[] {1}, bad))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.useTransaction(
            tx -> tx.putBytes("c", "k", new byte[] {1}, bad)))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Storage.builder().defaultTtl("c", bad))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
      }
      assertThatThrownBy(() -> storage.putBytes("c", "k", new byte[] {1}, null))
          .isInstanceOf(NullPointerException.class);
      assertThat(storage.contains("c", "k")).isFalse();
    }

    @Test
    @DisplayName("the expiry survives a reopen, an export and import, and a snapshot")
    void expiryIsKeptByCopies() {
      storage.putBytes("c", "e", new byte[] {1, 2}, hour);
      storage.putBytes("c", "p", new byte[] {3});
      java.time.Instant expiresAt =
          storage.metadata("c", "e").orElseThrow().expiresAt().orElseThrow();
      if (backendCapabilities().contains(Capability.DURABLE)) {
        reopen(UnaryOperator.identity());
        assertThat(storage.metadata("c", "e").orElseThrow().expiresAt()).contains(expiresAt);
      }
      List<ExportedRecord> exported = new ArrayList<>();
      storage.admin().exportRecords(exported::add);
      assertThat(exported).extracting(ExportedRecord::expiresAtMillis)
          .containsExactly(expiresAt.toEpochMilli(), 0L);
      Storage imported =
          openIn(tempDir.resolve("imported"), b -> b.defaultTtl("c", hour.multipliedBy(9)));
      imported.admin().importRecords(exported);
      assertThat(imported.metadata("c", "e").orElseThrow().expiresAt()).contains(expiresAt);
      assertThat(imported.metadata("c", "p").orElseThrow().expiresAt())
          .as("an import keeps 'never', whatever the collection's default").isEmpty();
      List<Storage> copies = new ArrayList<>(List.of(storage, imported));
      // a snapshot that is a directory of its own opens as a store (PostgreSQL's is a schema)
      boolean selfContained =
          backendCapabilities().contains(Capability.SELF_CONTAINED_SNAPSHOT);
      Path snapshot = tempDir.resolve("snapshot");
      if (selfContained) {
        storage.admin().snapshotTo(snapshot);
      }
      advanceClock(hour.plusMillis(1));
      if (selfContained) {
        copies.add(openIn(snapshot, UnaryOperator.identity()));
      }
      for (Storage s : copies) {
        assertThat(s.getBytes("c", "e")).as(s.admin().directory().toString()).isEmpty();
        assertThat(s.getBytes("c", "p")).isPresent();
        assertThat(s.count("c")).isEqualTo(1);
        assertThat(s.maintenance().successful()).isTrue();
      }
      List<ExportedRecord> again = new ArrayList<>();
      imported.admin().exportRecords(again::add);
      assertThat(again).extracting(ExportedRecord::key).containsExactly("p");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("keys and count")
  class KeysAndCount {

    @Test
    @DisplayName("keys pages through a collection in UTF-8 byte order, filtered by prefix")
    void keysInUtf8OrderWithPrefix() {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 700; i++) {
        keys.add((i % 3 == 0 ? "a/" : i % 3 == 1 ? "b/" : "a") + String.format("%05d", i));
      }
      // UTF-16 order and UTF-8 byte order disagree on these two
      keys.add("a/\uFF21");
      keys.add("a/\uD83D\uDE00");
      keys.forEach(k -> storage.putBytes("c", k, new byte[] {1}));
      storage.putBytes("c.d", "a/0", new byte[] {1});
      storage.putBytes("cd", "a/0", new byte[] {1});
      storage.putBytes("b", "a/0", new byte[] {1});
      List<String> all = utf8Sorted(keys);
      try (Stream<String> s = storage.keys("c", "")) {
        assertThat(s.toList()).as("every key of c, in UTF-8 order").containsExactlyElementsOf(all);
      }
      List<String> prefixed = all.stream().filter(k -> k.startsWith("a/")).toList();
      try (Stream<String> s = storage.keys("c", "a/")) {
        assertThat(s.toList()).as("keys of c starting with a/").containsExactlyElementsOf(prefixed);
      }
      try (Stream<String> s = storage.keys("c", "zzz")) {
        assertThat(s.toList()).isEmpty();
      }
      try (Stream<String> s = storage.keys("c", "")) {
        assertThat(s.limit(3).toList()).as("a stream closed early").hasSize(3);
      }
      assertThat(storage.count("c")).isEqualTo(keys.size());
      assertThat(storage.count("c.d")).isEqualTo(1);
      assertThat(storage.count("nothing")).isZero();
      assertThat(storage.collections()).containsExactly("b", "c", "c.d", "cd");
    }

    private List<String> utf8Sorted(List<String> keys) {
      List<String> s = new ArrayList<>(keys);
      s.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8),
          y.getBytes(StandardCharsets.UTF_8)));
      return s;
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("key ranges")
  class KeyRanges {

    /** Keys in UTF-8 byte order. */
    private final java.util.Comparator<String> utf8Order = (x, y) ->
        Arrays.compareUnsigned(x.getBytes(UTF_8), y.getBytes(UTF_8));

    /** What {@code range} must return from {@code sortedKeys} (in UTF-8 order). */
    private List<String> model(List<String> sortedKeys, KeyRange range) {
      List<String> in = new ArrayList<>(sortedKeys.stream()
          .filter(k -> k.startsWith(range.keyPrefix()))
          .filter(k -> range.fromInclusive().map(f -> utf8Order.compare(k, f) >= 0).orElse(true))
          .filter(k -> range.toExclusive().map(t -> utf8Order.compare(k, t) < 0).orElse(true))
          .toList());
      if (range.isDescending()) {
        java.util.Collections.reverse(in);
      }
      return in.subList(0, (int) Math.min(in.size(), range.limit()));
    }

    private List<String> keys(String collection, KeyRange range) {
      try (Stream<String> s = storage.keys(collection, range)) {
        return s.toList();
      }
    }

    @Test
    @DisplayName("ranges page through thousands of keys in UTF-8 order, both ways, open or bounded, limited")
    void rangesMatchAModelBothWays() {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 2600; i++) {
        keys.add((i % 4 == 0 ? "a/" : i % 4 == 1 ? "b/" : i % 4 == 2 ? "a" : "\u00e9/")
            + String.format("%05d", i));
      }
      // UTF-16 order and UTF-8 byte order disagree on the last two
      keys.addAll(List.of("a/\u00e9", "a/\uFF21", "a/\uD83D\uDE00", "\uFF21", "\uD83D\uDE00"));
      Map<String, byte[]> values = new TreeMap<>();
      keys.forEach(k -> values.put(k, ("value of " + k).getBytes(UTF_8)));
      storage.putAllBytes("c", values);
      storage.putBytes("b", "a/0", new byte[] {1}); // neighbours must not leak in
      storage.putBytes("c.d", "a/0", new byte[] {1});
      List<String> sorted = new ArrayList<>(keys);
      sorted.sort(utf8Order);
      List<KeyRange> ranges = List.of(KeyRange.all(), KeyRange.from("a/01000"),
          KeyRange.to("b/00005"), KeyRange.between("a/00100", "a/02000"),
          KeyRange.between("a/\uFF21", "a/\uD83D\uDE00"), KeyRange.from("\uFF21"),
          KeyRange.between("a", "a0"), KeyRange.between("a/00008", "a/00008"),
          KeyRange.between("", "a/00004"), KeyRange.to(""), KeyRange.from("\uD83D\uDE01"),
          KeyRange.prefix("a/"), KeyRange.prefix("\u00e9/0"), KeyRange.prefix("zz"));
      for (KeyRange range : ranges) {
        for (KeyRange r : List.of(range, range.reversed())) {
          for (long limit : new long[] {Long.MAX_VALUE, 0, 1, 7, 1500}) {
            KeyRange limited = limit == Long.MAX_VALUE ? r : r.limit(limit);
            assertThat(keys("c", limited)).as("keys of %s", limited)
                .containsExactlyElementsOf(model(sorted, limited));
          }
          List<String> expected = model(sorted, r);
          try (Stream<Map.Entry<String, byte[]>> s = storage.entries("c", r)) {
            List<Map.Entry<String, byte[]>> got = s.toList();
            assertThat(got).extracting(Map.Entry::getKey).as("entries of %s", r)
                .containsExactlyElementsOf(expected);
            got.forEach(e -> assertThat(e.getValue()).as("value of %s", e.getKey())
                .isEqualTo(values.get(e.getKey())));
          }
        }
      }
      assertThat(keys("c", KeyRange.between("a/\uFF21", "a/\uD83D\uDE00")))
          .as("a range between two non-ASCII bounds, ordered as UTF-8")
          .containsExactly("a/\uFF21");
      try (Stream<String> s = storage.keys("c", KeyRange.all().reversed())) {
        assertThat(s.limit(3).toList()).as("a stream closed early")
            .containsExactlyElementsOf(model(sorted, KeyRange.all().reversed().limit(3)));
      }
    }

    @Test
    @DisplayName("entries in reverse decode compressed and shared values, page after page")
    void entriesInReverseDecodeEveryKindOfValue() {
      Random rnd = random();
      byte[] shared = randomBytes(rnd, 4_000);
      Map<String, byte[]> values = new TreeMap<>();
      for (int i = 0; i < 700; i++) {
        values.put(String.format("k%04d", i), i % 7 == 0 ? shared
            : i % 2 == 0 ? compressibleBytes(rnd, 2_000) : randomBytes(rnd, 1 + rnd.nextInt(300)));
      }
      storage.putAllBytes("c", values);
      storage.maintenance(); // shares the equal values (DEFERRED dedup)
      List<String> expectedKeys = new ArrayList<>(values.keySet());
      java.util.Collections.reverse(expectedKeys);
      try (Stream<Map.Entry<String, byte[]>> s = storage.entries("c", KeyRange.all().reversed())) {
        List<Map.Entry<String, byte[]>> got = s.toList();
        assertThat(got).extracting(Map.Entry::getKey).containsExactlyElementsOf(expectedKeys);
        got.forEach(e -> assertThat(Arrays.equals(e.getValue(), values.get(e.getKey())))
            .as("value of %s; %s", e.getKey(), seedNote()).isTrue());
      }
      try (Stream<Map.Entry<String, byte[]>> s =
          storage.entries("c", KeyRange.between("k0100", "k0600").reversed().limit(300))) {
        assertThat(s.map(Map.Entry::getKey).toList())
            .containsExactlyElementsOf(expectedKeys.subList(100, 400));
      }
    }

    @Test
    @DisplayName("a long descending stream reads page by page, never one snapshot")
    void descendingStreamHoldsNoSnapshot() {
      Map<String, byte[]> values = new TreeMap<>();
      for (int i = 0; i < 5_000; i++) {
        values.put(String.format("k%05d", i), new byte[] {1});
      }
      storage.putAllBytes("c", values);
      try (Stream<String> s = storage.keys("c", KeyRange.all().reversed())) {
        java.util.Iterator<String> it = s.iterator();
        assertThat(it.next()).isEqualTo("k04999");
        storage.useTransaction(tx -> {       // commits while the stream is open
          for (int i = 0; i < 100; i++) {
            tx.delete("c", String.format("k%05d", i));
          }
        });
        List<String> rest = new ArrayList<>();
        it.forEachRemaining(rest::add);
        assertThat(rest).as("the later pages are read after the deletes")
            .hasSize(4_899).doesNotContain("k00000", "k00099").endsWith("k00100");
      }
    }

    @Test
    @DisplayName("a transaction's range results include its own writes, in order")
    void transactionSeesItsOwnWritesInRanges() {
      for (int i = 1; i <= 9; i++) {
        storage.putBytes("c", "k" + i, new byte[] {(byte) i});
      }
      storage.putBytes("d", "k5", new byte[] {1});
      storage.useTransaction(tx -> {
        tx.putBytes("c", "k5a", new byte[] {1});
        tx.putBytes("c", "k\u00e9", new byte[] {1});
        tx.delete("c", "k3");
        tx.delete("c", "k8");
        assertThat(tx.keys("c", KeyRange.between("k2", "k9")))
            .containsExactly("k2", "k4", "k5", "k5a", "k6", "k7");
        assertThat(tx.keys("c", KeyRange.between("k2", "k9").reversed()))
            .containsExactly("k7", "k6", "k5a", "k5", "k4", "k2");
        assertThat(tx.keys("c", KeyRange.from("k5").reversed().limit(2)))
            .containsExactly("k\u00e9", "k9");
        assertThat(tx.keys("c", KeyRange.prefix("k5").reversed()))
            .containsExactly("k5a", "k5");
        assertThat(tx.keys("c", KeyRange.to("k3").limit(0))).isEmpty();
      });
      try (Stream<String> s = storage.keys("c", KeyRange.all().reversed().limit(3))) {
        assertThat(s.toList()).as("after the commit").containsExactly("k\u00e9", "k9", "k7");
      }
    }

    @Test
    @DisplayName("bad ranges and arguments are rejected with messages naming them")
    void badRangesAreRejected() {
      storage.putBytes("c", "k", new byte[] {1});
      assertThatThrownBy(() -> KeyRange.between("b", "a"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from");
      assertThatThrownBy(() -> KeyRange.between("\uD83D\uDE00", "\uFF21"))
          .as("after in UTF-8 order, though before in UTF-16 order")
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> KeyRange.all().limit(-1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
      assertThatThrownBy(() -> KeyRange.from("bad\uD800"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from");
      assertThatThrownBy(() -> KeyRange.to(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> storage.keys(null, KeyRange.all()))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> storage.keys("c", (KeyRange) null))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> storage.entries("a b", KeyRange.all()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("collection");
      assertThatThrownBy(() -> storage.keys("c", KeyRange.prefix("x".repeat(257))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix");
      storage.useTransaction(tx -> {
        assertThatThrownBy(() -> tx.keys("c", (KeyRange) null))
            .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> tx.keys(null, KeyRange.all()))
            .isInstanceOf(NullPointerException.class);
      });
      assertThat(KeyRange.between("a", "b").reversed().limit(3))
          .isEqualTo(KeyRange.between("a", "b").limit(3).reversed())
          .isNotEqualTo(KeyRange.between("a", "b").limit(3));
      assertThat(KeyRange.all().reversed().reversed()).isEqualTo(KeyRange.all());
      assertThat(keys("c", KeyRange.between("k", "k"))).as("equal bounds").isEmpty();
      assertThat(keys("c", KeyRange.between("k", "k\u0000"))).containsExactly("k");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("async")
  class Async {

    @Test
    @DisplayName("async operations complete with the results of the synchronous ones")
    void asyncOperations() throws Exception {
      storage.async().putBytes("c", "k", new byte[] {1, 2}).get(60, TimeUnit.SECONDS);
      assertThat(storage.async().getBytes("c", "k").get(60, TimeUnit.SECONDS)).get()
          .isEqualTo(new byte[] {1, 2});
      storage.async().put("c", "p", new Player("a", 1, List.of())).get(60, TimeUnit.SECONDS);
      assertThat(storage.async().get("c", "p", Player.class).get(60, TimeUnit.SECONDS))
          .isPresent();
      assertThat(storage.async().transaction(tx -> tx.delete("c", "p"))
          .get(60, TimeUnit.SECONDS)).isTrue();
      assertThat(storage.async().delete("c", "k").get(60, TimeUnit.SECONDS)).isTrue();
      assertThat(storage.count("c")).isZero();
    }

    @Test
    @DisplayName("async argument errors complete the future exceptionally")
    void asyncArgumentErrors() {
      assertThatThrownBy(() -> storage.async().putBytes("c", "", new byte[1])
          .get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalArgumentException.class);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("close")
  class Close {

    @Test
    @DisplayName("close is idempotent and every later call throws StorageClosedException")
    void closeSemantics() {
      storage.putBytes("c", "k", new byte[] {1});
      storage.close();
      assertThatCode(storage::close).as("second close").doesNotThrowAnyException();
      List<Runnable> calls = List.of(
          () -> storage.putBytes("c", "k", new byte[] {2}),
          () -> storage.put("c", "k", 1),
          () -> storage.getBytes("c", "k"),
          () -> storage.get("c", "k", Integer.class),
          () -> storage.delete("c", "k"),
          () -> storage.contains("c", "k"),
          () -> storage.metadata("c", "k"),
          () -> storage.count("c"),
          () -> storage.keys("c", "").toList(),
          () -> storage.keys("c", KeyRange.all().reversed()).toList(),
          () -> storage.entries("c", KeyRange.from("k")).toList(),
          () -> storage.collections(),
          () -> storage.putAllBytes("c", Map.of("x", new byte[1])),
          () -> storage.getAll("c", List.of("k"), byte[].class),
          () -> storage.transaction(tx -> tx.getBytes("c", "k")));
      for (int i = 0; i < calls.size(); i++) {
        assertThatThrownBy(calls.get(i)::run).as("call #%d after close", i)
            .isInstanceOf(StorageClosedException.class);
      }
      assertThatThrownBy(() -> storage.async().getBytes("c", "k").join())
          .as("async after close")
          .satisfiesAnyOf(
              e -> assertThat(e).isInstanceOf(StorageClosedException.class),
              e -> assertThat(e).isInstanceOf(CompletionException.class)
                  .hasCauseInstanceOf(StorageClosedException.class));
    }

    @Test
    @DisplayName("data is present after close and reopen")
    void dataSurvivesReopen() {
      require(Capability.DURABLE);
      Random rnd = random();
      Map<String, byte[]> values = new TreeMap<>();
      byte[] shared = randomBytes(rnd, 3_000);
      for (int i = 0; i < 200; i++) {
        values.put("k" + i, i % 10 == 0 ? shared : rnd.nextBoolean()
            ? randomBytes(rnd, rnd.nextInt(5_000)) : compressibleBytes(rnd, rnd.nextInt(5_000)));
      }
      values.put("big", randomBytes(rnd, 4 << 20));
      values.forEach((k, v) -> storage.putBytes("c", k, v));
      storage.put("p", "ada", new Player("Ada", 1, List.of("x")));
      storage.delete("c", "k1");
      values.remove("k1");
      reopen(UnaryOperator.identity());
      assertThat(storage.count("c")).isEqualTo(values.size());
      values.forEach((k, v) -> assertThat(Arrays.equals(get("c", k), v))
          .as("%s after reopen; %s", k, seedNote()).isTrue());
      assertThat(storage.get("p", "ada", Player.class)).isPresent();
      assertThat(storage.contains("c", "k1")).isFalse();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("bad input")
  class BadInput {

    @Test
    @DisplayName("null, empty, over-long and ill-formed keys are rejected and change nothing")
    void badKeys() {
      assertThatThrownBy(() -> storage.putBytes("c", null, new byte[1]))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> storage.putBytes(null, "k", new byte[1]))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> storage.putBytes("c", "k", null))
          .isInstanceOf(NullPointerException.class);
      for (String key : List.of("", "é".repeat(128) + "x", "x".repeat(257), "bad\uD800")) {
        assertThatThrownBy(() -> storage.putBytes("c", key, new byte[1]))
            .as("key of %d chars", key.length())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("key");
        assertThatThrownBy(() -> storage.getBytes("c", key))
            .isInstanceOf(IllegalArgumentException.class);
      }
      assertThat(storage.collections()).isEmpty();
    }

    @Test
    @DisplayName("invalid collection names are rejected and change nothing")
    void badCollections() {
      for (String c : List.of("", "a b", "x".repeat(65), "ü", "a/b", "a\u0000b")) {
        assertThatThrownBy(() -> storage.putBytes(c, "k", new byte[1]))
            .as("collection '%s'", c)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("collection");
        assertThatThrownBy(() -> storage.keys(c, "")).isInstanceOf(IllegalArgumentException.class);
      }
      storage.putBytes("A-z_0.9", "k", new byte[1]);
      storage.putBytes("x".repeat(64), "k", new byte[1]);
      assertThat(storage.collections()).containsExactlyInAnyOrder("A-z_0.9", "x".repeat(64));
    }

    @Test
    @DisplayName("a value over maxValueBytes throws ValueTooLargeException and writes nothing")
    void valueTooLarge() {
      storage = reopen(b -> b.maxValueBytes(10_000));
      storage.putBytes("c", "k", new byte[] {1});
      assertThatThrownBy(() -> storage.putBytes("c", "k", new byte[10_001]))
          .isInstanceOf(ValueTooLargeException.class);
      assertThatThrownBy(() -> storage.useTransaction(tx -> {
        tx.putBytes("c", "other", new byte[] {1});
        tx.putBytes("c", "k2", new byte[10_001]);
      })).isInstanceOf(ValueTooLargeException.class);
      assertThat(get("c", "k")).containsExactly(1);
      assertThat(storage.contains("c", "other")).isFalse();
      assertThat(storage.count("c")).isEqualTo(1);
      storage.putBytes("c", "max", new byte[10_000]);
      assertThat(get("c", "max")).hasSize(10_000);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("concurrency")
  class Concurrency {

    @Test
    @DisplayName("bank transfers: the total is conserved and no reader sees a negative balance")
    void bankTransfers() throws Exception {
      int accounts = 8;
      long initial = 1_000;
      Map<String, Long> start = new HashMap<>();
      for (int i = 0; i < accounts; i++) {
        start.put("acct" + i, initial);
      }
      storage.putAll("bank", start);
      int movers = 3;
      int transfersEach = 120;
      AtomicBoolean done = new AtomicBoolean();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(movers + 1);
      try {
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < movers; t++) {
          long seed = KitSupport.SEED + t;
          work.add(pool.submit(() -> {
            Random rnd = new Random(seed);
            for (int i = 0; i < transfersEach; i++) {
              String from = "acct" + rnd.nextInt(accounts);
              String to = "acct" + rnd.nextInt(accounts);
              long amount = 1 + rnd.nextInt(400);
              storage.useTransaction(tx -> {
                long a = tx.get("bank", from, Long.class).orElseThrow();
                if (a < amount || from.equals(to)) {
                  return;
                }
                long b = tx.get("bank", to, Long.class).orElseThrow();
                tx.put("bank", from, a - amount);
                tx.put("bank", to, b + amount);
              });
            }
            return null;
          }));
        }
        Future<?> auditor = pool.submit(() -> {
          while (!done.get()) {
            long[] seen = storage.transaction(tx -> {
              long[] out = new long[accounts];
              for (int i = 0; i < accounts; i++) {
                out[i] = tx.get("bank", "acct" + i, Long.class).orElseThrow();
              }
              return out;
            });
            long total = Arrays.stream(seen).sum();
            if (total != accounts * initial || Arrays.stream(seen).anyMatch(x -> x < 0)) {
              problems.add("auditor saw " + Arrays.toString(seen) + " (total " + total + ")");
            }
            Map<String, Long> batch = storage.getAll("bank", start.keySet(), Long.class);
            if (batch.size() != accounts || batch.values().stream().anyMatch(v -> v < 0)) {
              problems.add("getAll saw " + batch);
            }
          }
          return null;
        });
        for (Future<?> f : work) {
          f.get(300, TimeUnit.SECONDS);
        }
        done.set(true);
        auditor.get(300, TimeUnit.SECONDS);
      } finally {
        done.set(true);
        pool.shutdownNow();
      }
      assertThat(problems).as(seedNote()).isEmpty();
      long total = 0;
      for (int i = 0; i < accounts; i++) {
        long bal = storage.get("bank", "acct" + i, Long.class).orElseThrow();
        assertThat(bal).isNotNegative();
        total += bal;
      }
      assertThat(total).as("money is conserved; %s", seedNote()).isEqualTo(accounts * initial);
    }

    @Test
    @DisplayName("snapshot isolation: a page of entries() never shows half a committed transfer")
    void entriesPageIsOneSnapshot() throws Exception {
      int accounts = 20; // one page of entries()
      long initial = 1_000;
      Map<String, byte[]> start = new HashMap<>();
      for (int i = 0; i < accounts; i++) {
        start.put(String.format("acct%02d", i), Long.toString(initial).getBytes(UTF_8));
      }
      storage.putAllBytes("iso", start);
      AtomicBoolean done = new AtomicBoolean();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<?>> movers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          long seed = KitSupport.SEED + 31 * t;
          movers.add(pool.submit(() -> {
            Random rnd = new Random(seed);
            for (int i = 0; i < 150; i++) {
              String from = String.format("acct%02d", rnd.nextInt(accounts));
              String to = String.format("acct%02d", rnd.nextInt(accounts));
              long amount = 1 + rnd.nextInt(50);
              storage.useTransaction(tx -> {
                long a = Long.parseLong(new String(tx.getBytes("iso", from).orElseThrow(), UTF_8));
                long b = Long.parseLong(new String(tx.getBytes("iso", to).orElseThrow(), UTF_8));
                if (from.equals(to) || a < amount) {
                  return;
                }
                tx.putBytes("iso", from, Long.toString(a - amount).getBytes(UTF_8));
                tx.putBytes("iso", to, Long.toString(b + amount).getBytes(UTF_8));
              });
            }
            return null;
          }));
        }
        Future<?> auditor = pool.submit(() -> {
          int scans = 0;
          while (!done.get() || scans < 10) {
            long total = 0;
            int seen = 0;
            try (Stream<Map.Entry<String, byte[]>> page = storage.entries("iso", "")) {
              for (Map.Entry<String, byte[]> e : (Iterable<Map.Entry<String, byte[]>>) page::iterator) {
                total += Long.parseLong(new String(e.getValue(), UTF_8));
                seen++;
              }
            }
            if (total != accounts * initial || seen != accounts) {
              problems.add("a scan saw " + seen + " accounts holding " + total);
            }
            scans++;
          }
          return null;
        });
        for (Future<?> f : movers) {
          f.get(300, TimeUnit.SECONDS);
        }
        done.set(true);
        auditor.get(300, TimeUnit.SECONDS);
      } finally {
        done.set(true);
        pool.shutdownNow();
      }
      assertThat(problems).as("every page of entries() is one committed state; %s", seedNote())
          .isEmpty();
    }

    @Test
    @DisplayName("cache coherence: a read that starts after a write returned never sees an older value")
    void noStaleReadAfterWriteReturned() throws Exception {
      int keys = 3;
      int writesEach = 150;
      AtomicLong[] published = new AtomicLong[keys];
      for (int k = 0; k < keys; k++) {
        published[k] = new AtomicLong(0);
        storage.putBytes("ctr", "k" + k, longBytes(0));
      }
      AtomicBoolean done = new AtomicBoolean();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        Future<?> writer = pool.submit(() -> {
          for (long i = 1; i <= writesEach; i++) {
            for (int k = 0; k < keys; k++) {
              storage.putBytes("ctr", "k" + k, longBytes(i));
              published[k].set(i);
            }
          }
          return null;
        });
        List<Future<?>> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
          readers.add(pool.submit(() -> {
            int round = 0;
            while (!done.get()) {
              round++;
              for (int k = 0; k < keys; k++) {
                long floor = published[k].get();
                long seen = toLong(readAnyWay(round + k, "ctr", "k" + k));
                if (seen < floor) {
                  problems.add("k" + k + ": read " + seen + " after write of " + floor
                      + " had returned");
                }
              }
            }
            return null;
          }));
        }
        writer.get(300, TimeUnit.SECONDS);
        done.set(true);
        for (Future<?> f : readers) {
          f.get(300, TimeUnit.SECONDS);
        }
      } finally {
        done.set(true);
        pool.shutdownNow();
      }
      assertThat(problems).isEmpty();
      for (int k = 0; k < keys; k++) {
        assertThat(toLong(get("ctr", "k" + k))).isEqualTo(writesEach);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("change feed")
  class ChangeFeeds {

    private Storage withFeed(ChangeFeedRetention retention) {
      storage = reopen(b -> b.changeFeed(retention));
      return storage;
    }

    /** The feed's changes as "position KIND collection/key version" lines. */
    private List<String> lines(List<Change> changes) {
      List<String> out = new ArrayList<>();
      for (Change c : changes) {
        out.add(c.position() + " " + c.kind() + " " + c.collection() + "/" + c.key() + " "
            + c.version());
      }
      return out;
    }

    private long version(String c, String k) {
      return storage.metadata(c, k).orElseThrow().version();
    }

    @Test
    @DisplayName("an expiry purge is a DELETE with the purged record's version; expiry alone"
        + " adds nothing")
    void expiryPurgeIsADelete() {
      withFeed(ChangeFeedRetention.defaults());
      java.time.Duration hour = java.time.Duration.ofHours(1);
      storage.put("s", "gone", "v", hour);
      storage.putBytes("s", "kept", new byte[] {1});
      long v = version("s", "gone");
      long head = storage.changes().head();
      advanceClock(hour.plusMillis(1));
      assertThat(storage.getBytes("s", "gone")).isEmpty();
      assertThat(storage.changes().head()).as("expiring is not a commit").isEqualTo(head);
      storage.maintenance();
      assertThat(lines(storage.changes().read(head, 10)))
          .containsExactly((head + 1) + " DELETE s/gone " + v);
      storage.maintenance(); // nothing left to purge: nothing more in the feed
      assertThat(storage.changes().head()).isEqualTo(head + 1);
    }

    @Test
    @DisplayName("off by default: changes() says how to turn it on")
    void offByDefault() {
      storage.putBytes("c", "k", new byte[] {1});
      assertThatThrownBy(() -> storage.changes()).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("changeFeed");
    }

    @Test
    @DisplayName("puts and deletes get consecutive positions in commit order; what changes nothing"
        + " adds nothing")
    void putsAndDeletesInCommitOrder() {
      withFeed(ChangeFeedRetention.defaults());
      ChangeFeed feed = storage.changes();
      assertThat(feed.head()).isZero();
      assertThat(feed.oldest()).isEqualTo(1);
      assertThat(feed.read(0, 10)).isEmpty();
      storage.putBytes("a", "k1", new byte[] {1});
      long v1 = version("a", "k1");
      storage.putBytes("a", "k1", new byte[] {2});
      long v2 = version("a", "k1");
      assertThat(storage.delete("a", "absent")).isFalse();
      storage.useTransaction(tx -> {
        tx.putBytes("b", "x", new byte[] {3});
        tx.putBytes("a", "k2", new byte[] {4});
        tx.delete("a", "k1");
      });
      assertThatThrownBy(() -> storage.useTransaction(tx -> {
        tx.putBytes("a", "rolled-back", new byte[] {5});
        throw new Boom();
      })).isInstanceOf(Boom.class);
      assertThat(storage.putBytesIfAbsent("b", "x", new byte[] {6})).isFalse();
      assertThat(storage.replaceBytesIfVersion("b", "x", v1, new byte[] {6})).isFalse();
      assertThat(storage.deleteIfVersion("a", "k2", v1)).isFalse();
      long vx = version("b", "x");
      long vk2 = version("a", "k2");
      assertThat(storage.deleteIfVersion("b", "x", vx)).isTrue();
      storage.putAllBytes("c", new LinkedHashMap<>(Map.of("only", new byte[] {7})));
      long vOnly = version("c", "only");
      assertThat(lines(feed.read(0, 100))).containsExactly(
          "1 PUT a/k1 " + v1,
          "2 PUT a/k1 " + v2,
          "3 PUT b/x " + vx,
          "4 PUT a/k2 " + vk2,
          "5 DELETE a/k1 " + v2,
          "6 DELETE b/x " + vx,
          "7 PUT c/only " + vOnly);
      assertThat(feed.head()).isEqualTo(7);
      assertThat(lines(feed.read(4, 2))).containsExactly("5 DELETE a/k1 " + v2,
          "6 DELETE b/x " + vx);
      assertThat(feed.read(7, 10)).isEmpty();
      List<Change> all = feed.read(0, 100);
      assertThat(all).allSatisfy(c -> assertThat(c.committed()).isNotNull());
      for (int i = 1; i < all.size(); i++) {
        assertThat(all.get(i).committed()).isAfterOrEqualTo(all.get(i - 1).committed());
      }
    }

    @Test
    @DisplayName("bad positions and limits are refused")
    void badArguments() {
      withFeed(ChangeFeedRetention.defaults());
      storage.putBytes("a", "k", new byte[] {1});
      ChangeFeed feed = storage.changes();
      assertThatThrownBy(() -> feed.read(-1, 10)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> feed.read(0, 0)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> feed.read(2, 10)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("beyond");
      assertThatThrownBy(() -> feed.poll(0, 10, java.time.Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new ChangeFeedRetention(-1, java.time.Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("concurrent SYNC and GROUP writers: every change once, positions without gaps,"
        + " each writer's changes in its order, the last change of a key is its current version")
    void concurrentWritersKeepOneOrder() throws Exception {
      storage = reopen(b -> b.changeFeed(ChangeFeedRetention.unlimited())
          .groupCommitWindow(java.time.Duration.ofMillis(1)));
      int threads = 6;
      int each = 60;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CyclicBarrier start = new CyclicBarrier(threads);
      try {
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          Durability d = t % 2 == 0 ? Durability.GROUP : Durability.SYNC;
          work.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < each; i++) {
              int n = i;
              storage.transaction(d, tx -> {
                tx.putBytes("w", "t" + thread + "-" + (n % 7), longBytes(n));
                if (n % 5 == 4) {
                  tx.delete("w", "t" + thread + "-" + ((n + 3) % 7));
                }
                return null;
              });
            }
            return null;
          }));
        }
        for (Future<?> f : work) {
          f.get(300, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      List<Change> all = new ArrayList<>();
      for (List<Change> page; !(page = storage.changes().read(
          all.isEmpty() ? 0 : all.get(all.size() - 1).position(), 50)).isEmpty(); ) {
        all.addAll(page);
      }
      for (int i = 0; i < all.size(); i++) {
        assertThat(all.get(i).position()).isEqualTo(i + 1);
      }
      assertThat(storage.changes().head()).isEqualTo(all.size());
      // replay each thread's own sequence against its changes, in order
      for (int t = 0; t < threads; t++) {
        String p = "t" + t + "-";
        Map<String, Boolean> present = new HashMap<>();
        List<String> expected = new ArrayList<>();
        for (int n = 0; n < each; n++) {
          String k = p + (n % 7);
          expected.add("PUT " + k);
          present.put(k, true);
          if (n % 5 == 4) {
            String d = p + ((n + 3) % 7);
            if (present.getOrDefault(d, false)) {
              expected.add("DELETE " + d);
              present.put(d, false);
            }
          }
        }
        List<String> actual = new ArrayList<>();
        for (Change c : all) {
          if (c.key().startsWith(p)) {
            actual.add(c.kind() + " " + c.key());
          }
        }
        assertThat(actual).as("thread %d's changes", t).isEqualTo(expected);
      }
      Map<String, Change> last = new HashMap<>();
      all.forEach(c -> last.put(c.key(), c));
      last.forEach((k, c) -> {
        if (c.kind() == Change.Kind.PUT) {
          assertThat(version("w", k)).as(k).isEqualTo(c.version());
        } else {
          assertThat(storage.contains("w", k)).as(k).isFalse();
        }
      });
    }

    @Test
    @DisplayName("a reader resumes after a reopen, which keeps the feed on and never reuses a"
        + " position")
    void resumesAfterReopen() {
      require(Capability.DURABLE);
      withFeed(ChangeFeedRetention.unlimited());
      storage.putBytes("a", "1", new byte[] {1});
      storage.putBytes("a", "2", new byte[] {2});
      long seen = storage.changes().read(0, 1).get(0).position();
      storage = reopen(UnaryOperator.identity()); // without changeFeed(...): still on
      storage.putBytes("a", "3", new byte[] {3});
      assertThat(lines(storage.changes().read(seen, 10))).extracting(l -> l.split(" ")[2])
          .containsExactly("a/2", "a/3");
      assertThat(storage.changes().head()).isEqualTo(3);
      storage = reopen(UnaryOperator.identity());
      storage.delete("a", "1");
      assertThat(storage.changes().read(3, 10)).singleElement()
          .satisfies(c -> assertThat(c.position()).isEqualTo(4));
    }

    @Test
    @DisplayName("retention: maintenance trims the oldest changes, and a reader behind them gets"
        + " HistoryTruncatedException with the oldest position kept")
    void trimmedHistoryIsAnError() {
      withFeed(ChangeFeedRetention.unlimited().withMaxChanges(5));
      for (int i = 0; i < 12; i++) {
        storage.putBytes("a", "k" + (i % 3), new byte[] {(byte) i});
      }
      assertThat(storage.changes().read(0, 100)).hasSize(12); // until maintenance runs
      MaintenanceReport r = storage.maintenance();
      assertThat(r.successful()).isTrue();
      ChangeFeed feed = storage.changes();
      assertThat(feed.oldest()).isEqualTo(8);
      assertThat(feed.head()).isEqualTo(12);
      assertThatThrownBy(() -> feed.read(0, 10))
          .isInstanceOfSatisfying(HistoryTruncatedException.class, e -> {
            assertThat(e.requestedAfter()).isZero();
            assertThat(e.oldestAvailable()).isEqualTo(8);
          });
      assertThatThrownBy(() -> feed.read(6, 10)).isInstanceOf(HistoryTruncatedException.class);
      assertThat(feed.read(7, 10)).extracting(Change::position).containsExactly(8L, 9L, 10L,
          11L, 12L);
    }

    @Test
    @DisplayName("retention by age removes what was committed before the limit; the head stays")
    void trimmedByAge() {
      Storage aged = openIn(tempDir.resolve("aged"), b -> b.changeFeed(
          ChangeFeedRetention.unlimited().withMaxAge(java.time.Duration.ofMillis(1))));
      for (int i = 0; i < 3; i++) {
        aged.putBytes("a", "k" + i, new byte[] {(byte) i});
      }
      long committed = aged.changes().read(2, 1).get(0).committed().toEpochMilli();
      while (System.currentTimeMillis() <= committed + 1) {
        Thread.onSpinWait(); // until the last change is older than the limit
      }
      assertThat(aged.maintenance().successful()).isTrue();
      assertThat(aged.changes().oldest()).isEqualTo(4);
      assertThat(aged.changes().head()).isEqualTo(3);
      assertThatThrownBy(() -> aged.changes().read(1, 1))
          .isInstanceOfSatisfying(HistoryTruncatedException.class,
              e -> assertThat(e.oldestAvailable()).isEqualTo(4));
      assertThat(aged.changes().read(3, 1)).isEmpty();
      aged.putBytes("a", "again", new byte[] {1});
      assertThat(aged.changes().read(3, 1)).extracting(Change::position).containsExactly(4L);
    }

    @Test
    @DisplayName("poll waits for the next commit and returns it")
    void pollFollowsCommits() throws Exception {
      withFeed(ChangeFeedRetention.defaults());
      storage.putBytes("a", "first", new byte[] {1});
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<List<Change>> waiting = pool.submit(
            () -> storage.changes().poll(1, 10, java.time.Duration.ofMinutes(5)));
        storage.putBytes("a", "second", new byte[] {2});
        assertThat(waiting.get(300, TimeUnit.SECONDS)).extracting(Change::key)
            .containsExactly("second");
      } finally {
        pool.shutdownNow();
      }
      assertThat(storage.changes().poll(2, 10, java.time.Duration.ZERO)).isEmpty();
    }
  }

  /** One read of a present key through each of the read methods in turn, as bytes. */
  private byte[] readAnyWay(int turn, String collection, String key) {
    switch (turn % 3) {
      case 0:
        return storage.getBytes(collection, key).orElseThrow();
      case 1:
        return storage.getValue(collection, key).orElseThrow().toByteArray();
      default:
        ByteBuffer b = storage.getBuffer(collection, key).orElseThrow();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
  }

  /**
   * The store the current test runs against (for subclasses that add tests).
   *
   * @return the open store of the current test
   */
  protected final Storage storage() {
    return storage;
  }
}
