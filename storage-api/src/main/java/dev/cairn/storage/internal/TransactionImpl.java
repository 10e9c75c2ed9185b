package dev.cairn.storage.internal;

import dev.cairn.storage.Transaction;
import dev.cairn.storage.spi.BackendTransaction;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link Transaction} handed to a transaction function: validates arguments, applies writes
 * to the backend transaction through the engine, and remembers what it touched so that the
 * engine can invalidate the cache and update counters after the commit.
 */
final class TransactionImpl implements Transaction {

  /** Counter changes applied to the engine's metrics only if the commit succeeds. */
  static final class Delta {
    long writes;
    long deletes;
    long dedupHits;
    long raw;
    long stored;
    long savedByDedup;
    long savedByCompression;
    long maxVersion = -1;
    final java.util.Map<String, Integer> dictionaryCandidates = new java.util.HashMap<>();
  }

  private final ValueMapping mapping;
  private final RecordStore records;
  private final VersionSequence versions;
  private final BackendTransaction btx;
  private final Thread owner = Thread.currentThread();
  private final Delta delta = new Delta();
  private final Set<AccessTracker.Ref> touched = new LinkedHashSet<>();
  private final List<AccessTracker.Ref> deleted = new ArrayList<>();
  private boolean active = true;
  private long seqWritten = -1;

  TransactionImpl(ValueMapping mapping, RecordStore records, VersionSequence versions,
      BackendTransaction btx) {
    this.mapping = mapping;
    this.records = records;
    this.versions = versions;
    this.btx = btx;
  }

  private void check() {
    if (!active) {
      throw new IllegalStateException("the transaction has ended; do not keep its Transaction");
    }
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("a Transaction may only be used by the thread running it");
    }
  }

  @Override
  public void put(String collection, String key, Object value) {
    check();
    Keys.checkCollection(collection);
    Keys.keyBytes(key);
    putBytes(collection, key, mapping.write(value));
  }

  @Override
  public <T> Optional<T> get(String collection, String key, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return getBytes(collection, key).map(b -> mapping.read(b, type));
  }

  @Override
  public void putBytes(String collection, String key, byte[] value) {
    putWithTimes(collection, key, value, 0, 0);
  }

  void putWithTimes(String collection, String key, byte[] value, long created, long updated) {
    check();
    Keys.checkCollection(collection);
    Keys.keyBytes(key);
    Objects.requireNonNull(value, "value");
    mapping.checkSize(value);
    touched.add(new AccessTracker.Ref(collection, key));
    records.write(btx, delta, collection, key, value, created, updated);
  }

  @Override
  public Optional<byte[]> getBytes(String collection, String key) {
    check();
    Keys.checkCollection(collection);
    Keys.keyBytes(key);
    return Optional.ofNullable(records.readInTransaction(btx, collection, key));
  }

  @Override
  public boolean delete(String collection, String key) {
    check();
    Keys.checkCollection(collection);
    Keys.keyBytes(key);
    AccessTracker.Ref ref = new AccessTracker.Ref(collection, key);
    touched.add(ref);
    boolean existed = records.delete(btx, delta, collection, key);
    if (existed) {
      deleted.add(ref);
    }
    return existed;
  }

  @Override
  public boolean contains(String collection, String key) {
    check();
    Keys.checkCollection(collection);
    return btx.get(RecordStore.RECORDS, Keys.recordKey(collection, Keys.keyBytes(key))) != null;
  }

  @Override
  public List<String> keys(String collection, String prefix) {
    check();
    Keys.checkCollection(collection);
    return records.keysInTransaction(btx, collection, prefix);
  }

  /** The function has returned or thrown: no more use. */
  void end() {
    active = false;
  }

  /** Persists the version high-water mark if this transaction used versions beyond it. */
  void reserveVersions() {
    if (delta.maxVersion >= 0) {
      seqWritten = versions.persistIn(btx, delta.maxVersion);
    }
  }

  /** After the commit: the version high-water mark it wrote is persisted. */
  void committed() {
    if (seqWritten >= 0) {
      versions.persisted(seqWritten);
    }
  }

  /** The counter changes of its writes. */
  Delta delta() {
    return delta;
  }

  /** The records it deleted. */
  List<AccessTracker.Ref> deleted() {
    return deleted;
  }

  /** Every record it wrote or deleted (whose cached values a commit makes stale). */
  Set<AccessTracker.Ref> touched() {
    return touched;
  }
}
