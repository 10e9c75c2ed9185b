package dev.cairn.backend.lmdb;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.StorageFullException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.StampedLock;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the memory map grows while transactions run. LMDB resizes the map
 * ({@code mdb_env_set_mapsize}) only while no transaction of the process is active, so every
 * transaction, and a running snapshot, passes this gate. Write transactions, snapshots and read
 * transactions that found no free read slot hold a <em>shared</em> stamp of {@link #mapLock}
 * while they run; a read transaction on a read slot ({@link LmdbReadSlots}) holds the slot
 * instead, which costs no write to shared memory. The <em>exclusive</em> side is the write lock
 * of {@link #mapLock} <em>and</em> every read slot frozen ({@link LmdbReadSlots#freezeAll}); a
 * slot can be claimed only while it is not frozen, so the two exclude each other.
 *
 * <p>The map grows by doubling (capped at {@code lmdb.mapSizeMax}) in two ways:
 *
 * <ul>
 *   <li><b>ahead</b>, after a commit that left the map 3/4 full, only if no transaction is active
 *       at that moment ({@link #growAhead}); it never waits;
 *   <li><b>on demand</b>, when a write hit {@code MDB_MAP_FULL} ({@link #growOnMapFull}): the
 *       write transaction has released its stamp, and the growth waits up to
 *       {@code lmdb.writerTimeoutMs} for running transactions to end while new ones wait for it.
 * </ul>
 *
 * <p>Writer preference: JDK 17's {@link StampedLock} lets readers barge past a queued writer, so
 * continuous overlapping reads would starve a growth. While {@link #exclusivePending} is above
 * zero, new transactions wait at this gate, except on a thread that already holds a stamp or a
 * read slot (waiting there would deadlock against our own exclusive request). A thread's count of
 * held stamps is its {@linkplain #stampCell() stamp cell}; the backend passes it back on release
 * so a transaction ended on another thread (close) decrements the right count. A read on a slot
 * checks {@link #exclusivePending()} right after claiming its slot and, if set, gives the slot
 * back and comes here: so a growth is not starved by a stream of reads, and it waits only for
 * the reads that were running when it began.
 */
final class LmdbMapGrowthGate {

  private static final Logger LOG = LoggerFactory.getLogger(LmdbMapGrowthGate.class);

  private final Env<ByteBuffer> env;
  private final Path directory;
  private final LmdbOptions options;
  private final LmdbErrorMapper errors;
  private final AtomicBoolean closed;
  private final LmdbReadSlots readSlots;
  private final long pageSize;

  private final StampedLock mapLock = new StampedLock();
  private final AtomicInteger exclusivePending = new AtomicInteger();
  private final Object gate = new Object();
  private final ThreadLocal<AtomicInteger> stampsOfThisThread =
      ThreadLocal.withInitial(AtomicInteger::new);
  private volatile long mapSize;

  /**
   * @param closed the backend's closed flag: no growth once it is set
   * @param readSlots the backend's read slots: frozen by the exclusive side, and their idle
   *     native transactions freed right before the map is resized
   */
  LmdbMapGrowthGate(
      Env<ByteBuffer> env,
      Path directory,
      LmdbOptions options,
      LmdbErrorMapper errors,
      AtomicBoolean closed,
      LmdbReadSlots readSlots) {
    this.env = env;
    this.directory = directory;
    this.options = options;
    this.errors = errors;
    this.closed = closed;
    this.readSlots = readSlots;
    this.mapSize = env.info().mapSize;
    this.pageSize = env.stat().pageSize;
  }

  /** The current map size in bytes. */
  long mapSize() {
    return mapSize;
  }

  /** The calling thread's count of held stamps; pass it back to {@link #releaseShared}. */
  AtomicInteger stampCell() {
    return stampsOfThisThread.get();
  }

  /** Whether a growth or close() waits for the exclusive side (new transactions should wait). */
  boolean exclusivePending() {
    return exclusivePending.get() > 0;
  }

  /**
   * A shared stamp, taken by writers, snapshots and reads without a slot; waits while a growth is
   * pending unless this thread holds a stamp or a read slot.
   */
  long acquireShared(AtomicInteger held) {
    if (exclusivePending.get() > 0 && held.get() <= 0 && !readSlots.heldByThisThread()) {
      boolean interrupted = false;
      synchronized (gate) {
        while (exclusivePending.get() > 0) {
          try {
            gate.wait();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    long stamp = mapLock.readLock();
    held.incrementAndGet();
    return stamp;
  }

  void releaseShared(long stamp, AtomicInteger held) {
    mapLock.unlockRead(stamp);
    held.decrementAndGet();
  }

  /**
   * The exclusive side: no transaction of this backend runs until {@link #releaseExclusive}, and
   * every read slot is frozen. Returns 0 after {@code timeoutMs} (-1: no timeout).
   *
   * @param whileBusy run between attempts while read slots are still in use (close() ends their
   *     transactions), or null
   */
  long acquireExclusive(long timeoutMs, Runnable whileBusy) throws InterruptedException {
    exclusivePending.incrementAndGet();
    long deadline =
        timeoutMs < 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    long ws = 0;
    try {
      for (int attempt = 0; ; attempt++) {
        if (timeoutMs < 0) {
          ws = mapLock.writeLockInterruptibly();
        } else {
          long left = deadline - System.nanoTime();
          ws = left > 0 ? mapLock.tryWriteLock(left, TimeUnit.NANOSECONDS) : mapLock.tryWriteLock();
          if (ws == 0) {
            return 0;
          }
        }
        if (readSlots.freezeAll()) {
          return ws;
        }
        // A read on a slot is still running: let it end (it needs no stamp to), then try again.
        mapLock.unlockWrite(ws);
        ws = 0;
        if (whileBusy != null) {
          whileBusy.run();
        }
        if (timeoutMs >= 0 && deadline - System.nanoTime() <= 0) {
          return 0;
        }
        backOff(attempt);
      }
    } finally {
      if (ws == 0) {
        openGate();
      }
    }
  }

  /** Waits a little between attempts: spins first, then parks up to 1 ms. */
  private static void backOff(int attempt) throws InterruptedException {
    if (attempt < 16) {
      Thread.onSpinWait();
    } else if (attempt < 32) {
      Thread.yield();
    } else {
      LockSupport.parkNanos(Math.min(1_000_000L, 1_000L << Math.min(attempt - 32, 10)));
    }
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
  }

  /** Releases the exclusive side; the read slots stay frozen once the backend is closed. */
  void releaseExclusive(long ws) {
    if (!closed.get()) {
      readSlots.thawAll();
    }
    mapLock.unlockWrite(ws);
    openGate();
  }

  private void openGate() {
    if (exclusivePending.decrementAndGet() == 0) {
      synchronized (gate) {
        gate.notifyAll();
      }
    }
  }

  /**
   * After a commit: when the data fills 3/4 of the map, grow it now if that is possible without
   * waiting (no transaction active), so that growth under {@code MDB_MAP_FULL}, which has to
   * wait for readers, stays rare. A failure here is logged; the map then grows on demand.
   */
  void growAhead() {
    long current = mapSize;
    if (current >= options.mapSizeMax() || closed.get()) {
      return;
    }
    try {
      // The caller has released its stamp, so close() may be closing the environment: read its
      // info only under a stamp of our own, taken after close() would have said so.
      long rs = mapLock.tryReadLock();
      if (rs == 0) {
        return; // a growth or close() holds the exclusive side
      }
      long used;
      try {
        if (closed.get()) {
          return;
        }
        used = (env.info().lastPageNumber + 1) * pageSize;
      } finally {
        mapLock.unlockRead(rs);
      }
      if (used < current - current / 4) {
        return;
      }
      long ws = mapLock.tryWriteLock();
      if (ws == 0) {
        return;
      }
      try {
        if (closed.get() || !readSlots.freezeAll()) {
          return; // closing, or a read is running: grow later
        }
        try {
          long next = nextMapSize(current);
          readSlots.freeFrozen();
          env.setMapSize(next);
          mapSize = next;
          LOG.info("LMDB store {}: map grown ahead from {} to {} bytes", directory, current, next);
        } finally {
          if (!closed.get()) {
            readSlots.thawAll();
          }
        }
      } finally {
        mapLock.unlockWrite(ws);
      }
    } catch (LmdbException e) {
      LOG.warn("LMDB store {}: growing the map ahead failed; will grow on demand", directory, e);
    }
  }

  private long nextMapSize(long current) {
    long max = options.mapSizeMax();
    return Math.min(max, LmdbOptions.alignUp(current > max / 2 ? max : current * 2));
  }

  /**
   * Grows the map after {@code MDB_MAP_FULL}. Called by the writer thread with its native
   * transaction aborted and its stamp released; waits for the running transactions to end.
   *
   * @throws StorageFullException when the map is already at {@code lmdb.mapSizeMax}
   * @throws BackendException when this thread holds a read transaction (the growth would wait
   *     for itself), or other transactions stayed open for {@code lmdb.writerTimeoutMs}
   * @throws IllegalStateException when the backend was closed meanwhile
   */
  void growOnMapFull(LmdbException cause) {
    long current = mapSize;
    long max = Math.max(options.mapSizeMax(), current);
    if (current >= max) {
      throw new StorageFullException(
          "LMDB store "
              + directory
              + " is full: the map reached its maximum of "
              + max
              + " bytes (lmdb.mapSizeMax); the transaction was rolled back",
          cause);
    }
    if (stampsOfThisThread.get().get() > 0 || readSlots.heldByThisThread()) {
      throw new BackendException(
          "cannot grow the LMDB map of "
              + directory
              + ": this thread holds an open read transaction (LMDB can resize only while no"
              + " transaction is active); the write transaction was rolled back",
          cause);
    }
    long next = Math.max(current, nextMapSize(current));
    long ws;
    try {
      ws = acquireExclusive(options.writerTimeoutMs(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted while waiting to grow the LMDB map", e);
    }
    if (ws == 0) {
      throw new BackendException(
          "could not grow the LMDB map of "
              + directory
              + ": read transactions or a snapshot stayed open for "
              + options.writerTimeoutMs()
              + " ms (lmdb.writerTimeoutMs); the transaction was rolled back",
          cause);
    }
    try {
      if (closed.get()) {
        throw LmdbBackend.closedError(directory);
      }
      readSlots.freeFrozen();
      env.setMapSize(next);
      mapSize = next;
      LOG.info("LMDB store {}: map grown from {} to {} bytes", directory, current, next);
    } catch (LmdbException e) {
      throw errors.translate("grow the map", e);
    } finally {
      releaseExclusive(ws);
    }
  }
}
