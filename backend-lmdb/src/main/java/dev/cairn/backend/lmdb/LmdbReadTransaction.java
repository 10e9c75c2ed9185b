package dev.cairn.backend.lmdb;

import dev.cairn.storage.Durability;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.lmdbjava.Txn;

/**
 * A read-only transaction over one LMDB snapshot. Its native transaction is usually a read slot's
 * ({@link LmdbReadSlots}: renewed by the backend when this transaction begins unless its snapshot
 * is still the latest, and kept or reset when it ends), so the hot path never pays
 * {@code mdb_txn_begin}. When every slot was
 * busy it has a native transaction of its own and holds a shared stamp of the map gate instead. It
 * never blocks the writer.
 */
final class LmdbReadTransaction extends LmdbTransaction {

  private final LmdbReadSlots.Slot slot;
  /** The stamp of a transaction outside the slots (0 on a slot). */
  private final long stamp;
  private final AtomicInteger stampCell;
  /** The thread that began it (a growth on that thread must not wait for it). */
  final Thread thread = Thread.currentThread();

  LmdbReadTransaction(
      LmdbBackend backend, LmdbReadSlots.Slot slot, long stamp, AtomicInteger stampCell) {
    super(backend);
    this.slot = slot;
    this.stamp = stamp;
    this.stampCell = stampCell;
  }

  LmdbReadSlots.Slot slot() {
    return slot;
  }

  @Override
  public boolean readOnly() {
    return true;
  }

  @Override
  Txn<ByteBuffer> nativeTxn() {
    return slot.txn;
  }

  @Override
  ByteBuffer keyBuffer(byte[] key) {
    return fill(slot.keyBuffer, key);
  }

  @Override
  public synchronized void put(String keyspace, byte[] key, byte[] value) {
    checkActive();
    throw new IllegalStateException("put in a read-only transaction");
  }

  @Override
  public synchronized boolean delete(String keyspace, byte[] key) {
    checkActive();
    throw new IllegalStateException("delete in a read-only transaction");
  }

  @Override
  public synchronized void commit(Durability durability) {
    requireDurability(durability);
    checkActive();
    end(State.COMMITTED);
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
  synchronized void abandon() {
    close();
  }

  private void end(State newState) {
    state = newState;
    try {
      closeCursors();
    } finally {
      backend.endRead(this, slot, stamp, stampCell);
    }
  }
}
