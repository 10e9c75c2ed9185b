package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The ceiling of a group commit on SQLite: the raw library ({@link RawSqlite}, the same file
 * settings and the same durable commit) with the writers of {@code groupCommit16/64} grouped
 * into one transaction per commit, and nothing else but the one check no checking store can
 * skip (each value sealed with a CRC32C, {@link Sealing}). No record header, versions, change
 * counting or lifecycle: what {@code impl=ceiling} scores on {@code groupCommit*} is what any
 * store that makes each writer's record durable before it returns can reach by grouping on this
 * engine and disk, in the same run as raw and Cairn (benchmarks/README.md, "Ceilings").
 *
 * <p>The grouping is Cairn's own scheme with nothing around it: a writer queues its record; the
 * one that takes the lock commits everything queued, then wakes the writers it committed and the
 * next in line, which leads the next group; the others sleep until woken.
 *
 * <p>Only the group commit is measured this way; the other cases have no SQLite ceiling and
 * refuse to run on it.
 */
final class CeilingSqlite implements Kv {

  /** One writer's record, queued for the next group. */
  private static final class Request {
    final String key;
    final byte[] sealed;
    final Thread caller = Thread.currentThread();
    volatile boolean done;

    Request(String key, byte[] sealed) {
      this.key = key;
      this.sealed = sealed;
    }
  }

  private final RawSqlite raw;
  private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
  private final ReentrantLock lock = new ReentrantLock();

  CeilingSqlite(Path dir) {
    raw = new RawSqlite(dir);
  }

  @Override
  public void putOneGroup(String key, byte[] value) {
    Request mine = new Request(key, Sealing.seal(Values.keyBytes(key), value));
    queue.add(mine);
    while (!mine.done) {
      if (lock.tryLock()) {
        try {
          if (!mine.done) {
            commitQueued();
          }
        } finally {
          lock.unlock();
        }
        Request next = queue.peek();
        if (next != null) {
          LockSupport.unpark(next.caller); // it leads the next group
        }
      } else {
        // only the head of the queue polls; the others sleep until their group has committed
        LockSupport.parkNanos(this, queue.peek() == mine ? 200_000 : 20_000_000);
      }
    }
  }

  /** Commits every queued record in one durable transaction; the caller holds the lock. */
  private void commitQueued() {
    List<Request> group = new ArrayList<>();
    for (Request r; (r = queue.poll()) != null; ) {
      group.add(r);
    }
    String[] keys = new String[group.size()];
    byte[][] values = new byte[group.size()][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = group.get(i).key;
      values[i] = group.get(i).sealed;
    }
    raw.putBatch(keys, values); // one transaction, one durable commit (synchronous=FULL)
    for (Request r : group) {
      r.done = true;
      LockSupport.unpark(r.caller);
    }
  }

  @Override
  public void putBatch(String[] keys, byte[][] values) {
    throw unmeasured("putBatch");
  }

  @Override
  public void putOne(String key, byte[] value) {
    throw unmeasured("putOne");
  }

  @Override
  public byte[] get(String key) {
    throw unmeasured("get");
  }

  @Override
  public long scanKeys(Blackhole bh) {
    throw unmeasured("scanKeys");
  }

  @Override
  public long scanAll(Blackhole bh) {
    throw unmeasured("scanAll");
  }

  private static UnsupportedOperationException unmeasured(String op) {
    return new UnsupportedOperationException(
        "the SQLite ceiling measures only the group commit, not " + op);
  }

  @Override
  public void close() {
    raw.close();
  }
}
