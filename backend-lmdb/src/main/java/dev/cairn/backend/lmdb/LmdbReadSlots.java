package dev.cairn.backend.lmdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
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
 * <p>Map growth and {@code close()} (the exclusive side of {@link LmdbMapGrowthGate}) claim
 * every slot ({@link #freezeAll}): a frozen slot cannot be claimed, and freezing fails while a
 * slot is in use. States: {@link #EMPTY} (no native transaction), {@link #IDLE} (reset),
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

  /** Gives an ACTIVE slot back, its native transaction reset (or still EMPTY if never made). */
  void release(Slot s) {
    CURRENT.setRelease(s, (LmdbReadTransaction) null);
    STATE.setRelease(s, s.txn == null ? EMPTY : IDLE);
  }

  /** Gives an ACTIVE slot back after its native transaction failed: aborted, slot EMPTY. */
  void discard(Slot s) {
    Txn<ByteBuffer> t = s.txn;
    s.txn = null;
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
        s.txn = null;
        try {
          // lmdbjava's Txn.close() does not call mdb_txn_abort on a RESET txn, which would leak
          // the handle and (with MDB_NOTLS) its reader slot: renew first, then abort.
          t.renew();
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
