package dev.cairn.conformance;

import static dev.cairn.conformance.KitSupport.bytes;
import static dev.cairn.conformance.KitSupport.hex;
import static dev.cairn.conformance.KitSupport.inRange;
import static dev.cairn.conformance.KitSupport.prefixUpperBound;
import static dev.cairn.conformance.KitSupport.randomBytes;
import static dev.cairn.conformance.KitSupport.seedNote;
import static dev.cairn.conformance.KitSupport.startsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Capability;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit for {@link BackendProvider}s: every semantic rule of the
 * {@link Backend} / {@link BackendTransaction} SPI as a test.
 *
 * <p>Subclass it in your backend's test sources and return your provider:
 *
 * <pre>{@code
 * final class MyBackendConformanceTest extends BackendConformanceKit {
 *   @Override
 *   protected BackendProvider provider() {
 *     return new MyBackendProvider();
 *   }
 * }
 * }</pre>
 *
 * <p>Tests that need a {@link Capability} the provider does not declare (for example
 * {@link Capability#DURABLE} for reopen tests) are skipped with a JUnit assumption whose message
 * names the capability; they are reported as skipped, never as passed.
 *
 * <p>Random data is seeded; the seed is in every failure message and can be fixed with
 * {@code -Dcairn.conformance.seed=...}.
 */
@org.junit.jupiter.api.extension.ExtendWith(NamesKitRun.class)
public abstract class BackendConformanceKit {

  /** For subclasses, which supply the backend provider under test ({@link #provider()}). */
  protected BackendConformanceKit() {}

  /** The first keyspace the kit opens backends with. */
  protected static final String KS_A = "alpha";
  /** The second keyspace the kit opens backends with. */
  protected static final String KS_B = "beta";
  /** Every keyspace the kit opens backends with. */
  protected static final Set<String> KEYSPACES = Set.of(KS_A, KS_B);

  private static final byte[] V1 = bytes(1);
  private static final byte[] V2 = bytes(2, 2);

  @TempDir Path tempDir;

  private final List<Backend> opened = new ArrayList<>();
  private Backend backend;
  private BackendProvider provider;

  /**
   * The backend provider under test. Called once per test.
   *
   * @return the provider whose backends the kit opens
   */
  protected abstract BackendProvider provider();

  /**
   * Options passed in every {@link BackendConfig} the kit opens (default none).
   *
   * @return backend option keys and values; none by default
   */
  protected Map<String, String> options() {
    return Map.of();
  }

  @BeforeEach
  void openBackend() {
    provider = provider();
    backend = open(tempDir.resolve("store"));
  }

  @AfterEach
  void closeBackends() {
    RuntimeException first = null;
    for (Backend b : opened) {
      try {
        b.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    opened.clear();
    if (first != null) {
      throw first;
    }
  }

  /** Opens (and tracks for closing) a backend of the provider in {@code dir}. */
  private Backend open(Path dir) {
    Backend b = provider.open(new BackendConfig(dir, KEYSPACES, options()));
    assertThat(b).as("%s.open returned null", provider.name()).isNotNull();
    opened.add(b);
    return b;
  }

  private void require(Capability c) {
    KitSupport.requireCapability("backend " + provider.name(), provider.capabilities(), c);
  }

  private Random random() {
    return new Random(KitSupport.SEED);
  }

  private void write(Consumer<BackendTransaction> work) {
    write(backend, work);
  }

  private static void write(Backend b, Consumer<BackendTransaction> work) {
    try (BackendTransaction tx = b.beginWrite()) {
      work.accept(tx);
      tx.commit(Durability.SYNC);
    }
  }

  private byte[] read(String keyspace, byte[] key) {
    return read(backend, keyspace, key);
  }

  private static byte[] read(Backend b, String keyspace, byte[] key) {
    try (BackendTransaction tx = b.beginRead()) {
      return tx.get(keyspace, key);
    }
  }

  private static List<byte[]> scanKeys(
      BackendTransaction tx, String keyspace, byte[] from, byte[] to) {
    return keysOf(tx.scan(keyspace, from, to));
  }

  private static List<byte[]> scanKeysDescending(
      BackendTransaction tx, String keyspace, byte[] from, byte[] to) {
    return keysOf(tx.scanDescending(keyspace, from, to));
  }

  /** Every key {@code cursor} returns, in its order; closes it. */
  private static List<byte[]> keysOf(BackendCursor cursor) {
    List<byte[]> keys = new ArrayList<>();
    try (BackendCursor c = cursor) {
      while (c.next()) {
        keys.add(c.key());
      }
    }
    return keys;
  }

  private List<byte[]> scanKeys(String keyspace, byte[] from, byte[] to) {
    try (BackendTransaction tx = backend.beginRead()) {
      return scanKeys(tx, keyspace, from, to);
    }
  }

  private List<byte[]> scanKeysDescending(String keyspace, byte[] from, byte[] to) {
    try (BackendTransaction tx = backend.beginRead()) {
      return scanKeysDescending(tx, keyspace, from, to);
    }
  }

  /** Writes {@code n} random keys of 1 to 4 bytes (so ranges often meet a key); the distinct ones. */
  private List<byte[]> writeRandomShortKeys(Random rnd, int n) {
    Map<String, byte[]> keys = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      byte[] k = randomBytes(rnd, 1 + rnd.nextInt(4));
      keys.put(hex(k), k);
    }
    write(tx -> keys.values().forEach(k -> tx.put(KS_A, k, V1)));
    return List.copyOf(keys.values());
  }

  /**
   * The {@code i}th random range over {@code keys}: every third one runs from one written key to
   * another (so bounds equal to keys are tried in every run, whatever the seed; random bytes
   * rarely hit a key), the others between random bounds, each open one time in {@code openOneIn}.
   */
  private static byte[][] randomRange(Random rnd, List<byte[]> keys, int i, int openOneIn) {
    if (i % 3 == 0) {
      byte[] a = keys.get(rnd.nextInt(keys.size()));
      byte[] b = keys.get(rnd.nextInt(keys.size()));
      return Arrays.compareUnsigned(a, b) <= 0
          ? new byte[][] {a.clone(), b.clone()} : new byte[][] {b.clone(), a.clone()};
    }
    byte[] from = rnd.nextInt(openOneIn) == 0 ? null : randomBytes(rnd, 1 + rnd.nextInt(3));
    byte[] to = rnd.nextInt(openOneIn) == 0 ? null : randomBytes(rnd, 1 + rnd.nextInt(3));
    return new byte[][] {from, to};
  }

  /** Keys around 0xFF and 0x00 bytes, where prefix ends and bounds are easy to get wrong. */
  private static final List<byte[]> FF_KEYS = List.of(
      bytes(0x01), bytes(0x01, 0xFE), bytes(0x01, 0xFE, 0xFF), bytes(0x01, 0xFF),
      bytes(0x01, 0xFF, 0x00), bytes(0x01, 0xFF, 0xFF), bytes(0x01, 0xFF, 0xFF, 0xFF, 0x07),
      bytes(0x02), bytes(0x02, 0x00), bytes(0xFE, 0xFF), bytes(0xFF), bytes(0xFF, 0x00),
      bytes(0xFF, 0xFF), bytes(0xFF, 0xFF, 0x00), bytes(0xFF, 0xFF, 0xFF, 0xFF));

  /** Asserts a descending scan of {@code [from, to)} against the keys written, reversed. */
  private void assertDescending(List<byte[]> written, byte[] from, byte[] to) {
    List<byte[]> expected = new ArrayList<>(
        sortedUnsigned(written.stream().filter(k -> inRange(k, from, to)).toList()));
    java.util.Collections.reverse(expected);
    assertScan(scanKeysDescending(KS_A, from, to), expected,
        "descending scan [" + hex(from) + ", " + hex(to) + ") (greatest key first)");
  }

  /** Asserts a scan result: exact order with ORDERED_SCAN, same set otherwise. */
  private void assertScan(List<byte[]> actual, List<byte[]> expectedSorted, String what) {
    List<String> act = actual.stream().map(KitSupport::hex).toList();
    List<String> exp = expectedSorted.stream().map(KitSupport::hex).toList();
    if (provider.capabilities().contains(Capability.ORDERED_SCAN)) {
      assertThat(act).as("%s (in unsigned byte order); %s", what, seedNote())
          .containsExactlyElementsOf(exp);
    } else {
      assertThat(act).as("%s; %s", what, seedNote()).containsExactlyInAnyOrderElementsOf(exp);
    }
  }

  private static List<byte[]> sortedUnsigned(List<byte[]> keys) {
    List<byte[]> s = new ArrayList<>(keys);
    s.sort(Arrays::compareUnsigned);
    return s;
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static long toLong(byte[] b) {
    return ByteBuffer.wrap(b).getLong();
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("CRUD")
  class Crud {

    @Test
    @DisplayName("get of an absent key returns null")
    void getOfAbsentKeyReturnsNull() {
      assertThat(read(KS_A, bytes(1, 2, 3))).isNull();
      write(tx -> assertThat(tx.get(KS_A, bytes(1, 2, 3))).isNull());
    }

    @Test
    @DisplayName("a committed put is read back by a later read transaction")
    void putThenGetReturnsValue() {
      write(tx -> tx.put(KS_A, bytes(7), bytes(1, 2, 3)));
      assertThat(read(KS_A, bytes(7))).containsExactly(1, 2, 3);
    }

    @Test
    @DisplayName("a write transaction reads its own uncommitted writes")
    void writeTransactionSeesItsOwnWrites() {
      try (BackendTransaction tx = backend.beginWrite()) {
        assertThat(tx.readOnly()).as("readOnly() of a write transaction").isFalse();
        tx.put(KS_A, bytes(1), V1);
        assertThat(tx.get(KS_A, bytes(1))).isEqualTo(V1);
        tx.delete(KS_A, bytes(1));
        assertThat(tx.get(KS_A, bytes(1))).isNull();
        tx.put(KS_A, bytes(2), V2);
        assertThat(scanKeys(tx, KS_A, null, null)).extracting(KitSupport::hex)
            .containsExactly(hex(bytes(2)));
        tx.commit(Durability.SYNC);
      }
    }

    @Test
    @DisplayName("put replaces the previous value")
    void overwriteReplacesValue() {
      write(tx -> tx.put(KS_A, bytes(7), V1));
      write(tx -> tx.put(KS_A, bytes(7), V2));
      assertThat(read(KS_A, bytes(7))).isEqualTo(V2);
      write(tx -> {
        tx.put(KS_A, bytes(8), V1);
        tx.put(KS_A, bytes(8), V2);
      });
      assertThat(read(KS_A, bytes(8))).isEqualTo(V2);
    }

    @Test
    @DisplayName("putIfAbsent inserts an absent key and returns a present key's value unchanged")
    void putIfAbsentInsertsOnlyAbsentKeys() {
      write(tx -> {
        assertThat(tx.putIfAbsent(KS_A, bytes(7), V1)).as("insert of an absent key").isNull();
        assertThat(tx.get(KS_A, bytes(7))).as("the transaction's own insert").isEqualTo(V1);
        assertThat(tx.putIfAbsent(KS_A, bytes(7), V2)).as("the key it just inserted")
            .isEqualTo(V1);
        assertThat(tx.putIfAbsent(KS_A, bytes(5), new byte[0])).as("a zero-length value")
            .isNull();
        assertThat(tx.putIfAbsent(KS_A, bytes(5), V1)).as("a key holding a zero-length value")
            .isEmpty();
      });
      assertThat(read(KS_A, bytes(7))).isEqualTo(V1);
      assertThat(read(KS_A, bytes(5))).isEmpty();
      write(tx -> {
        assertThat(tx.putIfAbsent(KS_A, bytes(7), V2)).as("a committed key").isEqualTo(V1);
        assertThat(tx.get(KS_A, bytes(7))).as("left unchanged").isEqualTo(V1);
        tx.delete(KS_A, bytes(7));
        assertThat(tx.putIfAbsent(KS_A, bytes(7), V2)).as("a key deleted in the transaction")
            .isNull();
        assertThat(tx.putIfAbsent(KS_B, bytes(7), V1)).as("the key in another keyspace")
            .isNull();
      });
      assertThat(read(KS_A, bytes(7))).isEqualTo(V2);
      assertThat(read(KS_B, bytes(7))).isEqualTo(V1);
      try (BackendTransaction tx = backend.beginWrite()) {
        assertThat(tx.putIfAbsent(KS_A, bytes(9), V1)).isNull();
        tx.rollback();
      }
      assertThat(read(KS_A, bytes(9))).as("an insert rolled back").isNull();
    }

    @Test
    @DisplayName("delete returns whether the key existed and removes it")
    void deleteReturnsWhetherKeyExisted() {
      write(tx -> tx.put(KS_A, bytes(7), V1));
      write(tx -> {
        assertThat(tx.delete(KS_A, bytes(7))).as("delete of a present key").isTrue();
        assertThat(tx.delete(KS_A, bytes(7))).as("second delete in the same transaction")
            .isFalse();
      });
      write(tx -> assertThat(tx.delete(KS_A, bytes(7))).as("delete of an absent key").isFalse());
      assertThat(read(KS_A, bytes(7))).isNull();
    }

    @Test
    @DisplayName("a zero-length value is stored and is distinct from an absent key")
    void zeroLengthValueIsStored() {
      write(tx -> tx.put(KS_A, bytes(5), new byte[0]));
      assertThat(read(KS_A, bytes(5))).isNotNull().isEmpty();
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.count(KS_A, null, null)).isEqualTo(1);
      }
    }

    @Test
    @DisplayName("values of several MiB round trip byte for byte")
    void largeValuesRoundTrip() {
      Random rnd = random();
      byte[] big = randomBytes(rnd, 6 << 20);
      byte[] big2 = randomBytes(rnd, (3 << 20) + 17);
      write(tx -> {
        tx.put(KS_A, bytes(1), big);
        tx.put(KS_B, bytes(1), big2);
      });
      assertThat(Arrays.equals(read(KS_A, bytes(1)), big)).as("6 MiB value; %s", seedNote())
          .isTrue();
      assertThat(Arrays.equals(read(KS_B, bytes(1)), big2)).as("3 MiB value; %s", seedNote())
          .isTrue();
    }

    @Test
    @DisplayName("keys of 1 to 321 arbitrary bytes (0x00 and 0xFF included) round trip")
    void keysOfEveryLengthRoundTrip() {
      Random rnd = random();
      Map<String, byte[]> keys = new TreeMap<>();
      List<byte[]> all = new ArrayList<>();
      for (int len = 1; len <= 321; len++) {
        byte[] k = randomBytes(rnd, len);
        k[0] = (byte) (len % 3 == 0 ? 0x00 : len % 3 == 1 ? 0xFF : k[0]);
        k[len - 1] = (byte) (len % 2 == 0 ? 0x00 : 0xFF);
        all.add(k);
      }
      // edge keys: all zero, all 0xFF, of a few lengths
      for (int len : new int[] {1, 2, 3, 64, 321}) {
        all.add(new byte[len]);
        byte[] ff = new byte[len];
        Arrays.fill(ff, (byte) 0xFF);
        all.add(ff);
      }
      for (byte[] k : all) {
        keys.put(hex(k), k);
      }
      write(tx -> keys.values().forEach(k -> tx.put(KS_A, k, k)));
      try (BackendTransaction tx = backend.beginRead()) {
        for (byte[] k : keys.values()) {
          assertThat(tx.get(KS_A, k)).as("key %s; %s", hex(k), seedNote()).isEqualTo(k);
        }
        assertThat(tx.count(KS_A, null, null)).as("distinct keys; %s", seedNote())
            .isEqualTo(keys.size());
      }
      assertScan(scanKeys(KS_A, null, null), sortedUnsigned(List.copyOf(keys.values())),
          "full scan of keys 1..321 bytes");
    }

    @Test
    @DisplayName("keys differing only by trailing 0x00 or 0xFF bytes are distinct")
    void keysDifferingInTrailingBytesAreDistinct() {
      List<byte[]> keys = List.of(bytes(0), bytes(0, 0), bytes(0, 0, 0), bytes(0xFF),
          bytes(0xFF, 0xFF), bytes(1), bytes(1, 0), bytes(1, 0xFF));
      write(tx -> {
        for (int i = 0; i < keys.size(); i++) {
          tx.put(KS_A, keys.get(i), bytes(i));
        }
      });
      for (int i = 0; i < keys.size(); i++) {
        assertThat(read(KS_A, keys.get(i))).as("key %s", hex(keys.get(i))).containsExactly(i);
      }
    }

    @Test
    @DisplayName("keyspaces are independent")
    void keyspacesAreIndependent() {
      write(tx -> {
        tx.put(KS_A, bytes(1), V1);
        tx.put(KS_B, bytes(1), V2);
      });
      assertThat(read(KS_A, bytes(1))).isEqualTo(V1);
      assertThat(read(KS_B, bytes(1))).isEqualTo(V2);
      write(tx -> tx.delete(KS_A, bytes(1)));
      assertThat(read(KS_A, bytes(1))).isNull();
      assertThat(read(KS_B, bytes(1))).isEqualTo(V2);
    }

    @Test
    @DisplayName("arrays returned by get and by cursors belong to the caller")
    void returnedArraysBelongToTheCaller() {
      write(tx -> tx.put(KS_A, bytes(1), bytes(10, 20)));
      byte[] got = read(KS_A, bytes(1));
      got[0] = 99;
      assertThat(read(KS_A, bytes(1))).containsExactly(10, 20);
      try (BackendTransaction tx = backend.beginRead();
          BackendCursor c = tx.scan(KS_A, null, null)) {
        assertThat(c.next()).isTrue();
        byte[] k = c.key();
        byte[] v = c.value();
        k[0] = 42;
        v[0] = 42;
        assertThat(c.key()).containsExactly(1);
        assertThat(c.value()).containsExactly(10, 20);
        assertThat(c.next()).isFalse();
      }
      assertThat(read(KS_A, bytes(1))).containsExactly(10, 20);
    }

    @Test
    @DisplayName("read and Backend.readLatest hand the reader exactly the value; absent: null,"
        + " reader not called")
    void readersSeeExactlyTheValue() {
      byte[] big = new byte[70_000]; // beyond a page: LMDB keeps it on overflow pages
      random().nextBytes(big);
      write(tx -> {
        tx.put(KS_A, bytes(1), V1);
        tx.put(KS_A, bytes(2), new byte[0]);
        tx.put(KS_A, bytes(3), big);
        tx.put(KS_B, bytes(4), V2);
      });
      AtomicInteger calls = new AtomicInteger();
      Function<ByteBuffer, byte[]> copy = v -> {
        calls.incrementAndGet();
        return bytesOf(v);
      };
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.read(KS_A, bytes(1), copy)).as("read").isEqualTo(V1);
        assertThat(tx.read(KS_A, bytes(2), copy)).as("read, empty value").isEmpty();
        assertThat(tx.read(KS_A, bytes(3), copy)).as("read, large value").isEqualTo(big);
        assertThat(tx.read(KS_A, bytes(4), copy)).as("read, key of another keyspace").isNull();
      }
      assertThat(calls.getAndSet(0)).as("reader calls of read").isEqualTo(3);
      assertThat(backend.readLatest(KS_A, bytes(1), copy)).as("readLatest").isEqualTo(V1);
      assertThat(backend.readLatest(KS_A, bytes(2), copy)).as("readLatest, empty").isEmpty();
      assertThat(backend.readLatest(KS_A, bytes(3), copy)).as("readLatest, large").isEqualTo(big);
      assertThat(backend.readLatest(KS_A, bytes(4), copy)).as("readLatest, other keyspace")
          .isNull();
      assertThat(backend.readLatest(KS_B, bytes(4), copy)).isEqualTo(V2);
      assertThat(calls.get()).as("reader calls of readLatest").isEqualTo(4);
      write(tx -> tx.put(KS_A, bytes(1), V2));
      assertThat(backend.readLatest(KS_A, bytes(1), copy)).as("after a commit").isEqualTo(V2);
      write(tx -> tx.delete(KS_A, bytes(1)));
      assertThat(backend.readLatest(KS_A, bytes(1), copy)).as("after a delete").isNull();
      assertThatThrownBy(() -> backend.readLatest("no-such-keyspace", bytes(1), copy))
          .as("unknown keyspace").isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> backend.readLatest(null, bytes(1), copy))
          .as("null keyspace").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("Backend.readLatest lets a reader's exception through and releases what it held")
    void readLatestReleasesOnReaderFailure() {
      write(tx -> tx.put(KS_A, bytes(1), V1));
      // more failures than any pool of per-thread resources (LMDB's read slots) has entries
      for (int i = 0; i < 300; i++) {
        assertThatThrownBy(() -> backend.readLatest(KS_A, bytes(1), v -> {
          throw new IllegalStateException("reader failed");
        })).hasMessage("reader failed");
      }
      assertThat(backend.readLatest(KS_A, bytes(1), BackendConformanceKit::bytesOf))
          .isEqualTo(V1);
      write(tx -> tx.put(KS_A, bytes(2), V2)); // the writer is not held up by a leaked reader
      assertThat(read(KS_A, bytes(2))).isEqualTo(V2);
      assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), backend::close,
          "close() waits for a read the failed reader left behind");
    }
  }

  @Nested
  @DisplayName("values written in two parts")
  class TwoPartValues {

    private final byte[] head = bytes(1, 2, 3);
    private final byte[] body = bytes(4, 5, 6, 7);
    private final byte[] whole = bytes(1, 2, 3, 4, 5, 6, 7);

    /** The value a parts reader was handed, put back together. */
    private byte[] joined(ByteBuffer h, byte[] b) {
      byte[] first = bytesOf(h);
      if (b == null) {
        return first;
      }
      byte[] v = Arrays.copyOf(first, first.length + b.length);
      System.arraycopy(b, 0, v, first.length, b.length);
      return v;
    }

    /** Every way of reading {@code key} of {@link #KS_A}, each as the whole value (or null). */
    private List<byte[]> everyRead(byte[] key) {
      List<byte[]> seen = new ArrayList<>();
      try (BackendTransaction tx = backend.beginRead()) {
        seen.add(tx.get(KS_A, key));
        seen.add(tx.read(KS_A, key, BackendConformanceKit::bytesOf));
        seen.add(tx.readParts(KS_A, key, this::joined));
        try (BackendCursor c = tx.scan(KS_A, key, null)) {
          seen.add(c.next() && Arrays.equals(c.key(), key) ? c.value() : null);
        }
        List<byte[]> walked = new ArrayList<>();
        try (BackendCursor c = tx.scan(KS_A, key, null)) {
          c.forEach((k, v) -> walked.add(Arrays.equals(bytesOf(k), key) ? bytesOf(v) : null)
              && false); // the first entry only
        }
        seen.add(walked.isEmpty() ? null : walked.get(0));
        List<byte[]> parts = new ArrayList<>();
        try (BackendCursor c = tx.scan(KS_A, key, null)) {
          c.forEachParts((k, h, b) -> parts.add(Arrays.equals(bytesOf(k), key)
              ? joined(h, b) : null) && false);
        }
        seen.add(parts.isEmpty() ? null : parts.get(0));
        List<byte[]> reversed = new ArrayList<>();
        try (BackendCursor c = tx.scanDescending(KS_A, null, nextKey(key))) {
          c.forEachParts((k, h, b) -> reversed.add(Arrays.equals(bytesOf(k), key)
              ? joined(h, b) : null) && false);
        }
        seen.add(reversed.isEmpty() ? null : reversed.get(0));
      }
      seen.add(backend.readLatest(KS_A, key, BackendConformanceKit::bytesOf));
      seen.add(backend.readLatestParts(KS_A, key, this::joined));
      return seen;
    }

    /** The least key after {@code key} (a range's exclusive bound that holds it). */
    private byte[] nextKey(byte[] key) {
      return Arrays.copyOf(key, key.length + 1);
    }

    private void assertEveryRead(byte[] key, byte[] expected, String what) {
      List<byte[]> seen = everyRead(key);
      for (int i = 0; i < seen.size(); i++) {
        assertThat(seen.get(i)).as("%s, read %d of get, read, readParts, scan value(), forEach,"
            + " forEachParts, descending forEachParts, readLatest, readLatestParts", what, i)
            .isEqualTo(expected);
      }
    }

    @Test
    @DisplayName("a value put in two parts is their concatenation to every read, whole or in parts")
    void aValuePutInTwoPartsReadsBackWhole() {
      byte[] big = new byte[70_000];
      random().nextBytes(big);
      write(tx -> {
        tx.put(KS_A, bytes(1), head, body);
        tx.put(KS_A, bytes(2), head, new byte[0]);
        tx.put(KS_A, bytes(3), new byte[0], body);
        tx.put(KS_A, bytes(4), head, big);
      });
      assertEveryRead(bytes(1), whole, "head and body");
      assertEveryRead(bytes(2), head, "an empty body");
      assertEveryRead(bytes(3), body, "an empty head");
      byte[] bigWhole = Arrays.copyOf(head, head.length + big.length);
      System.arraycopy(big, 0, bigWhole, head.length, big.length);
      assertEveryRead(bytes(4), bigWhole, "a large body");
      assertEveryRead(bytes(5), null, "an absent key");
      try (BackendTransaction tx = backend.beginWrite()) {
        assertThat(tx.readParts(KS_A, bytes(1), this::joined))
            .as("a write transaction's readParts").isEqualTo(whole);
        tx.put(KS_A, bytes(6), head, body);
        assertThat(tx.get(KS_A, bytes(6))).as("its own write").isEqualTo(whole);
        assertThat(tx.readParts(KS_A, bytes(6), this::joined)).as("its own write, in parts")
            .isEqualTo(whole);
        tx.rollback();
      }
      assertEveryRead(bytes(6), null, "a two-part put rolled back");
    }

    @Test
    @DisplayName("a whole put replaces a two-part value entirely, and a two-part put a whole one")
    void putsInOneOrTwoPartsReplaceEachOther() {
      write(tx -> tx.put(KS_A, bytes(1), head, body));
      write(tx -> tx.put(KS_A, bytes(1), V1));
      assertEveryRead(bytes(1), V1, "a whole value over a two-part one");
      write(tx -> tx.put(KS_A, bytes(1), body, head));
      byte[] swapped = bytes(4, 5, 6, 7, 1, 2, 3);
      assertEveryRead(bytes(1), swapped, "a two-part value over a whole one");
      write(tx -> tx.put(KS_A, bytes(1), whole, new byte[0]));
      assertEveryRead(bytes(1), whole, "a two-part value with an empty body over another");
      write(tx -> tx.delete(KS_A, bytes(1)));
      assertEveryRead(bytes(1), null, "deleted");
    }

    @Test
    @DisplayName("putIfAbsent in two parts inserts an absent key and returns a present value whole")
    void putIfAbsentInTwoParts() {
      try (BackendTransaction tx = backend.beginWrite()) {
        assertThat(tx.putIfAbsent(KS_A, bytes(1), head, body)).as("absent").isNull();
        assertThat(tx.putIfAbsent(KS_A, bytes(1), V1, V2)).as("the key it just inserted")
            .isEqualTo(whole);
        tx.put(KS_A, bytes(2), V1);
        assertThat(tx.putIfAbsent(KS_A, bytes(2), head, body)).as("a key put whole")
            .isEqualTo(V1);
        tx.commit(Durability.SYNC);
      }
      assertEveryRead(bytes(1), whole, "inserted in two parts");
      assertEveryRead(bytes(2), V1, "left as it was");
    }

    @Test
    @DisplayName("the parts written stay the caller's, and a body handed over is the reader's")
    void partsBelongToTheirCaller() {
      byte[] h = head.clone();
      byte[] b = body.clone();
      write(tx -> {
        tx.put(KS_A, bytes(1), h, b);
        h[0] = 42;
        b[0] = 42;
      });
      assertEveryRead(bytes(1), whole, "after the caller changed its arrays");
      try (BackendTransaction tx = backend.beginRead()) {
        tx.readParts(KS_A, bytes(1), (v, got) -> {
          if (got != null) {
            Arrays.fill(got, (byte) 42);
          }
          return null;
        });
        try (BackendCursor c = tx.scan(KS_A, null, null)) {
          c.forEachParts((k, v, got) -> {
            if (got != null) {
              Arrays.fill(got, (byte) 42);
            }
            return true;
          });
        }
      }
      assertEveryRead(bytes(1), whole, "after readers changed the bodies they were handed");
    }

    @Test
    @DisplayName("a two-part put in a read-only transaction throws IllegalStateException")
    void twoPartWritesNeedAWriteTransaction() {
      try (BackendTransaction tx = backend.beginRead()) {
        assertThatThrownBy(() -> tx.put(KS_A, bytes(1), head, body))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tx.putIfAbsent(KS_A, bytes(1), head, body))
            .isInstanceOf(IllegalStateException.class);
      }
      assertEveryRead(bytes(1), null, "nothing written");
    }
  }

  /** The bytes between a buffer's position and limit, copied. */
  private static byte[] bytesOf(ByteBuffer v) {
    byte[] b = new byte[v.remaining()];
    v.get(v.position(), b);
    return b;
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("ordered scan")
  class Scan {

    @Test
    @DisplayName("forEach walks the range as next() and read() do, stops where the visitor says,"
        + " and next() goes on after that entry")
    void forEachWalksLikeNextAndRead() {
      walksLikeNext((c, visit) -> c.forEach((k, v) -> {
        long key = toLong(bytesOf(k));
        assertThat(toLong(bytesOf(v))).as("value of %d", key).isEqualTo(1000 + key);
        return visit.test(key);
      }));
    }

    @Test
    @DisplayName("forEachKey walks the range's keys as next() and key() do, stops where the"
        + " visitor says, and next() goes on after that entry")
    void forEachKeyWalksLikeNextAndKey() {
      walksLikeNext((c, visit) -> c.forEachKey(k -> visit.test(toLong(k))));
    }

    /**
     * A walk of a cursor ({@link BackendCursor#forEach} or {@link BackendCursor#forEachKey})
     * handing each entry's key to {@code visit}, which says whether to go on; returns what the
     * walk returns.
     */
    private interface Walk {
      boolean run(BackendCursor c, java.util.function.LongPredicate visit);
    }

    /**
     * Ascending and descending, in read transactions and in a write transaction with its own
     * writes: {@code walk} visits the range's entries in order, stops where the visitor says
     * (leaving the cursor on that entry), goes on after it, ends with the range, and visits
     * nothing of an empty range.
     */
    private void walksLikeNext(Walk walk) {
      require(Capability.ORDERED_SCAN);
      write(tx -> {
        for (int i = 0; i < 50; i++) {
          tx.put(KS_A, longBytes(i), longBytes(1000 + i));
        }
        tx.put(KS_B, longBytes(7), V1);
      });
      for (boolean descending : new boolean[] {false, true}) {
        try (BackendTransaction tx = backend.beginRead()) {
          // [5, 45): the visitor stops at the 10th entry; the walk then finishes the range
          byte[] from = longBytes(5);
          byte[] to = longBytes(45);
          List<Long> seen = new ArrayList<>();
          try (BackendCursor c = descending ? tx.scanDescending(KS_A, from, to)
              : tx.scan(KS_A, from, to)) {
            assertThat(walk.run(c, k -> {
              seen.add(k);
              return seen.size() < 10;
            })).as("stopped by the visitor").isTrue();
            assertThat(toLong(c.key())).as("the cursor stays on the entry the visitor stopped at")
                .isEqualTo(seen.get(9));
            assertThat(c.next()).isTrue();
            seen.add(toLong(c.key()));
            assertThat(walk.run(c, seen::add)).as("range ended").isFalse();
            assertThat(c.next()).as("next() after the end").isFalse();
            assertThat(walk.run(c, k -> true)).as("a walk after the end").isFalse();
          }
          List<Long> expected = new ArrayList<>();
          for (long i = 5; i < 45; i++) {
            expected.add(i);
          }
          if (descending) {
            java.util.Collections.reverse(expected);
          }
          assertThat(seen).as(descending ? "descending" : "ascending").isEqualTo(expected);
        }
      }
      write(tx -> {
        // in a write transaction too, its own writes included
        tx.put(KS_A, longBytes(100), longBytes(1100));
        List<Long> all = new ArrayList<>();
        try (BackendCursor c = tx.scan(KS_A, longBytes(48), null)) {
          assertThat(walk.run(c, all::add)).isFalse();
        }
        assertThat(all).containsExactly(48L, 49L, 100L);
      });
      try (BackendTransaction tx = backend.beginRead();
          BackendCursor c = tx.scan(KS_A, longBytes(60), longBytes(70))) {
        assertThat(walk.run(c, k -> {
          throw new AssertionError("visited an entry of an empty range");
        })).isFalse();
      }
    }

    @Test
    @DisplayName("a full scan returns random keys in unsigned byte (memcmp) order")
    void scanReturnsKeysInUnsignedOrder() {
      require(Capability.ORDERED_SCAN);
      Random rnd = random();
      Map<String, byte[]> keys = new TreeMap<>();
      for (int i = 0; i < 600; i++) {
        byte[] k = randomBytes(rnd, 1 + rnd.nextInt(24));
        keys.put(hex(k), k);
      }
      write(tx -> keys.values().forEach(k -> tx.put(KS_A, k, Arrays.copyOf(k, k.length + 1))));
      List<byte[]> expected = sortedUnsigned(List.copyOf(keys.values()));
      try (BackendTransaction tx = backend.beginRead();
          BackendCursor c = tx.scan(KS_A, null, null)) {
        for (byte[] k : expected) {
          assertThat(c.next()).as("cursor ended before %s; %s", hex(k), seedNote()).isTrue();
          assertThat(hex(c.key())).as(seedNote()).isEqualTo(hex(k));
          assertThat(c.value()).as("value of %s; %s", hex(k), seedNote())
              .isEqualTo(Arrays.copyOf(k, k.length + 1));
        }
        assertThat(c.next()).as("cursor has more keys than were written; %s", seedNote())
            .isFalse();
        assertThat(c.next()).as("next() after the end").isFalse();
      }
    }

    @Test
    @DisplayName("the lower bound is inclusive and the upper bound exclusive")
    void boundsAreInclusiveAndExclusive() {
      List<byte[]> keys = List.of(bytes(1), bytes(2), bytes(2, 0), bytes(3), bytes(4));
      write(tx -> keys.forEach(k -> tx.put(KS_A, k, V1)));
      assertScan(scanKeys(KS_A, bytes(2), bytes(4)), List.of(bytes(2), bytes(2, 0), bytes(3)),
          "scan [02, 04)");
      assertScan(scanKeys(KS_A, bytes(2, 0), bytes(3)), List.of(bytes(2, 0)), "scan [0200, 03)");
      assertScan(scanKeys(KS_A, bytes(1, 0), bytes(2, 0)), List.of(bytes(2)),
          "scan [0100, 0200)");
      assertScan(scanKeys(KS_A, bytes(0), bytes(1)), List.of(), "scan [00, 01)");
    }

    @Test
    @DisplayName("null bounds are open")
    void nullBoundsAreOpen() {
      List<byte[]> keys = List.of(bytes(0), bytes(1), bytes(0x80), bytes(0xFF, 0xFF));
      write(tx -> keys.forEach(k -> tx.put(KS_A, k, V1)));
      assertScan(scanKeys(KS_A, null, null), keys, "scan (null, null)");
      assertScan(scanKeys(KS_A, bytes(1), null), keys.subList(1, 4), "scan [01, null)");
      assertScan(scanKeys(KS_A, null, bytes(0x80)), keys.subList(0, 2), "scan (null, 80)");
    }

    @Test
    @DisplayName("bytes compare unsigned: 0x80..0xFF sort after 0x00..0x7F")
    void bytesCompareUnsigned() {
      List<byte[]> keys = List.of(bytes(0x01), bytes(0x7F), bytes(0x80), bytes(0xFE));
      write(tx -> keys.forEach(k -> tx.put(KS_A, k, V1)));
      assertScan(scanKeys(KS_A, bytes(0x7F), bytes(0xFF)), keys.subList(1, 4),
          "scan [7F, FF)");
      assertScan(scanKeys(KS_A, bytes(0x80), null), keys.subList(2, 4), "scan [80, null)");
    }

    @Test
    @DisplayName("prefix ranges whose prefix ends in 0xFF bytes hold exactly the prefixed keys")
    void prefixRangesEndingInFfBytes() {
      List<byte[]> keys = FF_KEYS;
      write(tx -> keys.forEach(k -> tx.put(KS_A, k, k)));
      List<byte[]> prefixes = List.of(bytes(0x01), bytes(0x01, 0xFF), bytes(0x01, 0xFF, 0xFF),
          bytes(0x01, 0xFE), bytes(0xFE), bytes(0xFF), bytes(0xFF, 0xFF), bytes(0x00));
      for (byte[] prefix : prefixes) {
        byte[] upper = prefixUpperBound(prefix);
        List<byte[]> expected =
            sortedUnsigned(keys.stream().filter(k -> startsWith(k, prefix)).toList());
        assertScan(scanKeys(KS_A, prefix, upper), expected,
            "prefix " + hex(prefix) + " scanned as [" + hex(prefix) + ", " + hex(upper) + ")");
        try (BackendTransaction tx = backend.beginRead()) {
          assertThat(tx.count(KS_A, prefix, upper)).as("count of prefix %s", hex(prefix))
              .isEqualTo(expected.size());
        }
      }
    }

    @Test
    @DisplayName("an empty range returns nothing, even where a key equals the bound")
    void emptyRangeReturnsNothing() {
      write(tx -> tx.put(KS_A, bytes(5), V1));
      assertScan(scanKeys(KS_A, bytes(5), bytes(5)), List.of(), "scan [05, 05)");
      assertScan(scanKeys(KS_A, bytes(6), bytes(6, 0)), List.of(), "scan [06, 0600)");
      assertScan(scanKeys(KS_B, null, null), List.of(), "scan of an empty keyspace");
    }

    @Test
    @DisplayName("a range whose lower bound is above its upper bound returns nothing")
    void fromAboveToReturnsNothing() {
      write(tx -> {
        for (int i = 0; i < 10; i++) {
          tx.put(KS_A, bytes(i), V1);
        }
      });
      assertScan(scanKeys(KS_A, bytes(8), bytes(2)), List.of(), "scan [08, 02)");
      assertScan(scanKeys(KS_A, bytes(0xFF), bytes(0x01)), List.of(), "scan [FF, 01)");
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.count(KS_A, bytes(8), bytes(2))).isZero();
      }
    }

    @Test
    @DisplayName("random ranges over random keys return exactly the keys inside them")
    void randomRangesMatchAModel() {
      Random rnd = random();
      List<byte[]> all = writeRandomShortKeys(rnd, 300);
      for (int i = 0; i < 60; i++) {
        byte[][] r = randomRange(rnd, all, i, 8);
        byte[] from = r[0];
        byte[] to = r[1];
        List<byte[]> expected =
            sortedUnsigned(all.stream().filter(k -> inRange(k, from, to)).toList());
        assertScan(scanKeys(KS_A, from, to), expected,
            "scan [" + hex(from) + ", " + hex(to) + ")");
        try (BackendTransaction tx = backend.beginRead()) {
          assertThat(tx.count(KS_A, from, to))
              .as("count [%s, %s); %s", hex(from), hex(to), seedNote())
              .isEqualTo(expected.size());
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("descending scan")
  class DescendingScan {

    @Test
    @DisplayName("a full descending scan returns random keys and their values, greatest key first")
    void fullDescendingScanReturnsKeysInReverseUnsignedOrder() {
      Random rnd = random();
      Map<String, byte[]> keys = new TreeMap<>();
      for (int i = 0; i < 600; i++) {
        byte[] k = randomBytes(rnd, 1 + rnd.nextInt(24));
        keys.put(hex(k), k);
      }
      write(tx -> keys.values().forEach(k -> tx.put(KS_A, k, Arrays.copyOf(k, k.length + 1))));
      List<byte[]> expected = new ArrayList<>(sortedUnsigned(List.copyOf(keys.values())));
      java.util.Collections.reverse(expected);
      List<byte[]> seen = new ArrayList<>();
      try (BackendTransaction tx = backend.beginRead();
          BackendCursor c = tx.scanDescending(KS_A, null, null)) {
        while (c.next()) {
          byte[] k = c.key();
          assertThat(c.value()).as("value of %s; %s", hex(k), seedNote())
              .isEqualTo(Arrays.copyOf(k, k.length + 1));
          seen.add(k);
        }
        assertThat(c.next()).as("next() after the end").isFalse();
      }
      assertScan(seen, expected, "full descending scan of 600 random keys");
    }

    @Test
    @DisplayName("the lower bound is inclusive and the upper bound exclusive, null bounds open")
    void descendingBoundsAreInclusiveAndExclusive() {
      List<byte[]> keys = List.of(bytes(0), bytes(1), bytes(2), bytes(2, 0), bytes(3), bytes(4),
          bytes(0x80), bytes(0xFF, 0xFF));
      write(tx -> keys.forEach(k -> tx.put(KS_A, k, V1)));
      assertScan(scanKeysDescending(KS_A, bytes(2), bytes(4)),
          List.of(bytes(3), bytes(2, 0), bytes(2)), "descending scan [02, 04)");
      assertScan(scanKeysDescending(KS_A, bytes(2, 0), bytes(3)), List.of(bytes(2, 0)),
          "descending scan [0200, 03)");
      assertScan(scanKeysDescending(KS_A, bytes(1, 0), bytes(2, 0)), List.of(bytes(2)),
          "descending scan [0100, 0200)");
      assertScan(scanKeysDescending(KS_A, bytes(4), bytes(0x80)), List.of(bytes(4)),
          "descending scan [04, 80)");
      for (byte[][] r : new byte[][][] {{null, null}, {bytes(1), null}, {null, bytes(0x80)},
          {null, bytes(0)}, {bytes(0xFF, 0xFF), null}, {bytes(0x7F), bytes(0xFF)}}) {
        assertDescending(keys, r[0], r[1]);
      }
    }

    @Test
    @DisplayName("an empty or inverted range returns nothing, even where a key equals the bound")
    void emptyDescendingRangeReturnsNothing() {
      write(tx -> {
        for (int i = 0; i < 10; i++) {
          tx.put(KS_A, bytes(i), V1);
        }
      });
      assertScan(scanKeysDescending(KS_A, bytes(5), bytes(5)), List.of(), "descending [05, 05)");
      assertScan(scanKeysDescending(KS_A, bytes(5, 0), bytes(5, 0, 0)), List.of(),
          "descending [0500, 050000)");
      assertScan(scanKeysDescending(KS_A, bytes(8), bytes(2)), List.of(), "descending [08, 02)");
      assertScan(scanKeysDescending(KS_A, null, bytes(0)), List.of(), "descending (null, 00)");
      assertScan(scanKeysDescending(KS_A, null, new byte[0]), List.of(),
          "descending (null, empty key)");
      assertScan(scanKeysDescending(KS_B, null, null), List.of(),
          "descending scan of an empty keyspace");
    }

    @Test
    @DisplayName("a single entry is returned once, by every range that holds it")
    void singleEntry() {
      write(tx -> tx.put(KS_A, bytes(7, 7), bytes(10, 20)));
      for (byte[][] r : new byte[][][] {{null, null}, {bytes(7, 7), null}, {null, bytes(7, 8)},
          {bytes(7), bytes(8)}, {bytes(7, 7), bytes(7, 7, 0)}}) {
        try (BackendTransaction tx = backend.beginRead();
            BackendCursor c = tx.scanDescending(KS_A, r[0], r[1])) {
          assertThat(c.next()).as("[%s, %s)", hex(r[0]), hex(r[1])).isTrue();
          byte[] k = c.key();
          byte[] v = c.value();
          k[0] = 42;
          v[0] = 42;
          assertThat(c.key()).as("the key array is the caller's").containsExactly(7, 7);
          assertThat(c.value()).as("the value array is the caller's").containsExactly(10, 20);
          assertThat(c.next()).as("[%s, %s) after its one entry", hex(r[0]), hex(r[1])).isFalse();
        }
      }
      assertScan(scanKeysDescending(KS_A, null, bytes(7, 7)), List.of(), "descending (null, 0707)");
      assertScan(scanKeysDescending(KS_A, bytes(7, 7, 0), null), List.of(),
          "descending [070700, null)");
    }

    @Test
    @DisplayName("keys and bounds with 0xFF and 0x00 bytes, and bounds longer than any key")
    void keysWithFfBytes() {
      List<byte[]> keys = new ArrayList<>(FF_KEYS);
      keys.add(bytes(0x00));
      write(tx -> keys.forEach(k -> tx.put(KS_A, k, k)));
      for (byte[] prefix : List.of(bytes(0x01), bytes(0x01, 0xFF), bytes(0x01, 0xFE), bytes(0xFE),
          bytes(0xFF), bytes(0xFF, 0xFF), bytes(0x00))) {
        assertDescending(keys, prefix, prefixUpperBound(prefix));
      }
      byte[] longFf = new byte[700];
      Arrays.fill(longFf, (byte) 0xFF);
      byte[] longAfter01 = Arrays.copyOf(bytes(0x01, 0xFF), 700); // 01 FF then 698 zero bytes
      for (byte[][] r : new byte[][][] {{null, longFf}, {longAfter01, longFf},
          {bytes(0x01), longAfter01}, {longAfter01, null}, {bytes(0xFF), bytes(0xFF, 0xFF)}}) {
        assertDescending(keys, r[0], r[1]);
      }
    }

    @Test
    @DisplayName("random ranges over random keys return exactly the keys inside them, reversed")
    void randomDescendingRangesMatchAModel() {
      Random rnd = random();
      List<byte[]> all = writeRandomShortKeys(rnd, 700);
      for (int i = 0; i < 60; i++) {
        byte[][] r = randomRange(rnd, all, i, 6);
        assertDescending(all, r[0], r[1]);
      }
    }

    @Test
    @DisplayName("a write transaction's descending scan sees its own puts and deletes")
    void descendingScanSeesOwnWrites() {
      write(tx -> {
        for (int i = 1; i <= 5; i++) {
          tx.put(KS_A, bytes(i), V1);
        }
      });
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put(KS_A, bytes(3, 0), V2);
        tx.put(KS_A, bytes(9), V2);
        tx.delete(KS_A, bytes(2));
        tx.delete(KS_A, bytes(5));
        assertThat(scanKeysDescending(tx, KS_A, null, null)).extracting(KitSupport::hex)
            .containsExactly(hex(bytes(9)), hex(bytes(4)), hex(bytes(3, 0)), hex(bytes(3)),
                hex(bytes(1)));
        assertThat(scanKeysDescending(tx, KS_A, bytes(2), bytes(4))).extracting(KitSupport::hex)
            .containsExactly(hex(bytes(3, 0)), hex(bytes(3)));
        tx.rollback();
      }
      assertThat(scanKeysDescending(KS_A, null, null)).extracting(KitSupport::hex)
          .as("after rollback").containsExactly(hex(bytes(5)), hex(bytes(4)), hex(bytes(3)),
              hex(bytes(2)), hex(bytes(1)));
    }

    @Test
    @DisplayName("a descending cursor ends with its transaction, read or write, and on close")
    void descendingCursorEndsWithItsTransaction() {
      write(tx -> {
        for (int i = 0; i < 5; i++) {
          tx.put(KS_A, bytes(i), V1);
        }
      });
      for (boolean writeTx : new boolean[] {false, true}) {
        BackendTransaction tx = writeTx ? backend.beginWrite() : backend.beginRead();
        BackendCursor c = tx.scanDescending(KS_A, null, null);
        assertThat(c.next()).isTrue();
        assertThat(c.key()).containsExactly(4);
        tx.close();
        assertThatThrownBy(c::next).as("next() after the %s transaction closed",
            writeTx ? "write" : "read").isInstanceOf(IllegalStateException.class);
        assertThatCode(c::close).as("closing the cursor afterwards").doesNotThrowAnyException();
      }
      try (BackendTransaction tx = backend.beginRead()) {
        BackendCursor c = tx.scanDescending(KS_A, bytes(1), bytes(4));
        assertThat(c.next()).isTrue();
        c.close();
        assertThatThrownBy(c::next).as("next() after close").isInstanceOf(IllegalStateException.class);
        assertThatCode(c::close).as("second close").doesNotThrowAnyException();
        assertThat(scanKeysDescending(tx, KS_A, bytes(1), bytes(4))).as("the transaction goes on")
            .hasSize(3);
      }
      BackendTransaction ended = backend.beginRead();
      ended.close();
      assertThatThrownBy(() -> ended.scanDescending(KS_A, null, null))
          .as("scanDescending on an ended transaction").isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("two thousand keys in reverse, whole and in part")
    void manyKeysInReverse() {
      write(tx -> {
        for (int i = 0; i < 2000; i++) {
          tx.put(KS_A, longBytes(i), longBytes(i));
        }
      });
      try (BackendTransaction tx = backend.beginRead()) {
        List<Long> all = scanKeysDescending(tx, KS_A, null, null).stream()
            .map(BackendConformanceKit::toLong).toList();
        List<Long> part = scanKeysDescending(tx, KS_A, longBytes(100), longBytes(1900)).stream()
            .map(BackendConformanceKit::toLong).toList();
        assertThat(all).hasSize(2000);
        assertThat(part).hasSize(1800);
        if (provider.capabilities().contains(Capability.ORDERED_SCAN)) {
          assertThat(all.get(0)).isEqualTo(1999);
          assertThat(all).isSortedAccordingTo(java.util.Comparator.reverseOrder());
          assertThat(part.get(0)).isEqualTo(1899);
          assertThat(part.get(1799)).isEqualTo(100);
          assertThat(part).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        }
        assertThat(part).doesNotHaveDuplicates().allMatch(n -> n >= 100 && n < 1900);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("count")
  class Count {

    @Test
    @DisplayName("count equals the number of keys in the range")
    void countMatchesContents() {
      write(tx -> {
        for (int i = 0; i < 250; i++) {
          tx.put(KS_A, bytes(i / 100, i % 100), V1);
        }
      });
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.count(KS_A, null, null)).isEqualTo(250);
        assertThat(tx.count(KS_A, bytes(1), bytes(2))).isEqualTo(100);
        assertThat(tx.count(KS_A, bytes(2), null)).isEqualTo(50);
        assertThat(tx.count(KS_A, bytes(3), null)).isZero();
        assertThat(tx.count(KS_B, null, null)).isZero();
      }
    }

    @Test
    @DisplayName("count in a write transaction includes its own puts and deletes")
    void countSeesOwnWrites() {
      write(tx -> tx.put(KS_A, bytes(1), V1));
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put(KS_A, bytes(2), V1);
        tx.put(KS_A, bytes(3), V1);
        tx.delete(KS_A, bytes(1));
        assertThat(tx.count(KS_A, null, null)).isEqualTo(2);
        tx.rollback();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("transactions")
  class Transactions {

    @Test
    @DisplayName("commit applies many writes across keyspaces at once")
    void commitIsAtomicAcrossKeyspaces() {
      write(tx -> {
        for (int i = 0; i < 100; i++) {
          tx.put(KS_B, longBytes(i), V1);
        }
      });
      write(tx -> {
        for (int i = 0; i < 1000; i++) {
          tx.put(KS_A, longBytes(i), longBytes(i * 3));
        }
        for (int i = 0; i < 100; i += 2) {
          tx.delete(KS_B, longBytes(i));
        }
      });
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.count(KS_A, null, null)).isEqualTo(1000);
        assertThat(tx.count(KS_B, null, null)).isEqualTo(50);
        for (int i = 0; i < 1000; i++) {
          assertThat(tx.get(KS_A, longBytes(i))).isEqualTo(longBytes(i * 3));
        }
      }
    }

    @Test
    @DisplayName("rollback leaves nothing of the transaction's puts and deletes")
    void rollbackLeavesNothing() {
      assertDiscarded(BackendTransaction::rollback);
    }

    @Test
    @DisplayName("closing a write transaction without commit rolls it back")
    void closeWithoutCommitRollsBack() {
      assertDiscarded(tx -> { });
    }

    /**
     * Writes puts, an overwrite and a delete in a transaction that {@code end} leaves uncommitted
     * before it is closed, then checks that none of them is visible.
     */
    private void assertDiscarded(Consumer<BackendTransaction> end) {
      write(tx -> {
        tx.put(KS_A, bytes(1), V1);
        tx.put(KS_B, bytes(1), V1);
      });
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put(KS_A, bytes(1), V2);
        tx.put(KS_A, bytes(2), V2);
        tx.delete(KS_B, bytes(1));
        tx.put(KS_B, bytes(3), V2);
        end.accept(tx);
      }
      assertUnchangedAfterDiscard();
    }

    private void assertUnchangedAfterDiscard() {
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.get(KS_A, bytes(1))).as("overwritten key after discard").isEqualTo(V1);
        assertThat(tx.get(KS_A, bytes(2))).as("inserted key after discard").isNull();
        assertThat(tx.get(KS_B, bytes(1))).as("deleted key after discard").isEqualTo(V1);
        assertThat(tx.get(KS_B, bytes(3))).as("inserted key after discard").isNull();
        assertThat(tx.count(KS_A, null, null)).isEqualTo(1);
        assertThat(tx.count(KS_B, null, null)).isEqualTo(1);
      }
      // the backend is usable afterwards: the writer was released
      write(tx -> tx.put(KS_A, bytes(9), V1));
      assertThat(read(KS_A, bytes(9))).isEqualTo(V1);
    }

    @Test
    @DisplayName("every operation after commit throws IllegalStateException")
    void operationsAfterCommitThrow() {
      BackendTransaction tx = backend.beginWrite();
      tx.put(KS_A, bytes(1), V1);
      tx.commit(Durability.SYNC);
      assertEveryOperationThrowsIllegalState(tx);
      assertThatCode(tx::close).as("close after commit").doesNotThrowAnyException();
      assertThatCode(tx::close).as("second close").doesNotThrowAnyException();
      assertThat(read(KS_A, bytes(1))).isEqualTo(V1);
    }

    @Test
    @DisplayName("every operation after rollback throws IllegalStateException")
    void operationsAfterRollbackThrow() {
      BackendTransaction tx = backend.beginWrite();
      tx.put(KS_A, bytes(1), V1);
      tx.rollback();
      assertEveryOperationThrowsIllegalState(tx);
      assertThatCode(tx::close).as("close after rollback").doesNotThrowAnyException();
      assertThat(read(KS_A, bytes(1))).isNull();
    }

    @Test
    @DisplayName("every operation after close throws IllegalStateException, read or write")
    void operationsAfterCloseThrow() {
      BackendTransaction w = backend.beginWrite();
      w.close();
      assertEveryOperationThrowsIllegalState(w);
      BackendTransaction r = backend.beginRead();
      r.get(KS_A, bytes(1));
      r.close();
      assertThatThrownBy(() -> r.get(KS_A, bytes(1))).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> r.scan(KS_A, null, null))
          .isInstanceOf(IllegalStateException.class);
      assertThatCode(r::close).as("second close").doesNotThrowAnyException();
    }

    private void assertEveryOperationThrowsIllegalState(BackendTransaction tx) {
      assertThatThrownBy(() -> tx.get(KS_A, bytes(1))).as("get")
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> tx.put(KS_A, bytes(2), V1)).as("put")
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> tx.delete(KS_A, bytes(1))).as("delete")
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> tx.scan(KS_A, null, null)).as("scan")
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> tx.commit(Durability.SYNC)).as("commit")
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(tx::rollback).as("rollback").isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("put and delete in a read-only transaction throw IllegalStateException")
    void writesInReadOnlyTransactionThrow() {
      write(tx -> tx.put(KS_A, bytes(1), V1));
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.readOnly()).as("readOnly() of a read transaction").isTrue();
        assertThatThrownBy(() -> tx.put(KS_A, bytes(2), V1)).as("put")
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tx.delete(KS_A, bytes(1))).as("delete")
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tx.putIfAbsent(KS_A, bytes(1), V2))
            .as("putIfAbsent of a present key").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tx.putIfAbsent(KS_A, bytes(2), V2))
            .as("putIfAbsent of an absent key").isInstanceOf(IllegalStateException.class);
        assertThat(tx.get(KS_A, bytes(1))).as("the transaction is still usable").isEqualTo(V1);
        tx.commit(Durability.SYNC);
      }
      assertThat(read(KS_A, bytes(1))).isEqualTo(V1);
      assertThat(read(KS_A, bytes(2))).isNull();
    }

    @Test
    @DisplayName("an unknown or null keyspace is an IllegalArgumentException")
    void unknownKeyspaceIsIllegalArgument() {
      try (BackendTransaction tx = backend.beginWrite()) {
        assertThatThrownBy(() -> tx.get("nosuch", bytes(1))).as("get")
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.get(null, bytes(1))).as("get from a null keyspace")
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.put(null, bytes(1), V1)).as("put into a null keyspace")
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.put("nosuch", bytes(1), V1)).as("put")
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.delete("nosuch", bytes(1))).as("delete")
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.putIfAbsent("nosuch", bytes(1), V1)).as("putIfAbsent")
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.putIfAbsent(null, bytes(1), V1))
            .as("putIfAbsent into a null keyspace").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.scan("nosuch", null, null)).as("scan")
            .isInstanceOf(IllegalArgumentException.class);
        tx.rollback();
      }
      try (BackendTransaction tx = backend.beginRead()) {
        assertThatThrownBy(() -> tx.get("nosuch", bytes(1))).as("get in a read transaction")
            .isInstanceOf(IllegalArgumentException.class);
      }
    }

    @Test
    @DisplayName("beginWrite waits while another write transaction is open (without MULTI_WRITER)")
    void writersAreSerialised() throws Exception {
      assumeFalse(provider.capabilities().contains(Capability.MULTI_WRITER),
          () -> "backend " + provider.name() + " declares MULTI_WRITER: writers may overlap");
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        AtomicBoolean entered = new AtomicBoolean();
        BackendTransaction first = backend.beginWrite();
        Future<?> second;
        try {
          first.put(KS_A, bytes(1), V1);
          second = pool.submit(() -> {
            try (BackendTransaction tx = backend.beginWrite()) {
              entered.set(true);
              tx.put(KS_A, bytes(1), V2);
              tx.commit(Durability.SYNC);
            }
          });
          // not a timing assertion: this can only miss a defect, never fail a correct backend
          Thread.sleep(300);
          assertThat(entered).as("a second beginWrite returned while the first writer is open")
              .isFalse();
          first.commit(Durability.SYNC);
        } finally {
          first.close();
        }
        second.get(60, TimeUnit.SECONDS);
        assertThat(read(KS_A, bytes(1))).isEqualTo(V2);
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("commit with each durability mode makes the writes visible")
    void everyDurabilityModeCommits() {
      for (Durability d : Durability.values()) {
        byte[] key = bytes(d.ordinal());
        try (BackendTransaction tx = backend.beginWrite()) {
          tx.put(KS_A, key, V1);
          tx.commit(d);
        }
        assertThat(read(KS_A, key)).as("after commit(%s)", d).isEqualTo(V1);
      }
    }
  }

  @Nested
  @DisplayName("cursors")
  class Cursors {

    @Test
    @DisplayName("writes of a cursor's own transaction never make it fail uncleanly or invent data")
    void cursorSurvivesWritesOfItsOwnTransaction() {
      cursorSurvivesOwnWrites(false);
    }

    @Test
    @DisplayName("the same holds for a descending cursor")
    void descendingCursorSurvivesWritesOfItsOwnTransaction() {
      cursorSurvivesOwnWrites(true);
    }

    private void cursorSurvivesOwnWrites(boolean descending) {
      write(tx -> {
        for (int i = 0; i < 40; i += 2) {
          tx.put(KS_A, longBytes(i), longBytes(i));
        }
      });
      try (BackendTransaction tx = backend.beginWrite()) {
        // key -> every value it has had in this test (what the cursor may legitimately return)
        Map<Long, List<byte[]>> written = new TreeMap<>();
        for (long i = 0; i < 40; i += 2) {
          written.computeIfAbsent(i, k -> new ArrayList<>()).add(longBytes(i));
        }
        try (BackendCursor c = descending
            ? tx.scanDescending(KS_A, null, null) : tx.scan(KS_A, null, null)) {
          int step = 0;
          while (true) {
            boolean more;
            try {
              more = c.next();
            } catch (IllegalStateException e) {
              break; // allowed: the backend invalidates cursors its transaction wrote under
            }
            if (!more) {
              break;
            }
            long n = toLong(c.key());
            byte[] v = c.value();
            assertThat(written).as("key %d returned after %d writes", n, step).containsKey(n);
            assertThat(written.get(n).stream().anyMatch(w -> Arrays.equals(w, v)))
                .as("the value returned for key %d is one it was given", n).isTrue();
            if (step < 10) { // behind, at and ahead of the cursor: new keys, a delete, overwrites
              for (long k : new long[] {101 + 2 * step, 1 + 2 * step, 2 * step}) {
                byte[] nv = k == 101 + 2 * step ? V1 : V2;
                tx.put(KS_A, longBytes(k), nv);
                written.computeIfAbsent(k, x -> new ArrayList<>()).add(nv);
              }
              tx.delete(KS_A, longBytes(38 - 2 * step));
            }
            assertThat(++step).as("the cursor ends").isLessThan(1_000);
          }
        }
        // the transaction's own view after the cursor: every write applied
        assertThat(tx.get(KS_A, longBytes(101))).isEqualTo(V1);
        assertThat(tx.get(KS_A, longBytes(0))).isEqualTo(V2);
        tx.rollback();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("isolation")
  class Isolation {

    @Test
    @DisplayName("a read transaction keeps its snapshot while a later commit lands")
    void readTransactionSeesASnapshot() {
      require(Capability.CONCURRENT_READERS);
      write(tx -> {
        tx.put(KS_A, bytes(1), V1);
        tx.put(KS_A, bytes(3), V1);
      });
      try (BackendTransaction reader = backend.beginRead()) {
        // the snapshot is taken no later than the first read
        assertThat(reader.get(KS_A, bytes(1))).isEqualTo(V1);
        write(tx -> {
          tx.put(KS_A, bytes(1), V2);
          tx.put(KS_A, bytes(2), V2);
          tx.delete(KS_A, bytes(3));
          tx.put(KS_B, bytes(1), V2);
        });
        assertThat(reader.get(KS_A, bytes(1))).as("overwritten key").isEqualTo(V1);
        assertThat(reader.get(KS_A, bytes(2))).as("inserted key").isNull();
        assertThat(reader.get(KS_A, bytes(3))).as("deleted key").isEqualTo(V1);
        assertThat(reader.get(KS_B, bytes(1))).as("key in another keyspace").isNull();
        assertThat(scanKeys(reader, KS_A, null, null)).extracting(KitSupport::hex)
            .as("scan inside the old snapshot").containsExactlyInAnyOrder(hex(bytes(1)),
                hex(bytes(3)));
      }
      assertThat(read(KS_A, bytes(1))).as("a new read transaction").isEqualTo(V2);
    }

    @Test
    @DisplayName("beginReadLatest reads committed data, each read at least as new as the last commit")
    void readLatestSeesCommittedData() throws Exception {
      require(Capability.CONCURRENT_READERS);
      write(tx -> {
        tx.put(KS_A, bytes(1), V1);
        tx.put(KS_A, bytes(3), V1);
      });
      try (BackendTransaction reader = backend.beginReadLatest()) {
        assertThat(reader.readOnly()).isTrue();
        assertThat(reader.get(KS_A, bytes(1))).isEqualTo(V1);
        assertThat(reader.get(KS_A, bytes(2))).isNull();
        assertThat(scanKeys(reader, KS_A, null, null)).extracting(KitSupport::hex)
            .containsExactly(hex(bytes(1)), hex(bytes(3)));
        write(tx -> tx.put(KS_A, bytes(1), V2));
        // a snapshot (the default implementation) or the new commit: never anything else
        assertThat(hex(reader.get(KS_A, bytes(1)))).isIn(hex(V1), hex(V2));
        assertThatThrownBy(() -> reader.put(KS_A, bytes(9), V1))
            .as("writes are refused").isInstanceOf(IllegalStateException.class);
      }
      // uncommitted writes: checked for both kinds of reader in uncommittedWritesAreInvisible
      write(tx -> tx.put(KS_A, bytes(3), V2));
      try (BackendTransaction reader = backend.beginReadLatest()) {
        assertThat(reader.get(KS_A, bytes(1))).as("a commit before begin").isEqualTo(V2);
        assertThat(reader.get(KS_A, bytes(3))).isEqualTo(V2);
        reader.commit(Durability.SYNC); // ends like a read transaction
      }
    }

    @Test
    @DisplayName("readers on another thread do not see uncommitted writes")
    void uncommittedWritesAreInvisible() throws Exception {
      require(Capability.CONCURRENT_READERS);
      write(tx -> {
        tx.put(KS_A, bytes(1), V1);
        tx.put(KS_A, bytes(3), V1);
      });
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try (BackendTransaction writer = backend.beginWrite()) {
        writer.put(KS_A, bytes(1), V2);
        writer.put(KS_A, bytes(2), V2);
        writer.delete(KS_A, bytes(3));
        Future<List<String>> seen = pool.submit(() -> {
          List<String> out = new ArrayList<>();
          // a snapshot reader and a beginReadLatest reader
          for (boolean latest : new boolean[] {false, true}) {
            try (BackendTransaction r = latest ? backend.beginReadLatest() : backend.beginRead()) {
              out.add(hex(r.get(KS_A, bytes(1))));
              out.add(hex(r.get(KS_A, bytes(2))));
              out.add(hex(r.get(KS_A, bytes(3))));
              out.add(String.valueOf(r.count(KS_A, null, null)));
            }
          }
          return out;
        });
        assertThat(seen.get(60, TimeUnit.SECONDS))
            .as("view of key 1, key 2, key 3 and the count while the writer is open, of a"
                + " beginRead and then a beginReadLatest reader")
            .containsExactly(hex(V1), "null", hex(V1), "2", hex(V1), "null", hex(V1), "2");
        writer.commit(Durability.SYNC);
      } finally {
        pool.shutdownNow();
      }
      assertThat(read(KS_A, bytes(2))).isEqualTo(V2);
    }

    @Test
    @DisplayName("readers on other threads progress while a write transaction is open")
    void readersProgressWhileWriterIsOpen() throws Exception {
      require(Capability.CONCURRENT_READERS);
      write(tx -> tx.put(KS_A, bytes(1), V1));
      int readers = 4;
      ExecutorService pool = Executors.newFixedThreadPool(readers);
      try (BackendTransaction writer = backend.beginWrite()) {
        writer.put(KS_A, bytes(2), V2);
        List<Future<byte[]>> results = new ArrayList<>();
        CountDownLatch allOpen = new CountDownLatch(readers);
        for (int i = 0; i < readers; i++) {
          results.add(pool.submit(() -> {
            try (BackendTransaction r = backend.beginRead()) {
              byte[] v = r.get(KS_A, bytes(1));
              allOpen.countDown();
              // every reader holds its transaction until all are open: they overlap
              if (!allOpen.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("read transactions did not run concurrently");
              }
              return v;
            }
          }));
        }
        for (Future<byte[]> f : results) {
          assertThat(f.get(60, TimeUnit.SECONDS)).as("reader blocked by the open writer?")
              .isEqualTo(V1);
        }
        writer.put(KS_A, bytes(3), V2);
        writer.commit(Durability.SYNC);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("durability")
  class Durable {

    @Test
    @DisplayName("committed data is present after close and reopen; uncommitted data is not")
    void committedDataSurvivesReopen() {
      require(Capability.DURABLE);
      Random rnd = random();
      byte[] big = randomBytes(rnd, 2 << 20);
      write(tx -> {
        for (int i = 0; i < 500; i++) {
          tx.put(KS_A, longBytes(i), longBytes(-i));
        }
        tx.put(KS_B, bytes(0xFF, 0x00), big);
        tx.put(KS_B, bytes(0x01), new byte[0]);
      });
      write(tx -> tx.delete(KS_A, longBytes(7)));
      for (Durability d : Durability.values()) {
        try (BackendTransaction tx = backend.beginWrite()) {
          tx.put(KS_B, bytes(0x10, d.ordinal()), V2);
          tx.commit(d);
        }
      }
      try (BackendTransaction tx = backend.beginWrite()) {
        tx.put(KS_A, longBytes(1000), V1);
        tx.rollback();
      }
      BackendTransaction open = backend.beginWrite();
      open.put(KS_A, longBytes(2000), V1);
      open.delete(KS_A, longBytes(8));
      // close the backend with a write transaction still open: it is rolled back
      backend.close();

      Backend reopened = open(tempDir.resolve("store"));
      try (BackendTransaction tx = reopened.beginRead()) {
        assertThat(tx.count(KS_A, null, null)).isEqualTo(499);
        for (int i = 0; i < 500; i++) {
          if (i != 7) {
            assertThat(tx.get(KS_A, longBytes(i))).as("key %d after reopen", i)
                .isEqualTo(longBytes(-i));
          }
        }
        assertThat(tx.get(KS_A, longBytes(7))).as("deleted key after reopen").isNull();
        assertThat(Arrays.equals(tx.get(KS_B, bytes(0xFF, 0x00)), big))
            .as("2 MiB value after reopen; %s", seedNote()).isTrue();
        assertThat(tx.get(KS_B, bytes(0x01))).as("zero-length value after reopen").isEmpty();
        for (Durability d : Durability.values()) {
          assertThat(tx.get(KS_B, bytes(0x10, d.ordinal())))
              .as("commit(%s) after a clean close", d).isEqualTo(V2);
        }
        assertThat(tx.get(KS_A, longBytes(1000))).as("rolled-back key").isNull();
        assertThat(tx.get(KS_A, longBytes(2000))).as("key of a transaction open at close")
            .isNull();
        assertThat(tx.get(KS_A, longBytes(8))).as("delete of a transaction open at close")
            .isEqualTo(longBytes(-8));
      }
    }

    @Test
    @DisplayName("sizeOnDisk is positive once data is committed")
    void sizeOnDiskIsPositiveAfterWrites() {
      require(Capability.DURABLE);
      Random rnd = random();
      write(tx -> {
        for (int i = 0; i < 100; i++) {
          tx.put(KS_A, longBytes(i), randomBytes(rnd, 1024));
        }
      });
      assertThat(backend.sizeOnDisk()).isPositive();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("structure check")
  class StructureCheck {

    @Test
    @DisplayName("verifyStructure reports nothing for an intact store, also while writes commit")
    void verifyStructureOfAnIntactStore() throws InterruptedException {
      Random rnd = random();
      write(tx -> {
        for (int i = 0; i < 300; i++) {
          tx.put(KS_A, longBytes(i), randomBytes(rnd, rnd.nextInt(3000)));
        }
      });
      write(tx -> {
        for (int i = 0; i < 300; i += 3) {
          tx.delete(KS_A, longBytes(i));
        }
      });
      assertThat(backend.verifyStructure()).as("an intact store; %s", seedNote()).isEmpty();
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicReference<Throwable> failed =
          new java.util.concurrent.atomic.AtomicReference<>();
      long seed = rnd.nextLong();
      Thread writer = new Thread(() -> {
        Random w = new Random(seed);
        try {
          for (int i = 0; !stop.get(); i++) {
            int k = i % 400;
            write(tx -> tx.put(KS_B, longBytes(k), randomBytes(w, w.nextInt(5000))));
          }
        } catch (Throwable t) {
          failed.set(t);
        }
      }, "kit-writer");
      writer.start();
      try {
        for (int round = 0; round < 20; round++) {
          assertThat(backend.verifyStructure())
              .as("round %d, with commits running; %s", round, seedNote()).isEmpty();
        }
      } finally {
        stop.set(true);
        writer.join();
      }
      assertThat(failed.get()).as("the writer thread's failure").isNull();
      assertThat(backend.verifyStructure()).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("hot snapshot")
  class HotSnapshot {

    @Test
    @DisplayName("snapshotTo while a writer commits yields a consistent copy that opens")
    void snapshotWhileWriterRunsIsConsistent() throws Exception {
      require(Capability.HOT_BACKUP);
      Random rnd = random();
      byte[] fixed = randomBytes(rnd, 300_000);
      write(tx -> {
        tx.put(KS_B, bytes(1), fixed);
        tx.put(KS_A, bytes('a'), longBytes(0));
        tx.put(KS_A, bytes('b'), longBytes(0));
      });
      AtomicLong committed = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> writerError = new AtomicReference<>();
      CountDownLatch warmedUp = new CountDownLatch(20);
      Thread writer = new Thread(() -> {
        try {
          for (long i = 1; !stop.get(); i++) {
            long n = i;
            // invariant: a == b, and a filler key per commit
            write(tx -> {
              tx.put(KS_A, bytes('a'), longBytes(n));
              tx.put(KS_A, longBytes(n), longBytes(n));
              tx.put(KS_A, bytes('b'), longBytes(n));
            });
            committed.set(n);
            warmedUp.countDown();
          }
        } catch (Throwable t) {
          writerError.set(t);
          warmedUp.countDown();
        }
      }, "kit-snapshot-writer");
      writer.start();
      long before;
      long after;
      Path snap = tempDir.resolve("snapshot");
      try {
        assertThat(warmedUp.await(60, TimeUnit.SECONDS)).as("writer made progress").isTrue();
        before = committed.get();
        backend.snapshotTo(snap);
        after = committed.get();
      } finally {
        stop.set(true);
        writer.join(60_000);
      }
      assertThat(writerError.get()).as("writer thread failed during snapshot").isNull();

      Backend copy = open(snap);
      try (BackendTransaction tx = copy.beginRead()) {
        long a = toLong(tx.get(KS_A, bytes('a')));
        long b = toLong(tx.get(KS_A, bytes('b')));
        assertThat(a).as("a == b in the snapshot (torn transaction?)").isEqualTo(b);
        assertThat(a).as("snapshot holds every commit before snapshotTo began")
            .isGreaterThanOrEqualTo(before);
        assertThat(a).as("snapshot holds no commit after snapshotTo returned")
            .isLessThanOrEqualTo(after + 1);
        assertThat(tx.count(KS_A, bytes(0), bytes(1)))
            .as("filler keys 1..a in the snapshot").isEqualTo(a);
        assertThat(Arrays.equals(tx.get(KS_B, bytes(1)), fixed))
            .as("data written before the snapshot; %s", seedNote()).isTrue();
      }
      // the original keeps working after the snapshot
      write(tx -> tx.put(KS_B, bytes(2), V2));
      assertThat(read(KS_B, bytes(2))).isEqualTo(V2);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("lifecycle")
  class Lifecycle {

    @Test
    @DisplayName("close is idempotent")
    void closeIsIdempotent() {
      write(tx -> tx.put(KS_A, bytes(1), V1));
      backend.close();
      assertThatCode(backend::close).as("second close").doesNotThrowAnyException();
    }

    @Test
    @DisplayName("beginRead and beginWrite after close throw")
    void beginAfterCloseThrows() {
      backend.close();
      assertThatThrownBy(backend::beginRead).as("beginRead after close")
          .isInstanceOfAny(StorageClosedException.class, IllegalStateException.class);
      assertThatThrownBy(() -> backend.readLatest(KS_A, bytes(1), BackendConformanceKit::bytesOf))
          .as("readLatest after close")
          .isInstanceOfAny(StorageClosedException.class, IllegalStateException.class);
      assertThatThrownBy(backend::beginWrite).as("beginWrite after close")
          .isInstanceOfAny(StorageClosedException.class, IllegalStateException.class);
    }

    @Test
    @DisplayName("sizeOnDisk is never negative")
    void sizeOnDiskIsNotNegative() {
      assertThat(backend.sizeOnDisk()).isNotNegative();
      write(tx -> tx.put(KS_A, bytes(1), new byte[4096]));
      assertThat(backend.sizeOnDisk()).isNotNegative();
    }

    @Test
    @DisplayName("optimize keeps every record")
    void optimizeKeepsData() {
      write(tx -> {
        for (int i = 0; i < 200; i++) {
          tx.put(KS_A, longBytes(i), longBytes(i));
        }
      });
      write(tx -> {
        for (int i = 0; i < 200; i += 2) {
          tx.delete(KS_A, longBytes(i));
        }
      });
      backend.optimize();
      try (BackendTransaction tx = backend.beginRead()) {
        assertThat(tx.count(KS_A, null, null)).isEqualTo(100);
        assertThat(tx.get(KS_A, longBytes(51))).isEqualTo(longBytes(51));
      }
    }

    @Test
    @DisplayName("close while other threads read and write: each call completes or fails cleanly")
    void closeRacingWithOtherThreads() throws Exception {
      require(Capability.CONCURRENT_READERS);
      // The races live in windows of microseconds: several rounds, each on a fresh store, with
      // close() landing at a different moment (system property cairn.conformance.closeRounds).
      int rounds = Integer.getInteger("cairn.conformance.closeRounds", 20);
      Random rnd = random();
      AtomicReference<Throwable> wrong = new AtomicReference<>();
      for (int round = 0; round < rounds && wrong.get() == null; round++) {
        Backend b = round == 0 ? backend : open(tempDir.resolve("close-race-" + round));
        write(b, tx -> {
          for (int i = 0; i < 100; i++) {
            tx.put(KS_A, longBytes(i), longBytes(i));
          }
        });
        raceClose(b, rnd.nextInt(10), wrong);
      }
      assertThat(wrong.get())
          .as("a call racing with close() may only complete or throw IllegalStateException or a"
              + " StorageException with a message; %s", seedNote())
          .isNull();
    }

    /** One writer and two readers run until {@code b} is closed after {@code delayMs}. */
    private void raceClose(Backend b, int delayMs, AtomicReference<Throwable> wrong)
        throws Exception {
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch running = new CountDownLatch(3);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
          boolean writer = t == 0;
          work.add(pool.submit(() -> {
            running.countDown();
            long i = 0;
            while (!stop.get()) {
              try {
                if (writer) {
                  try (BackendTransaction tx = b.beginWrite()) {
                    tx.put(KS_B, longBytes(i++ % 50), V1);
                    tx.commit(Durability.SYNC);
                  }
                } else {
                  b.readLatest(KS_A, longBytes(i % 100), BackendConformanceKit::bytesOf);
                  try (BackendTransaction tx = b.beginRead()) {
                    tx.get(KS_A, longBytes(i++ % 100));
                    try (BackendCursor c = tx.scan(KS_A, null, null)) {
                      for (int n = 0; n < 10 && c.next(); n++) {
                        c.key();
                        c.value();
                      }
                    }
                  }
                }
              } catch (IllegalStateException | dev.cairn.storage.StorageException e) {
                // the documented outcomes of a call that meets close()
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                  wrong.compareAndSet(null, e);
                }
                return null;
              } catch (RuntimeException | Error e) {
                wrong.compareAndSet(null, e);
                return null;
              }
            }
            return null;
          }));
        }
        running.await(10, TimeUnit.SECONDS);
        Thread.sleep(delayMs);
        try {
          b.close();
        } catch (RuntimeException | Error e) {
          wrong.compareAndSet(null, e); // close() itself must not fail
        }
        stop.set(true);
        for (Future<?> f : work) {
          f.get(30, TimeUnit.SECONDS);
        }
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("the provider has a stable lower-case name")
    void providerNameIsLowerCase() {
      assertThat(provider.name()).matches("[a-z][a-z0-9_.-]*");
      assertThat(provider().name()).isEqualTo(provider.name());
      assertThat(provider.capabilities()).isNotNull();
    }
  }

  @Nested
  @DisplayName("options")
  class Options {

    @Test
    @DisplayName("options() declares the backend's own options, and each declared default opens it")
    void declaredOptionsAreItsOwnAndTheirDefaultsOpen() {
      Map<String, String> defaults = KitSupport.declaredDefaults(
          "backend", provider.name(), provider.options(), options());
      Backend b = provider.open(new BackendConfig(tempDir.resolve("defaults"), KEYSPACES, defaults));
      opened.add(b);
      assertThat(b).as("%s.open returned null", provider.name()).isNotNull();
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The {@link CrashHarness} run against this provider: a child JVM writing through the full
   * stack is killed with {@code SIGKILL} at random points, and the recovered store must hold
   * exactly every acknowledged commit and nothing of an unacknowledged one. Only a real crash
   * shows a commit that is not atomic across keyspaces. Cycles per run: system property
   * {@code cairn.conformance.crashCycles} (default 10).
   */
  @Nested
  @DisplayName("crash recovery")
  class CrashRecovery {

    private int cycles() {
      return Integer.getInteger("cairn.conformance.crashCycles", 10);
    }

    private CrashHarness.Builder harness(String name) {
      require(Capability.DURABLE);
      CrashHarness.Builder b =
          CrashHarness.builder(provider.getClass(), tempDir.resolve(name)).cycles(cycles());
      options().forEach(b::backendOption);
      return b;
    }

    @Test
    @DisplayName("kill -9 loses no acknowledged SYNC commit and leaves nothing of another")
    void syncCommitsSurviveKill() {
      harness("crash-sync").durability(Durability.SYNC).run();
    }

    @Test
    @DisplayName("kill -9 amid three GROUP writers loses no acknowledged commit")
    void groupCommitsSurviveKill() {
      harness("crash-group").durability(Durability.GROUP).writerThreads(3).run();
    }
  }
}
