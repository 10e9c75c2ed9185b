package dev.cairn.backend.h2;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RootReference;

/**
 * The roots of every keyspace map as of one commit, plus a pin on the MVStore version so the
 * chunks those roots point into are not reused while anybody reads them.
 *
 * <p>Reference counted: the backend holds one reference while the snapshot is the published
 * one, each read transaction holds one while open. The last release unpins the version.
 */
final class Snapshot {

  private final Map<String, RootReference<byte[], byte[]>> roots;
  private final MVStore store;
  private final MVStore.TxCounter pin;
  private final AtomicInteger refs = new AtomicInteger(1);

  Snapshot(Map<String, RootReference<byte[], byte[]>> roots, MVStore store, MVStore.TxCounter pin) {
    this.roots = Map.copyOf(roots);
    this.store = store;
    this.pin = pin;
  }

  RootReference<byte[], byte[]> root(String mapName) {
    return roots.get(mapName);
  }

  Map<String, RootReference<byte[], byte[]>> roots() {
    return roots;
  }

  /** Takes a reference unless the snapshot was already fully released. */
  boolean tryRetain() {
    while (true) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  void release() {
    if (refs.decrementAndGet() == 0 && !store.isClosed()) {
      store.deregisterVersionUsage(pin);
    }
  }
}
