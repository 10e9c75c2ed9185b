package dev.cairn.storage.internal;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Capability;
import java.nio.charset.StandardCharsets;

/**
 * The store-wide sequence of version numbers: each write of a record takes the next one, and a
 * blob that write creates is named by it too, so a number is never handed out twice — not after
 * a crash, and not by two instances sharing a backend.
 *
 * <p>The high-water mark is the meta entry {@link #KEY}. On a single-process backend the
 * numbers come from memory, and a transaction that uses numbers beyond the mark persists a mark
 * one block ({@value #BLOCK}) ahead in the same backend transaction ({@link #persistIn}), so a
 * crash can only skip numbers. A backend that other processes write to as well
 * ({@link Capability#MULTI_PROCESS}) reserves blocks in separate short transactions, so two
 * instances never hand out the same number.
 *
 * <p>Threading: every method is called under the engine's write lock (by the transaction
 * writing, or by the commit after it), which guards the two counters.
 */
final class VersionSequence {

  /** The meta entry holding the high-water mark. */
  static final byte[] KEY = "seq".getBytes(StandardCharsets.US_ASCII);
  private static final long BLOCK = 4096;

  private final Backend backend;
  private final boolean shared;
  private long next;
  private long persisted;

  /**
   * @param persisted the high-water mark read at open
   * @param shared whether other processes write to the backend too
   */
  VersionSequence(Backend backend, boolean shared, long persisted) {
    this.backend = backend;
    this.shared = shared;
    if (shared) {
      this.persisted = 0; // reserve a block of our own at the first write
      this.next = 1;
    } else {
      this.persisted = persisted;
      this.next = persisted + 1;
    }
  }

  /** The next version number, reserving a block first if a shared backend needs one. */
  long next() {
    if (shared && next > persisted) {
      reserveSharedBlock();
    }
    return next++;
  }

  private void reserveSharedBlock() {
    ConflictRetry.retryOnConflict(() -> {
      try (BackendTransaction btx = backend.beginWrite()) {
        long current = RecordFormat.parseLong(btx.get(RecordStore.META, KEY), "meta sequence");
        btx.put(RecordStore.META, KEY, RecordFormat.encodeLong(current + BLOCK));
        btx.commit(Durability.SYNC);
        next = current + 1;
        persisted = current + BLOCK;
        return null;
      }
    }, null);
  }

  /**
   * Before the commit of a transaction that used versions up to {@code maxUsed}: puts the
   * high-water mark into {@code btx} if those versions go beyond it (single process only).
   *
   * @return the mark written, for {@link #persisted} after the commit; -1 if none was needed
   */
  long persistIn(BackendTransaction btx, long maxUsed) {
    if (shared || maxUsed <= persisted) {
      return -1;
    }
    long seq = maxUsed + BLOCK;
    btx.put(RecordStore.META, KEY, RecordFormat.encodeLong(seq));
    return seq;
  }

  /** After the commit that wrote {@code seq} (from {@link #persistIn}). */
  void persisted(long seq) {
    persisted = Math.max(persisted, seq);
  }
}
