package dev.cairn.storage.internal;

import dev.cairn.storage.Change;
import dev.cairn.storage.ChangeFeed;
import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.HistoryTruncatedException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The change feed ({@link ChangeFeed}): one entry per committed put or delete in the keyspace
 * {@value #FEED}, keyed by its position (8 bytes, big-endian, so key order is position order),
 * and the head (the last position issued) in the meta entry {@code feed-head}; the meta entry
 * {@code feed} says that the feed is on and holds its retention.
 *
 * <p><b>Positions.</b> A {@link TransactionImpl} collects its changes ({@link Pending}); before
 * the commit, under the engine's write lock and in the same backend transaction,
 * {@link #append} numbers them from the head on, puts them and the new head, so positions are
 * in commit order and dense, and a change exists exactly when its commit does. A group commit
 * numbers its transactions one after another in one {@link Batch}. Single-process backends keep
 * the committed head in memory (read from the head entry after open or after a commit failed,
 * which may or may not have applied); a backend shared by several processes reads the head
 * entry in every write transaction that appends, and writes it back, so two instances'
 * transactions conflict on it (SERIALIZABLE) and one is retried: every instance sees one order,
 * and a position is visible only after all positions below it are.
 *
 * <p><b>Retention.</b> {@link #trim} (a maintenance step) removes the oldest entries beyond the
 * retention, in batches; a removed prefix is detected by a reader because positions are dense
 * ({@link HistoryTruncatedException}). {@link #restart} removes every entry and moves the head
 * above every position issued before (a restore).
 *
 * <p>Threading: reads run in read transactions of their own on any thread; {@link #append} and
 * what follows a commit run under the engine's write lock, which guards the in-memory head;
 * trimming and restarting take that lock.
 */
final class FeedLog implements ChangeFeed {

  static final String FEED = "feed";
  /** Meta: present when the feed is on; its retention (max changes, max age in ms). */
  static final byte[] SETTING_KEY = "feed".getBytes(StandardCharsets.US_ASCII);
  /** Meta: the last position issued. */
  static final byte[] HEAD_KEY = "feed-head".getBytes(StandardCharsets.US_ASCII);

  private static final byte ENTRY_FORMAT = 1;
  private static final byte PUT = 1;
  private static final byte DELETE = 2;
  private static final int HEADER = 1 + 1 + 8 + 8;
  private static final int MAX_READ = 100_000;
  private static final int TRIM_BATCH = 4096;
  /** How often a waiting {@link #poll} looks for commits of other instances. */
  private static final long SHARED_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** A change collected by a transaction, numbered at commit. */
  record Pending(boolean delete, byte[] recordKey, long version) {}

  /** The positions appended in one backend write transaction (one commit). */
  static final class Batch {
    private final BackendTransaction btx;
    private long head = -1;
    private boolean appended;

    private Batch(BackendTransaction btx) {
      this.btx = btx;
    }
  }

  private final Backend backend;
  private final boolean shared;
  private final ChangeFeedRetention retention;
  private final ReentrantLock writeLock;
  private final Lifecycle lifecycle;
  /** Single process: the committed head, when {@link #headKnown}. Guarded by the write lock. */
  private long committedHead;
  private boolean headKnown;
  /** Threads waiting in {@link #poll}; commits wake them only when there are some. */
  private volatile int waiters;
  private final Object signal = new Object();

  FeedLog(Backend backend, boolean shared, ChangeFeedRetention retention,
      ReentrantLock writeLock, Lifecycle lifecycle) {
    this.backend = backend;
    this.shared = shared;
    this.retention = retention;
    this.writeLock = writeLock;
    this.lifecycle = lifecycle;
  }

  // --------------------------------------------------------------------------- the setting

  /**
   * At open: whether the store's feed is on, and with which retention. {@code wanted} (the
   * builder's, or null) turns it on or changes the recorded retention; without it the recorded
   * setting stays. Returns null when the feed is off.
   */
  static ChangeFeedRetention configure(Backend backend, ChangeFeedRetention wanted) {
    try (BackendTransaction tx = backend.beginWrite()) {
      byte[] stored = tx.get(RecordStore.META, SETTING_KEY);
      ChangeFeedRetention current = stored == null ? null : decodeSetting(stored);
      if (wanted == null || wanted.equals(current)) {
        return current;
      }
      tx.put(RecordStore.META, SETTING_KEY, encodeSetting(wanted));
      if (tx.get(RecordStore.META, HEAD_KEY) == null) {
        tx.put(RecordStore.META, HEAD_KEY, RecordFormat.encodeLong(0));
      }
      tx.commit(Durability.SYNC);
      return wanted;
    }
  }

  private static byte[] encodeSetting(ChangeFeedRetention r) {
    return ByteBuffer.allocate(16).putLong(r.maxChanges()).putLong(r.maxAge().toMillis()).array();
  }

  static ChangeFeedRetention decodeSetting(byte[] v) {
    if (v.length != 16) {
      throw new DataCorruptionException("meta entry 'feed' has " + v.length + " bytes, not 16");
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    long max = b.getLong();
    long age = b.getLong();
    if (max < 0 || age < 0) {
      throw new DataCorruptionException("meta entry 'feed' holds negative limits");
    }
    return new ChangeFeedRetention(max, Duration.ofMillis(age));
  }

  /** The retention this store's feed keeps. */
  ChangeFeedRetention retention() {
    return retention;
  }

  // ---------------------------------------------------------------------------- appending

  /** Starts the positions of one backend write transaction. */
  Batch begin(BackendTransaction btx) {
    return new Batch(btx);
  }

  /** Numbers and puts {@code changes} after those already in {@code b}; under the write lock. */
  void append(Batch b, List<Pending> changes) {
    if (changes.isEmpty()) {
      return;
    }
    if (b.head < 0) {
      b.head = startHead(b.btx);
    }
    long now = System.currentTimeMillis();
    for (Pending p : changes) {
      b.btx.put(FEED, positionKey(++b.head), encode(p, now));
    }
    b.appended = true;
  }

  /** Before the commit: the new head goes into the same transaction as the entries. */
  void beforeCommit(Batch b) {
    if (b.appended) {
      b.btx.put(RecordStore.META, HEAD_KEY, RecordFormat.encodeLong(b.head));
    }
  }

  /** After {@code b}'s transaction committed. */
  void committed(Batch b) {
    if (!b.appended) {
      return;
    }
    if (!shared) {
      committedHead = b.head;
      headKnown = true;
    }
    if (waiters > 0) {
      synchronized (signal) {
        signal.notifyAll();
      }
    }
  }

  /** After {@code b}'s commit failed: it may or may not have applied, so read the head again. */
  void failed(Batch b) {
    if (b.appended) {
      headKnown = false;
    }
  }

  private long startHead(BackendTransaction btx) {
    if (!shared && headKnown) {
      return committedHead;
    }
    long head = readHead(btx);
    if (!shared) {
      committedHead = head;
      headKnown = true;
    }
    return head;
  }

  private static long readHead(BackendTransaction tx) {
    byte[] v = tx.get(RecordStore.META, HEAD_KEY);
    return v == null ? 0 : RecordFormat.parseLong(v, "meta feed-head");
  }

  static byte[] positionKey(long position) {
    return ByteBuffer.allocate(8).putLong(position).array();
  }

  static long position(byte[] key) {
    if (key.length != 8) {
      throw new DataCorruptionException("change feed entry with a key of " + key.length
          + " bytes, not 8");
    }
    return ByteBuffer.wrap(key).getLong();
  }

  static byte[] encode(Pending p, long committed) {
    byte[] rk = p.recordKey();
    ByteBuffer b = ByteBuffer.allocate(HEADER + rk.length + 4);
    b.put(ENTRY_FORMAT).put(p.delete() ? DELETE : PUT).putLong(p.version()).putLong(committed)
        .put(rk);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  static Change decode(long position, byte[] v) {
    String where = "change feed entry at position " + position;
    if (v.length < HEADER + 2 + 4 || v[0] != ENTRY_FORMAT) {
      throw new DataCorruptionException(where + " is damaged (length " + v.length + ")");
    }
    CRC32C crc = new CRC32C();
    crc.update(v, 0, v.length - 4);
    ByteBuffer b = ByteBuffer.wrap(v);
    if (b.getInt(v.length - 4) != (int) crc.getValue()) {
      throw new DataCorruptionException(where + " fails its CRC32C check");
    }
    byte kind = b.get(1);
    if (kind != PUT && kind != DELETE) {
      throw new DataCorruptionException(where + " has an unknown kind " + kind);
    }
    long version = b.getLong(2);
    long committed = b.getLong(10);
    byte[] rk = recordKeyOf(v);
    return new Change(position, Keys.collectionOf(rk), Keys.keyOf(rk),
        kind == PUT ? Change.Kind.PUT : Change.Kind.DELETE, version,
        Instant.ofEpochMilli(committed));
  }

  /** The record key an entry names (of an entry {@link #decode} accepts). */
  static byte[] recordKeyOf(byte[] v) {
    return Arrays.copyOfRange(v, HEADER, v.length - 4);
  }

  // ------------------------------------------------------------------------------ reading

  @Override
  public List<Change> read(long afterPosition, int max) {
    checkRead(afterPosition, max);
    lifecycle.enterOrThrow();
    try (BackendTransaction tx = backend.beginReadLatest()) {
      return read(tx, afterPosition, max);
    } finally {
      lifecycle.exit();
    }
  }

  private static void checkRead(long afterPosition, int max) {
    if (afterPosition < 0) {
      throw new IllegalArgumentException(
          "afterPosition must not be negative (0 reads from the beginning): " + afterPosition);
    }
    if (max < 1 || max > MAX_READ) {
      throw new IllegalArgumentException("max must be 1 to " + MAX_READ + ", got " + max);
    }
  }

  private static List<Change> read(BackendTransaction tx, long after, int max) {
    long head = readHead(tx);
    if (after > head) {
      throw new IllegalArgumentException("position " + after + " is beyond the change feed's head "
          + head + ": this store never issued it (a position of another store, or of the store"
          + " before a restore into a new directory?)");
    }
    if (after == head) {
      return List.of();
    }
    List<Change> out = new ArrayList<>(Math.min(max, 256));
    try (BackendCursor c = tx.scan(FEED, positionKey(after + 1), null)) {
      long expected = after + 1;
      while (out.size() < max && c.next()) {
        long p = position(c.key());
        if (p != expected) {
          if (out.isEmpty()) {
            throw new HistoryTruncatedException(after, p);
          }
          throw new DataCorruptionException("change feed has no entry at position " + expected
              + " but one at " + p);
        }
        out.add(decode(p, c.value()));
        expected++;
      }
    }
    if (out.isEmpty()) {
      throw new HistoryTruncatedException(after, head + 1);
    }
    return out;
  }

  @Override
  public List<Change> poll(long afterPosition, int max, Duration timeout)
      throws InterruptedException {
    checkRead(afterPosition, max);
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
    }
    long deadline = System.nanoTime() + saturatedNanos(timeout);
    while (true) {
      List<Change> found = read(afterPosition, max);
      long left = deadline - System.nanoTime();
      if (!found.isEmpty() || left <= 0) {
        return found;
      }
      synchronized (signal) {
        waiters++;
        try {
          // a commit between the read and here is caught by the re-read after a short wait
          long wait = Math.min(left, SHARED_POLL_NANOS);
          TimeUnit.NANOSECONDS.timedWait(signal, wait);
        } finally {
          waiters--;
        }
      }
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  @Override
  public long head() {
    lifecycle.enterOrThrow();
    try (BackendTransaction tx = backend.beginReadLatest()) {
      return readHead(tx);
    } finally {
      lifecycle.exit();
    }
  }

  @Override
  public long oldest() {
    lifecycle.enterOrThrow();
    try (BackendTransaction tx = backend.beginReadLatest();
        BackendCursor c = tx.scan(FEED, null, null)) {
      return c.next() ? position(c.key()) : readHead(tx) + 1;
    } finally {
      lifecycle.exit();
    }
  }

  // ---------------------------------------------------------------------- trim and restart

  /** The maintenance step: removes what the retention no longer keeps; returns an account. */
  String trim() {
    if (retention.maxChanges() == 0 && retention.maxAge().isZero()) {
      return "kept every change (no retention limit)";
    }
    long removed = 0;
    long now = System.currentTimeMillis();
    while (true) {
      int n = removeOldest(TRIM_BATCH, head -> retention.maxChanges() == 0 ? 0
          : head - retention.maxChanges(), retention.maxAge().isZero() ? Long.MIN_VALUE
          : now - retention.maxAge().toMillis());
      removed += n;
      if (n < TRIM_BATCH) {
        return "removed " + removed + " changes";
      }
    }
  }

  /** What a removal keeps: entries above a position computed from the head. */
  private interface Cut {
    long keepAbove(long head);
  }

  /**
   * Removes up to {@code batch} of the oldest entries that are at or below the cut or were
   * committed before {@code olderThan}, in one synced transaction under the write lock.
   */
  private int removeOldest(int batch, Cut cut, long olderThan) {
    return ConflictRetry.retryOnConflict(() -> {
      writeLock.lock();
      try (BackendTransaction tx = backend.beginWrite()) {
        long keepAbove = cut.keepAbove(readHead(tx));
        List<byte[]> doomed = new ArrayList<>();
        try (BackendCursor c = tx.scan(FEED, null, null)) {
          while (doomed.size() < batch && c.next()) {
            long p = position(c.key());
            if (p > keepAbove && committedAt(p, c.value()) >= olderThan) {
              break;
            }
            doomed.add(c.key());
          }
        }
        if (doomed.isEmpty()) {
          return 0;
        }
        for (byte[] k : doomed) {
          tx.delete(FEED, k);
        }
        tx.commit(Durability.SYNC);
        return doomed.size();
      } finally {
        writeLock.unlock();
      }
    }, null);
  }

  private static long committedAt(long position, byte[] v) {
    if (v.length < HEADER) {
      throw new DataCorruptionException("change feed entry at position " + position
          + " is damaged (length " + v.length + ")");
    }
    return ByteBuffer.wrap(v).getLong(10);
  }

  /**
   * After a restore: removes every entry and sets the head to one above the greatest of the
   * head, {@code above} and the current time in microseconds since the epoch, so the next
   * change gets a position greater than any the restored store, the store it replaced, or the
   * store the backup was taken of can have issued (the last bound holds while no store issues
   * more than a million changes per second on average between two restores). A reader at any
   * earlier position gets {@link HistoryTruncatedException}.
   *
   * @return the new head
   */
  long restart(long above) {
    while (removeOldest(TRIM_BATCH, head -> Long.MAX_VALUE, Long.MAX_VALUE) == TRIM_BATCH) {
      // removes everything, a batch per transaction
    }
    return ConflictRetry.retryOnConflict(() -> {
      writeLock.lock();
      try (BackendTransaction tx = backend.beginWrite()) {
        long head = Math.max(Math.max(readHead(tx), above),
            Math.multiplyExact(System.currentTimeMillis(), 1000L)) + 1;
        tx.put(RecordStore.META, HEAD_KEY, RecordFormat.encodeLong(head));
        tx.commit(Durability.SYNC);
        headKnown = false;
        return head;
      } finally {
        writeLock.unlock();
      }
    }, null);
  }
}
