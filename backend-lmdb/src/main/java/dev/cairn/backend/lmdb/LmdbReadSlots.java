package dev.cairn.backend.lmdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read slots: at most {@code lmdb.readTxnPoolSize} native read transactions, each kept
 * <em>reset</em> while idle (a reader-table entry but no snapshot) and renewed for the next read,
 * with the direct key buffer that goes with it.
 *
 * <p>Each slot has its own state word, and a thread remembers the slot it last used
 * ({@link #cache}): a read claims that slot with one compare-and-set on a cache line no other
 * thread writes, and gives it back with one ordered store. As long as no more threads read at
 * once than there are slots, every thread keeps its own slot and the read path writes no shared
 * memory. A thread whose slot is busy (another thread has it, or this thread already reads from
 * it: a nested read) takes an empty slot (creating its native transaction), then another idle
 * one; with every slot busy the read gets a transaction of its own (not kept).
 *
 * <p>Slots belong to no thread, so a thread that dies leaks nothing: its slot is idle and the
 * next thread that needs one takes it. The number of reader-table entries held by idle slots
 * never exceeds the number of slots.
 *
 * <p><b>Snapshots kept between reads.</b> Renewing a native transaction for each read and
 * resetting it after ({@code mdb_txn_renew}, {@code mdb_txn_reset}: two native calls and a write
 * to the reader table) is needed only if something was committed in between: a snapshot taken
 * when no commit was running sees every commit that has returned, and stays the latest until the
 * next commit begins. So the backend's write transactions count their commits
 * ({@link #commitStarting()}, {@link #commitEnded()}: the count is odd while a commit runs), a
 * slot remembers the count its snapshot was taken at ({@code snapshotAt}), and a read renews the
 * snapshot only when the count moved ({@link #makeCurrent}); a slot whose snapshot is still the
 * latest is given back without a reset ({@link #endUse}). The count is read before the snapshot
 * is taken, so a snapshot never misses a commit its count says it has; a count that is odd at
 * that moment (a commit under way, perhaps visible already to a read that began later) is never
 * reused. This is only sound because this process is the store's only writer (the store lock);
 * measured in benchmarks/README.md ("seventeenth").
 *
 * <p>A kept snapshot pins the pages that later commits free (LMDB reuses a page only when no
 * reader's snapshot is older than the commit that freed it), so a thread that stops reading must
 * not keep an old one: after each commit the writer resets every idle slot whose snapshot the
 * commit made stale ({@link #commitEnded()}). A slot given back in the instant between the
 * writer's look at it and the end of its own check is reset by the next commit's pass, so no
 * snapshot outlives more than one commit after it went stale.
 *
 * <p>Map growth and {@code close()} (the exclusive side of {@link LmdbMapGrowthGate}) claim
 * every slot ({@link #freezeAll}): a frozen slot cannot be claimed, and freezing fails while a
 * slot is in use. States: {@link #EMPTY} (no native transaction), {@link #IDLE} (reset, or
 * holding a snapshot that was the latest when it was given back),
 * {@link #ACTIVE} (claimed by one read; only its holder touches the native transaction),
 * {@link #FROZEN_EMPTY} and {@link #FROZEN_IDLE} (claimed by the exclusive side).
 */
final class LmdbReadSlots {

  private static final Logger LOG = LoggerFactory.getLogger(LmdbReadSlots.class);

  static final int EMPTY = 0;
  static final int IDLE = 1;
  static final int ACTIVE = 2;
  static final int FROZEN_EMPTY = 3;
  static final int FROZEN_IDLE = 4;
  /** {@code snapshotAt} of a slot whose native transaction is reset (or absent). */
  static final long RESET = -1;

  private static final VarHandle STATE;
  private static final VarHandle CURRENT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STATE = l.findVarHandle(Hot.class, "state", int.class);
      CURRENT = l.findVarHandle(Hot.class, "current", LmdbReadTransaction.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Padding before the hot fields (the {@code int} fills the gap after the object header). */
  abstract static class PadBefore {
    int p00;
    long p01, p02, p03, p04, p05, p06, p07, p08;
  }

  /** The fields a read touches, on a cache line of their own. */
  abstract static class Hot extends PadBefore {
    /** One of the states; changed by compare-and-set or by its holder. */
    volatile int state;
    /** The read transaction on this slot while ACTIVE (for close()), else null. */
    LmdbReadTransaction current;
    /** The native transaction: null while EMPTY; used only by the slot's holder. */
    Txn<ByteBuffer> txn;
    ByteBuffer keyBuffer;
    int index;
    /**
     * The commit count ({@link #commitSeq}) read before the native transaction's snapshot was
     * taken, or {@link #RESET} while it holds none; written by the slot's holder.
     */
    long snapshotAt = RESET;
  }

  /** A read slot. Padded so that two slots never share a cache line. */
  static final class Slot extends Hot {
    long q01, q02, q03, q04, q05, q06, q07, q08;

    Slot(int index) {
      this.index = index;
    }

    /** A slot outside the pool, for one read transaction that found every slot busy. */
    static Slot standalone(Txn<ByteBuffer> txn, ByteBuffer keyBuffer) {
      Slot s = new Slot(-1);
      s.txn = txn;
      s.keyBuffer = keyBuffer;
      s.state = ACTIVE;
      return s;
    }

    boolean pooled() {
      return index >= 0;
    }

    /** Publishes the read transaction now using this slot (read by close() on other threads). */
    void publish(LmdbReadTransaction tx) {
      CURRENT.setRelease(this, tx);
    }

    LmdbReadTransaction current() {
      return (LmdbReadTransaction) CURRENT.getAcquire(this);
    }

    private boolean cas(int from, int to) {
      return STATE.compareAndSet(this, from, to);
    }
  }

  private final java.nio.file.Path directory;
  private final Slot[] slots;
  /** Commits begun and ended, each counted once: odd while a commit runs. */
  private final AtomicLong commitSeq = new AtomicLong();
  /** The slot this thread used last. Holds no reference to the backend. */
  private final ThreadLocal<Slot> cache = new ThreadLocal<>();

  LmdbReadSlots(java.nio.file.Path directory, int size) {
    this.directory = directory;
    this.slots = new Slot[size];
    for (int i = 0; i < size; i++) {
      slots[i] = new Slot(i);
    }
  }

  int size() {
    return slots.length;
  }

  /**
   * The common case: claims (IDLE → ACTIVE) the slot this thread used last; null if it has none,
   * or its slot is not idle.
   */
  Slot claimCached() {
    Slot s = cache.get();
    if (s != null && s.state == IDLE && s.cas(IDLE, ACTIVE)) {
      return s;
    }
    return null;
  }

  /**
   * Claims an empty slot (its holder creates the native transaction), else an idle one; null
   * when every slot is in use or frozen. The claimed slot becomes this thread's. Empty first, so
   * that up to {@code size()} threads each get a slot of their own rather than taking turns on
   * another thread's; once every slot exists, idle ones (of threads that exited, or read rarely)
   * are taken over.
   */
  Slot claimAny() {
    int n = slots.length;
    if (n == 0) {
      return null;
    }
    Slot c = cache.get();
    int start = c != null
        ? c.index
        : (int) (((Thread.currentThread().getId() * 0x9E3779B9L) >>> 1) % n);
    for (int pass = 0; pass < 2; pass++) {
      int wanted = pass == 0 ? EMPTY : IDLE;
      for (int i = 0; i < n; i++) {
        Slot s = slots[(start + i) % n];
        if (s.state == wanted && s.cas(wanted, ACTIVE)) {
          if (s != c) {
            cache.set(s);
          }
          return s;
        }
      }
    }
    return null;
  }

  /**
   * Gives an ACTIVE slot back, its native transaction reset or holding the latest snapshot (or
   * still EMPTY if never made).
   */
  void release(Slot s) {
    CURRENT.setRelease(s, (LmdbReadTransaction) null);
    STATE.setRelease(s, s.txn == null ? EMPTY : IDLE);
  }

  /** Gives an ACTIVE slot back after its native transaction failed: aborted, slot EMPTY. */
  void discard(Slot s) {
    Txn<ByteBuffer> t = s.txn;
    s.txn = null;
    s.snapshotAt = RESET;
    if (t != null) {
      try {
        t.close();
      } catch (RuntimeException e) {
        LOG.warn("LMDB store {}: freeing a read transaction failed", directory, e);
      }
    }
    release(s);
  }

  /**
   * Makes a claimed (ACTIVE) slot's native transaction show the latest commit: keeps its
   * snapshot if no commit has begun since it was taken, else resets it (if it holds one) and
   * renews it. The slot must have a native transaction.
   *
   * @throws org.lmdbjava.LmdbException from LMDB (the caller discards the slot)
   */
  void makeCurrent(Slot s) {
    long seq = commitSeq.get(); // before the snapshot: see the class comment
    if (isLatest(s.snapshotAt, seq)) {
      return;
    }
    if (s.snapshotAt != RESET) {
      s.snapshotAt = RESET;
      s.txn.reset();
    }
    s.txn.renew();
    s.snapshotAt = seq;
  }

  /**
   * Begins the native transaction of a claimed slot that has none ({@code mdb_txn_begin}), its
   * snapshot's commit count read first as {@link #makeCurrent} reads it.
   */
  void begin(Slot s, Env<ByteBuffer> env) {
    long seq = commitSeq.get();
    s.txn = env.txnRead();
    s.snapshotAt = seq;
  }

  /**
   * Gives a claimed slot back after a read: its snapshot kept if it is still the latest, else
   * reset (the slot is discarded if the reset fails).
   */
  void endUse(Slot s) {
    long seq = commitSeq.get();
    if (s.snapshotAt != RESET && !isLatest(s.snapshotAt, seq)) {
      if (!resetOrDiscard(s)) {
        return;
      }
    }
    release(s);
  }

  /**
   * Whether a snapshot taken after the commit count read {@code snapshotAt} is still the latest
   * now that it reads {@code seq}: no commit has begun since, and none was running then.
   */
  private static boolean isLatest(long snapshotAt, long seq) {
    return snapshotAt == seq && (seq & 1) == 0;
  }

  /** Resets a claimed slot's snapshot; false (the slot discarded) if LMDB fails to. */
  private boolean resetOrDiscard(Slot s) {
    try {
      s.snapshotAt = RESET;
      s.txn.reset();
      return true;
    } catch (RuntimeException e) {
      LOG.warn("LMDB store {}: resetting a read transaction failed", directory, e);
      discard(s);
      return false;
    }
  }

  /** Called by the writer just before it commits: kept snapshots stop being reused. */
  void commitStarting() {
    commitSeq.incrementAndGet();
  }

  /**
   * Called by the writer once its commit returned or failed: resets the snapshot of every idle
   * slot that holds one taken before, so that no reader that went quiet pins the pages this
   * commit freed. A slot in use is left to its holder ({@link #endUse}).
   */
  void commitEnded() {
    long seq = commitSeq.incrementAndGet();
    for (Slot s : slots) {
      // state first (acquire), then the holder's snapshotAt written before it gave the slot back
      if (s.state == IDLE && s.snapshotAt != RESET && !isLatest(s.snapshotAt, seq)
          && s.cas(IDLE, ACTIVE)) {
        if (s.snapshotAt == RESET || resetOrDiscard(s)) {
          release(s);
        }
      }
    }
  }

  /** Slots whose native transaction holds a snapshot between reads; for tests. */
  int keptSnapshots() {
    int n = 0;
    for (Slot s : slots) {
      if (s.state == IDLE && s.snapshotAt != RESET) {
        n++;
      }
    }
    return n;
  }

  /**
   * Whether this thread holds a read transaction on a slot (it began it). Scans every slot; only
   * asked when a growth is pending, to let such a thread pass the gate (waiting would deadlock).
   */
  boolean heldByThisThread() {
    Thread me = Thread.currentThread();
    for (Slot s : slots) {
      if (s.state == ACTIVE) {
        LmdbReadTransaction tx = s.current();
        if (tx != null && tx.thread == me) {
          return true;
        }
      }
    }
    return false;
  }

  /** Ends (from close()) every read transaction that holds a slot. */
  void abandonActive() {
    for (Slot s : slots) {
      if (s.state == ACTIVE) {
        LmdbReadTransaction tx = s.current();
        if (tx != null) {
          tx.abandon();
        }
      }
    }
  }

  /**
   * Freezes every slot for the exclusive side; if one is in use, thaws what it froze and returns
   * false. Slots left frozen by an earlier holder (close() racing with a growth) count as frozen.
   */
  boolean freezeAll() {
    for (int i = 0; i < slots.length; i++) {
      Slot s = slots[i];
      int st = s.state;
      boolean frozen = st == FROZEN_EMPTY || st == FROZEN_IDLE
          || (st == IDLE && s.cas(IDLE, FROZEN_IDLE))
          || (st == EMPTY && s.cas(EMPTY, FROZEN_EMPTY));
      if (!frozen) {
        thaw(i);
        return false;
      }
    }
    return true;
  }

  /** Thaws every frozen slot. Caller holds the exclusive side. */
  void thawAll() {
    thaw(slots.length);
  }

  private void thaw(int upTo) {
    for (int i = 0; i < upTo; i++) {
      Slot s = slots[i];
      int st = s.state;
      if (st == FROZEN_IDLE) {
        STATE.setRelease(s, IDLE);
      } else if (st == FROZEN_EMPTY) {
        STATE.setRelease(s, EMPTY);
      }
    }
  }

  /**
   * Aborts the native transaction of every frozen idle slot (they become FROZEN_EMPTY). Caller
   * holds the exclusive side, so no slot is in use.
   */
  void freeFrozen() {
    for (Slot s : slots) {
      if (s.state == FROZEN_IDLE) {
        Txn<ByteBuffer> t = s.txn;
        boolean reset = s.snapshotAt == RESET;
        s.txn = null;
        s.snapshotAt = RESET;
        try {
          // lmdbjava's Txn.close() does not call mdb_txn_abort on a RESET txn, which would leak
          // the handle and (with MDB_NOTLS) its reader slot: renew first, then abort. A kept
          // snapshot is aborted as it is.
          if (reset) {
            t.renew();
          }
          t.close();
        } catch (LmdbException e) {
          LOG.warn("LMDB store {}: freeing an idle read transaction failed", directory, e);
        }
        STATE.setRelease(s, FROZEN_EMPTY);
      }
    }
  }

  /** Slots holding a native transaction (idle or in use); for tests. */
  int withNativeTxn() {
    int n = 0;
    for (Slot s : slots) {
      int st = s.state;
      if (st == IDLE || st == FROZEN_IDLE || (st == ACTIVE && s.txn != null)) {
        n++;
      }
    }
    return n;
  }
}
