package dev.cairn.storage.internal;

import dev.cairn.storage.KeyRange;
import dev.cairn.storage.Transaction;
import dev.cairn.storage.Versioned;
import dev.cairn.storage.spi.BackendTransaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link Transaction} handed to a transaction function: checks its arguments, reads and
 * writes through the {@link RecordStore} in the one backend write transaction of this attempt,
 * and remembers what it touched, so that the {@link CommitPipeline} can persist the version
 * mark, update the counters and invalidate the cache after the commit.
 *
 * <p>Threading: used only by the thread running the transaction function, and only while it
 * runs; any other use throws {@link IllegalStateException}.
 */
final class TransactionImpl implements Transaction {

  /** Counter changes applied to the engine's metrics only if the commit succeeds. */
  static final class Delta {
    long writes;
    long deletes;
    /** Expired records removed (by maintenance's purge, or a delete of an expired record). */
    long purged;
    long dedupHits;
    long raw;
    long stored;
    long savedByDedup;
    long savedByCompression;
    long maxVersion = -1;
    final Map<String, Integer> dictionaryCandidates = new HashMap<>();
  }

  private final ValueMapping mapping;
  private final StorageConfig config;
  private final RecordStore records;
  private final VersionSequence versions;
  private final BackendTransaction btx;
  private final Thread owner = Thread.currentThread();
  private final Delta delta = new Delta();
  private final Set<AccessTracker.Ref> touched = new LinkedHashSet<>();
  private final List<AccessTracker.Ref> deleted = new ArrayList<>();
  /** The changes for the feed, in the order written; null when the store has no feed. */
  private final List<FeedLog.Pending> changes;
  private boolean active = true;
  private boolean discarded;
  private long seqWritten = -1;

