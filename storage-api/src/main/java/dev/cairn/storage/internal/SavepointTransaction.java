package dev.cairn.storage.internal;

import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A view of a backend write transaction that can undo its own changes: before the first change
 * of each key it remembers the key's value, and {@link #rollbackToSavepoint()} restores them.
 * Group commit runs several callers' transaction functions in one backend transaction this way,
 * so that one function that throws does not take the others' writes with it. Commit and
 * rollback of the underlying transaction stay with the group leader.
 */
final class SavepointTransaction implements BackendTransaction {

  private record Before(String keyspace, byte[] key, byte[] value) {}

  private final BackendTransaction delegate;
  private final List<Before> undo = new ArrayList<>();
  private final Set<ByteBuffer> remembered = new HashSet<>();

  SavepointTransaction(BackendTransaction delegate) {
    this.delegate = delegate;
  }

  private void remember(String keyspace, byte[] key) {
    byte[] tagged = new byte[keyspace.length() + 1 + key.length];
    for (int i = 0; i < keyspace.length(); i++) {
      tagged[i] = (byte) keyspace.charAt(i);
    }
    System.arraycopy(key, 0, tagged, keyspace.length() + 1, key.length);
    if (remembered.add(ByteBuffer.wrap(tagged))) {
      undo.add(new Before(keyspace, key.clone(), delegate.get(keyspace, key)));
    }
  }

  /** Restores every key this savepoint changed, newest first. */
  void rollbackToSavepoint() {
    for (int i = undo.size() - 1; i >= 0; i--) {
      Before b = undo.get(i);
      if (b.value() == null) {
        delegate.delete(b.keyspace(), b.key());
      } else {
        delegate.put(b.keyspace(), b.key(), b.value());
      }
    }
    release();
  }

  /** Keeps the changes; the next changes start a new savepoint. */
  void release() {
    undo.clear();
    remembered.clear();
  }

  @Override
  public boolean readOnly() {
    return false;
  }

  @Override
  public byte[] get(String keyspace, byte[] key) {
    return delegate.get(keyspace, key);
  }

  @Override
  public void put(String keyspace, byte[] key, byte[] value) {
    remember(keyspace, key);
    delegate.put(keyspace, key, value);
  }

  @Override
  public boolean delete(String keyspace, byte[] key) {
    remember(keyspace, key);
    return delegate.delete(keyspace, key);
  }

  @Override
  public BackendCursor scan(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    return delegate.scan(keyspace, fromInclusive, toExclusive);
  }

  @Override
  public long count(String keyspace, byte[] fromInclusive, byte[] toExclusive) {
    return delegate.count(keyspace, fromInclusive, toExclusive);
  }

  @Override
  public void commit(Durability durability) {
    throw new IllegalStateException("a grouped transaction is committed by its group");
  }

  @Override
  public void rollback() {
    throw new IllegalStateException("a grouped transaction is rolled back by its group");
  }

  @Override
  public void close() {
    // the group leader closes the backend transaction
  }
}
