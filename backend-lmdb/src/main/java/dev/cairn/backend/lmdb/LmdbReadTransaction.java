package dev.cairn.backend.lmdb;

import dev.cairn.storage.Durability;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.lmdbjava.Txn;

/**
 * A read-only transaction over one LMDB snapshot. Its native transaction comes from the
 * backend's pool of reset transactions (renewed here) and goes back there when it ends, so the
 * hot path never pays {@code mdb_txn_begin}. It never blocks the writer.
 */
final class LmdbReadTransaction extends LmdbTransaction {

  private final LmdbBackend.ReadSlot slot;
  private final long stamp;
  private final AtomicInteger stampCell;

  LmdbReadTransaction(
      LmdbBackend backend, LmdbBackend.ReadSlot slot, long stamp, AtomicInteger stampCell) {
    super(backend);
    this.slot = slot;
    this.stamp = stamp;
    this.stampCell = stampCell;
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
      backend.unregister(this);
      backend.releaseReadSlot(slot, stamp, stampCell);
    }
  }
}