  TransactionImpl(ValueMapping mapping, StorageConfig config, RecordStore records,
      VersionSequence versions, BackendTransaction btx, boolean feed) {
    this.changes = feed ? new ArrayList<>() : null;
    this.mapping = mapping;
    this.config = config;
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

  // The Transaction API: each method checks its arguments once, then does its work through
  // the internal methods below, which take them checked and encoded (RecordKey).

  @Override
  public void put(String collection, String key, Object value) {
    check();
    RecordKey k = RecordKey.of(collection, key);
    byte[] bytes = mapping.write(value);
    mapping.checkSize(bytes);
    write(k, bytes);
  }

  @Override
  public void put(String collection, String key, Object value, java.time.Duration ttl) {
    check();
    RecordKey k = RecordKey.of(collection, key);
    long ttlMillis = Expiry.ttlMillis(ttl);
    byte[] bytes = mapping.write(value);
    mapping.checkSize(bytes);
    write(k, bytes, 0, 0, Expiry.after(config.clock().millis(), ttlMillis));
  }

  @Override
  public <T> Optional<T> get(String collection, String key, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return getBytes(collection, key).map(b -> mapping.read(b, type));
  }

  @Override
  public void putBytes(String collection, String key, byte[] value) {
    check();
    RecordKey k = RecordKey.of(collection, key);
    Objects.requireNonNull(value, "value");
    mapping.checkSize(value);
    write(k, value);
  }

  @Override
  public void putBytes(String collection, String key, byte[] value, java.time.Duration ttl) {
    check();
    RecordKey k = RecordKey.of(collection, key);
    long ttlMillis = Expiry.ttlMillis(ttl);
    Objects.requireNonNull(value, "value");
    mapping.checkSize(value);
    write(k, value, 0, 0, Expiry.after(config.clock().millis(), ttlMillis));
  }

  @Override
  public Optional<byte[]> getBytes(String collection, String key) {
    check();
    return Optional.ofNullable(read(RecordKey.of(collection, key)));
  }

  @Override
  public boolean delete(String collection, String key) {
    check();
    return delete(RecordKey.of(collection, key));
  }

  @Override
  public boolean contains(String collection, String key) {
    check();
    return contains(RecordKey.of(collection, key));
  }

  @Override
  public List<String> keys(String collection, String prefix) {
    check();
    Keys.checkCollection(collection);
    return records.keys(btx, collection, prefix);
  }

  @Override
  public List<String> keys(String collection, KeyRange range) {
    check();
    Keys.checkCollection(collection);
    return records.keys(btx, ScanRange.of(collection, range));
  }

  @Override
  public boolean putIfAbsent(String collection, String key, Object value) {
    check();
    return writeIfAbsent(RecordKey.of(collection, key), mapping.mapped(value));
  }

  @Override
  public boolean putBytesIfAbsent(String collection, String key, byte[] value) {
    check();
    return writeIfAbsent(RecordKey.of(collection, key), mapping.checked(value));
  }

  @Override
  public boolean replaceIfVersion(
      String collection, String key, long expectedVersion, Object value) {
    check();
    RecordKey k = RecordKey.of(collection, key);
    return writeIfVersion(k, checkVersion(expectedVersion), mapping.mapped(value));
  }

  @Override
  public boolean replaceBytesIfVersion(
      String collection, String key, long expectedVersion, byte[] value) {
    check();
    RecordKey k = RecordKey.of(collection, key);
    return writeIfVersion(k, checkVersion(expectedVersion), mapping.checked(value));
  }

  @Override
  public boolean deleteIfVersion(String collection, String key, long expectedVersion) {
    check();
    return deleteIfVersion(RecordKey.of(collection, key), checkVersion(expectedVersion));
  }

  @Override
  public <T> Optional<Versioned<T>> getVersioned(String collection, String key, Class<T> type) {
    Objects.requireNonNull(type, "type");
    check();
    RecordStore.Read r = readVersioned(RecordKey.of(collection, key));
    return r == null ? Optional.empty()
        : Optional.of(new Versioned<>(mapping.read(r.raw(), type), r.version()));
  }

  /** {@code expectedVersion} if it can be a version (versions start at 1). */
  static long checkVersion(long expectedVersion) {
    if (expectedVersion <= 0) {
      throw new IllegalArgumentException(
          "expectedVersion must be positive (versions start at 1): " + expectedVersion);
    }
    return expectedVersion;
  }

  // Conditional writes: the check reads the record in this backend write transaction, so it
  // sees this transaction's own writes and the latest committed state (the write lock is held,
  // and on a shared backend the read is part of the serializable transaction: a concurrent
  // writer that changes the record makes one of the two conflict and run again). When the
  // check fails nothing is touched, read or written besides the record.

  /** Writes {@code value} if the key has no record in this transaction's view. */
  boolean writeIfAbsent(RecordKey k, byte[] value) {
    check();
    if (records.contains(btx, k)) {
      return false;
    }
    write(k, value);
    return true;
  }

  /** Writes {@code value} if the record has version {@code expectedVersion}. */
  boolean writeIfVersion(RecordKey k, long expectedVersion, byte[] value) {
    if (!hasVersion(k, expectedVersion)) {
      return false;
    }
    write(k, value);
    return true;
  }

  /** Deletes the record if it has version {@code expectedVersion}. */
  boolean deleteIfVersion(RecordKey k, long expectedVersion) {
    return hasVersion(k, expectedVersion) && delete(k);
  }

  private boolean hasVersion(RecordKey k, long expectedVersion) {
    check();
    RecordFormat.StoredRecord r = records.find(btx, k);
    return r != null && r.version() == expectedVersion;
  }

  /** The record's value and version as this transaction sees it, or null. */
  RecordStore.Read readVersioned(RecordKey k) {
    check();
    return records.read(btx, k);
  }

  /**
   * Marks a transaction whose conditional write did not apply: it wrote nothing, so the
   * pipeline ends its backend transaction without a commit and reports nothing
   * ({@link CommitPipeline#runConditional}).
   */
  void discard() {
    if (!touched.isEmpty() || delta.maxVersion >= 0) {
      throw new IllegalStateException("a transaction that wrote is never discarded");
    }
    discarded = true;
  }

  /** Whether {@link #discard} was called. */
  boolean discarded() {
    return discarded;
  }

  /**
   * Writes a value already mapped and size-checked, expiring per its collection's default TTL
   * (or never).
   */
  void write(RecordKey k, byte[] value) {
    write(k, value, 0, 0, config.defaultExpiry(k.collection()));
  }

  /**
   * Writes a value already mapped and size-checked; a positive {@code created} / {@code updated}
   * replaces the record's times (an import keeps the exported ones); {@code expiresAt} is its
   * expiry in epoch milliseconds, or {@link RecordFormat#NEVER}.
   */
  void write(RecordKey k, byte[] value, long created, long updated, long expiresAt) {
    check();
    touched.add(k.ref());
    records.write(btx, delta, k, value, created, updated, expiresAt);
    if (changes != null) {
      changes.add(new FeedLog.Pending(false, k.bytes(), delta.maxVersion));
    }
  }

  /**
   * Deletes a record; returns whether it existed (an expired record is removed too, but did
   * not exist for the caller).
   */
  boolean delete(RecordKey k) {
    check();
    AccessTracker.Ref ref = k.ref();
    touched.add(ref);
    RecordStore.Deleted found = records.delete(btx, delta, k);
    if (found == null) {
      return false;
    }
    deleted.add(ref);
    if (changes != null) {
      changes.add(new FeedLog.Pending(true, k.bytes(), found.version())); // a purge too
    }
    return !found.expired();
  }

  /**
   * Maintenance's purge: removes up to {@code limit} records expired at {@code nowMillis},
   * oldest expiry first, each through {@link #delete} (so that a purge is a delete in every
   * respect: blob references released in this transaction, cache invalidated after the commit);
   * returns the number of expiry index entries handled (fewer than {@code limit}: none left).
   */
  int purgeExpired(long nowMillis, int limit) {
    check();
    List<byte[]> entries = records.expiredEntries(btx, nowMillis, limit);
    for (byte[] entry : entries) {
      byte[] rk = RecordStore.recordKeyOf(entry);
      Long expiresAt = RecordStore.peekExpiry(btx, rk);
      if (expiresAt != null && expiresAt == RecordStore.expiryOf(entry)
          && RecordFormat.expired(expiresAt, nowMillis)) {
        delete(RecordKey.of(Keys.collectionOf(rk), Keys.keyOf(rk)));
      } else {
        records.dropExpiryEntry(btx, entry); // its record changed without it (a damaged one)
      }
    }
    return entries.size();
  }

  /** The record's value as this transaction sees it (its own writes included), or null. */
  byte[] read(RecordKey k) {
    RecordStore.Read r = readVersioned(k);
    return r == null ? null : r.raw();
  }

  boolean contains(RecordKey k) {
    check();
    return records.contains(btx, k);
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

  /** Its changes for the feed, in the order written (empty without a feed). */
  List<FeedLog.Pending> changes() {
    return changes == null ? List.of() : changes;
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
