package dev.cairn.backend.lmdb;

import dev.cairn.storage.Durability;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * The write transaction. LMDB allows one at a time; the backend's writer permit enforces that.
 *
 * <p>Transparent map growth: every put/delete is also kept in {@link #log}. When LMDB reports
 * {@code MDB_MAP_FULL} (on a put, a delete or the commit) the native transaction is aborted, the
 * map grown (doubling, up to {@code lmdb.mapSizeMax}) and the log replayed into a fresh native
 * transaction; the caller never sees it. Above the maximum the transaction ends with
 * {@link dev.cairn.storage.StorageFullException} and nothing is committed.
 *
 * <p>LMDB's writer lock is a mutex owned by the thread that began the transaction, so the
 * transaction must be committed or rolled back on that thread (the SPI's one-thread rule).
 */
final class LmdbWriteTransaction extends LmdbTransaction {

  /** One logged change. {@code value == null} means delete. */
  private static final class Op {
    final Dbi<ByteBuffer> dbi;
    final byte[] key;
    final byte[] value;

    Op(Dbi<ByteBuffer> dbi, byte[] key, byte[] value) {
      this.dbi = dbi;
      this.key = key;
      this.value = value;
    }
  }

  private final Thread ownerThread = Thread.currentThread();
  private Txn<ByteBuffer> txn;
  private long stamp;
  private List<Op> log = new ArrayList<>();
  private int generation;
  private long modifications;

  private final AtomicInteger stampCell;

  LmdbWriteTransaction(
      LmdbBackend backend, Txn<ByteBuffer> txn, long stamp, AtomicInteger stampCell) {
    super(backend);
    this.txn = txn;
    this.stamp = stamp;
    this.stampCell = stampCell;
  }

  @Override
  public boolean readOnly() {
    return false;
  }

  @Override
  Txn<ByteBuffer> nativeTxn() {
    return txn;
  }

  @Override
  ByteBuffer keyBuffer(byte[] key) {
    return fill(backend.writerKeyBuffer(), key);
  }

  @Override
  int generation() {
    return generation;
  }

  @Override
  long modifications() {
    return modifications;
  }

  @Override
  void checkActive() {
    super.checkActive();
    if (backend.isClosed()) {
      // close() is waiting for us: end here, on the owning thread, as LMDB requires.
      end(State.ROLLED_BACK);
      throw backend.closedError();
    }
  }

  @Override
  public synchronized void put(String keyspace, byte[] key, byte[] value) {
    checkActive();
    Dbi<ByteBuffer> dbi = backend.dbi(keyspace);
    backend.checkKey(key);
    Objects.requireNonNull(value, "value");
    Op op = new Op(dbi, key.clone(), value.clone());
    execute(op);
  }

  @Override
  public synchronized boolean delete(String keyspace, byte[] key) {
    checkActive();
    Dbi<ByteBuffer> dbi = backend.dbi(keyspace);
    backend.checkKey(key);
    return execute(new Op(dbi, key.clone(), null));
  }

  /** Applies {@code op} (logging it first), growing the map and replaying as needed. */
  private boolean execute(Op op) {
    log.add(op);
    modifications++;
    while (true) {
      try {
        return apply(txn, op);
      } catch (Env.MapFullException e) {
        recover(e, log.size() - 1);
      } catch (LmdbException e) {
        fail();
        throw backend.errors.translate(op.value == null ? "delete" : "write", e);
      } catch (RuntimeException | Error e) {
        fail();
        throw e;
      }
    }
  }

  private boolean apply(Txn<ByteBuffer> target, Op op) {
    ByteBuffer k = keyBuffer(op.key);
    if (op.value == null) {
      return op.dbi.delete(target, k);
    }
    // MDB_RESERVE: LMDB hands out the value's place in the dirty page; one copy, no staging.
    ByteBuffer dst = op.dbi.reserve(target, k, op.value.length);
    dst.put(dst.position(), op.value);
    return true;
  }

  /**
   * After {@code MDB_MAP_FULL}: abort, grow, start a new native transaction and replay the first
   * {@code replay} logged operations into it, repeating until they fit.
   */
  private void recover(LmdbException cause, int replay) {
    while (true) {
      detachCursors();
      txn.close(); // aborts (a failed commit already freed it; close() then does nothing)
      backend.mapGate.releaseShared(stamp, stampCell);
      stamp = 0;
      try {
        backend.mapGate.growOnMapFull(cause);
        stamp = backend.mapGate.acquireShared(stampCell);
        txn = backend.newWriteTxn();
      } catch (LmdbException e) {
        fail();
        throw backend.errors.translate("write", e);
      } catch (RuntimeException | Error e) {
        fail();
        throw e;
      }
      generation++;
      try {
        for (int i = 0; i < replay; i++) {
          apply(txn, log.get(i));
        }
        return;
      } catch (Env.MapFullException again) {
        cause = again;
      } catch (LmdbException e) {
        fail();
        throw backend.errors.translate("write", e);
      }
    }
  }

  @Override
  public synchronized void commit(Durability durability) {
    requireDurability(durability);
    checkActive();
    closeCursors();
    LmdbReadSlots slots = backend.readSlots();
    slots.commitStarting(); // read slots stop reusing their snapshots until it has ended
    try {
      while (true) {
        try {
          txn.commit();
          break;
        } catch (Env.MapFullException e) {
          // mdb_txn_commit aborted the native transaction; grow, replay everything, commit again.
          recover(e, log.size());
        } catch (LmdbException e) {
          fail();
          throw backend.errors.translate("commit", e);
        }
      }
    } finally {
      slots.commitEnded();
    }
    try {
      if (durability != Durability.ASYNC) {
        backend.sync();
      }
    } finally {
      finish(State.COMMITTED);
    }
  }

  @Override
  public synchronized void rollback() {
    checkActive();
    end(State.ROLLED_BACK);
  }

  @Override
  public synchronized void close() {
    if (state == State.ACTIVE) {
      end(State.ROLLED_BACK);
    }
  }

  @Override
  void abandon() {
    if (Thread.currentThread() == ownerThread) {
      close();
      return;
    }
    // Give the owning thread the chance to end it (it notices the closed backend).
    if (backend.awaitWriterForClose()) {
      return;
    }
    synchronized (this) {
      if (state == State.ACTIVE) {
        org.slf4j.LoggerFactory.getLogger(LmdbWriteTransaction.class)
            .warn(
                "LMDB store {}: a write transaction of thread {} was still open at close; rolling"
                    + " it back from thread {}",
                backend.directory,
                ownerThread.getName(),
                Thread.currentThread().getName());
        end(State.ROLLED_BACK);
      }
    }
  }

  /** Rolls back the native transaction and releases everything. */
  private void end(State newState) {
    try {
      closeCursors();
      txn.close();
    } finally {
      finish(newState);
    }
  }

  /** After an error: abort what is left and release. */
  private void fail() {
    try {
      closeCursors();
      txn.close();
    } catch (RuntimeException e) {
      // already failing; the original error is what the caller needs
    } finally {
      finish(State.FAILED);
    }
  }

  private void finish(State newState) {
    if (state != State.ACTIVE) {
      return;
    }
    state = newState;
    log = null;
    long s = stamp;
    stamp = 0;
    backend.unregister(this);
    backend.releaseWriter(s, stampCell, newState == State.COMMITTED);
  }
}
