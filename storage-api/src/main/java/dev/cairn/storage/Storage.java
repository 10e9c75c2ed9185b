package dev.cairn.storage;

import dev.cairn.storage.internal.BytesAccess;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A persistent store of records ({@code collection}, {@code key}, value) over a pluggable
 * backend, with compression, content-hash deduplication, an optional read cache, integrity
 * verification on read, statistics and scheduled maintenance.
 *
 * <p>Open one with {@link #builder()}:
 *
 * <pre>{@code
 * try (Storage storage = Storage.builder().directory(Path.of("data")).open()) {
 *   storage.put("players", "p-1", new Player("Ada", 100));
 *   Optional<Player> p = storage.get("players", "p-1", Player.class);
 * }
 * }</pre>
 *
 * <p><b>Thread safety.</b> All methods are safe to call from any number of threads. Writes are
 * serialised inside one instance; reads run concurrently with each other and with the writer.
 *
 * <p><b>Arguments.</b> Collection names match {@code [A-Za-z0-9_.-]{1,64}}; keys are 1 to 256
 * bytes in UTF-8 (so that every backend, LMDB included, can hold them) and must be well-formed
 * Unicode. Violations throw {@link IllegalArgumentException} naming the argument; {@code null}
 * throws {@link NullPointerException}. Neither changes anything.
 *
 * <p><b>Durability.</b> A write call returns after its commit is durable according to the
 * configured {@link Durability} ({@link Durability#SYNC} by default).
 *
 * <p><b>Consistency.</b> A read that starts after a write call of this instance returned never
 * sees an older value, cache or not. Across instances sharing a store, see {@link #catchUp()}. Every read checks integrity (CRC32C, and SHA-256 for deduplicated values
 * per {@link VerifyMode}) and throws {@link DataCorruptionException} rather than return wrong
 * bytes.
 *
 * <p><b>Codecs.</b> Every codec installed (found on the class path or registered) can read the
 * records it wrote, whichever codec is chosen for new writes. A read of a record written with a
 * codec that is not installed throws {@link CodecNotFoundException}, naming the codec and the
 * module to add; the record is left as it is and reads normally once the codec is added.
 *
 * <p>After {@link #close()} every method throws {@link StorageClosedException}.
 */
public interface Storage extends AutoCloseable {

  /**
   * A new builder with the defaults described on each of its setters.
   *
   * @return a builder; call {@link StorageBuilder#directory} and {@link StorageBuilder#open()}
   */
  static StorageBuilder builder() {
    return StorageBuilder.newBuilder();
  }

  /**
   * Stores {@code value}, mapped to bytes by the configured {@link ValueMapper}, replacing any
   * previous value of the key.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value any value the mapper can map; a {@link Bytes} is stored as is
   * @throws ValueTooLargeException if the mapped bytes exceed the configured maximum
   * @throws SerializationException if the mapper fails
   */
  void put(String collection, String key, Object value);

  /**
   * Stores {@code value} as {@link #put(String, String, Object)} does, with a time to live: the
   * record expires {@code ttl} after this write, by the store's clock
   * ({@link StorageBuilder#clock}). From its expiry instant on, the record is absent to every
   * read, scan, count, conditional write and cache hit, exactly as if it had been deleted
   * ({@code putIfAbsent} succeeds on it, {@code delete} returns {@code false});
   * {@link #maintenance()} removes it from disk and releases its share of deduplicated content.
   * A later write of the key without a TTL (and without a collection default,
   * {@link StorageBuilder#defaultTtl}) makes the record permanent again. The expiry is shown by
   * {@link RecordMetadata#expiresAt()}.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value any value the mapper can map; a {@link Bytes} is stored as is
   * @param ttl how long the record stays visible after this write; positive (rounded up to a
   *     millisecond)
   * @throws IllegalArgumentException if {@code ttl} is zero or negative
   * @throws ValueTooLargeException if the mapped bytes exceed the configured maximum
   * @throws SerializationException if the mapper fails
   */
  void put(String collection, String key, Object value, Duration ttl);

  /**
   * Reads the value of a key mapped to {@code type}; empty if absent.
   *
   * @param <T> the type to map the stored bytes to
   * @param collection the collection's name
   * @param key the record's key
   * @param type the class to map the stored bytes to; {@code Bytes.class} reads them as stored
   * @return the mapped value, or empty if the key is absent
   * @throws DataCorruptionException if the stored bytes fail verification
   * @throws CodecNotFoundException if the value was written with a codec that is not installed
   * @throws SerializationException if the bytes cannot be mapped to {@code type}
   */
  <T> Optional<T> get(String collection, String key, Class<T> type);

  /**
   * Stores raw bytes (a zero-length array is a valid value).
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value the bytes, copied before this returns
   */
  void putBytes(String collection, String key, byte[] value);

  /**
   * Stores raw bytes with a time to live, as {@link #put(String, String, Object, Duration)}.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value the bytes, copied before this returns
   * @param ttl how long the record stays visible after this write; positive
   * @throws IllegalArgumentException if {@code ttl} is zero or negative
   */
  void putBytes(String collection, String key, byte[] value, Duration ttl);

  /**
   * Reads raw bytes; empty if absent. The array is the caller's to keep and modify.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @return a new array holding the value, or empty if the key is absent
   * @throws DataCorruptionException if the stored bytes fail verification
   * @throws CodecNotFoundException if the value was written with a codec that is not installed
   */
  Optional<byte[]> getBytes(String collection, String key);

  /**
   * Reads raw bytes without copying them; empty if absent. The buffer is read-only and may share
   * memory with the read cache, so a cache hit costs no copy of the value (use it for hot reads
   * of large values; {@link #getBytes} copies). Its position is 0 and its limit the value's
   * length; the caller may move them. Verification is as for {@link #getBytes}.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @return a read-only view of the value, or empty if the key is absent
   */
  default Optional<ByteBuffer> getBuffer(String collection, String key) {
    return getBytes(collection, key).map(b -> ByteBuffer.wrap(b).asReadOnlyBuffer());
  }

  /**
   * Reads raw bytes as an immutable {@link Bytes}; empty if absent. The fastest read: a cache
   * hit copies nothing and allocates nothing (the {@code Optional} is made once per cache entry),
   * so use it for hot reads. Verification is as for {@link #getBytes}.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @return the value, or empty if the key is absent
   */
  default Optional<Bytes> getValue(String collection, String key) {
    return getBytes(collection, key).map(BytesAccess::wrap); // getBytes' array is ours
  }

  /**
   * Deletes a key; returns whether it existed.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @return {@code true} if the key existed and was deleted
   */
  boolean delete(String collection, String key);

  // ------------------------------------------------------------------ conditional writes

  /**
   * Stores {@code value} only if the key holds no value; returns whether it did. The check and
   * the write are one transaction against the latest committed state of the store (never a
   * cache), so of any number of threads or instances sharing the store racing to insert one key,
   * exactly one gets {@code true}. A write that applies is a {@link #put} in every respect
   * (version, deduplication, statistics, listeners, cache); one that does not changes nothing,
   * takes no version and is neither counted nor reported as a transaction.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value any value the mapper can map; a {@link Bytes} is stored as is
   * @return {@code true} if the key was absent and now holds {@code value}
   * @throws ValueTooLargeException if the mapped bytes exceed the configured maximum (checked
   *     before the key is looked at)
   * @throws SerializationException if the mapper fails
   */
  boolean putIfAbsent(String collection, String key, Object value);

  /**
   * {@link #putIfAbsent} of raw bytes.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param value the bytes, copied before this returns
   * @return {@code true} if the key was absent and now holds {@code value}
   * @throws ValueTooLargeException if {@code value} exceeds the configured maximum
   */
  boolean putBytesIfAbsent(String collection, String key, byte[] value);

  /**
   * Replaces the key's value only if the record is still the one written with version
   * {@code expectedVersion} (from {@link #getVersioned} or {@link #metadata}); returns whether it
   * did. The check and the write are one transaction against the latest committed state, so of
   * any number of threads or instances racing with the same expected version, exactly one gets
   * {@code true}; an absent key never matches. A write that applies is a {@link #put} in every
   * respect and gives the record a new version; one that does not changes nothing, takes no
   * version and is neither counted nor reported as a transaction.
   *
   * <p>A compare-and-set loop, the way to update a record without a transaction (a put does not
   * return the new version; read it with the value, as here):
   *
   * <pre>{@code
   * while (true) {
   *   Versioned<Long> seen = storage.getVersioned("counters", "hits", Long.class).orElseThrow();
   *   if (storage.replaceIfVersion("counters", "hits", seen.version(), seen.value() + 1)) {
   *     break;   // nobody wrote the record in between: no increment is lost
   *   }
   * }
   * }</pre>
   *
   * <p>Read the value and its version together ({@link #getVersioned}): a value read with
   * {@link #get} and a version read with {@link #metadata} may come from different writes.
   * With a cache on a store shared by several instances, {@link #getVersioned} may return a
   * pair another instance has just replaced; the replace then fails, and its backend
   * transaction brings the cache up to date, so the loop's next read is current.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param expectedVersion the version the record must have; positive
   * @param value any value the mapper can map; a {@link Bytes} is stored as is
   * @return {@code true} if the record had version {@code expectedVersion} and now holds
   *     {@code value}
   * @throws IllegalArgumentException if {@code expectedVersion} is not positive
   * @throws ValueTooLargeException if the mapped bytes exceed the configured maximum
   * @throws SerializationException if the mapper fails
   * @throws DataCorruptionException if the stored record is damaged (its version is unknown)
   */
  boolean replaceIfVersion(String collection, String key, long expectedVersion, Object value);

  /**
   * {@link #replaceIfVersion} of raw bytes.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param expectedVersion the version the record must have; positive
   * @param value the bytes, copied before this returns
   * @return {@code true} if the record had version {@code expectedVersion} and now holds
   *     {@code value}
   * @throws IllegalArgumentException if {@code expectedVersion} is not positive
   * @throws ValueTooLargeException if {@code value} exceeds the configured maximum
   * @throws DataCorruptionException if the stored record is damaged (its version is unknown)
   */
  boolean replaceBytesIfVersion(String collection, String key, long expectedVersion, byte[] value);

  /**
   * Deletes the key only if the record is still the one written with version
   * {@code expectedVersion}; returns whether it did. Atomic and exclusive like
   * {@link #replaceIfVersion}; a delete that applies is a {@link #delete} in every respect, one
   * that does not changes nothing and is neither counted nor reported as a transaction.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @param expectedVersion the version the record must have; positive
   * @return {@code true} if the record had version {@code expectedVersion} and is now deleted
   * @throws IllegalArgumentException if {@code expectedVersion} is not positive
   * @throws DataCorruptionException if the stored record is damaged (its version is unknown)
   */
  boolean deleteIfVersion(String collection, String key, long expectedVersion);

  /**
   * Reads a value mapped to {@code type} together with the version of the write that produced
   * it, for {@link #replaceIfVersion} and {@link #deleteIfVersion}; empty if absent. As cheap as
   * {@link #get}: a cache hit answers it (value and version come from one entry), and a read the
   * backend answers costs one lookup. Counted as a read of the record like {@link #get}.
   *
   * @param <T> the type to map the stored bytes to
   * @param collection the collection's name
   * @param key the record's key
   * @param type the class to map the stored bytes to; {@code Bytes.class} reads them as stored
   * @return the mapped value and its version, or empty if the key is absent
   * @throws DataCorruptionException if the stored bytes fail verification
   * @throws CodecNotFoundException if the value was written with a codec that is not installed
   * @throws SerializationException if the bytes cannot be mapped to {@code type}
   */
  <T> Optional<Versioned<T>> getVersioned(String collection, String key, Class<T> type);

  /**
   * Whether a key exists. Cheaper than a read: the value is neither decoded nor verified.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @return {@code true} if the key holds a value
   */
  boolean contains(String collection, String key);

  /**
   * What is known about a record; empty if absent.
   *
   * @param collection the collection's name
   * @param key the record's key
   * @return the record's metadata, or empty if the key is absent
   */
  Optional<RecordMetadata> metadata(String collection, String key);

  /**
   * How many records a collection holds (a scan: linear in the collection's size).
   *
   * @param collection the collection's name
   * @return the number of records; 0 for a collection that does not exist
   */
  long count(String collection);

  /**
   * The keys of a collection that start with {@code prefix} ({@code ""} for all), in UTF-8 byte
   * order. The stream is lazy and paged: it reads a bounded page at a time and holds no backend
   * transaction between pages, so it sees a consistent page but not a snapshot of the whole
   * collection. Close it (try-with-resources) if not fully consumed.
   *
   * @param collection the collection's name
   * @param prefix the start of every key returned; {@code ""} for all
   * @return a lazy stream of keys, to be closed
   */
  Stream<String> keys(String collection, String prefix);

  /**
   * The records of a collection whose keys start with {@code prefix}, with their values, in
   * UTF-8 key order — the fast way to read a whole collection. Paged like
   * {@link #keys(String, String)} (each page is read from one consistent snapshot); every value
   * is verified like {@link #getBytes}. A scan does not update the records' access statistics
   * ({@link RecordMetadata#accessCount()}): an export or a nightly job would otherwise mark every
   * record as just read and turn each scan into a write of every record's statistics. Close the
   * stream if not fully consumed.
   *
   * @param collection the collection's name
   * @param prefix the start of every key returned; {@code ""} for all
   * @return a lazy stream of keys and values, to be closed
   * @throws DataCorruptionException (from the stream) at a value that fails verification
   * @throws CodecNotFoundException (from the stream) at a value written with a codec that is not
   *     installed
   */
  Stream<Map.Entry<String, byte[]>> entries(String collection, String prefix);

  /**
   * The keys of a collection in {@code range}: between bounds or with a prefix, ascending or
   * descending, up to the range's limit, in UTF-8 byte order. Paged like
   * {@link #keys(String, String)}: lazy, one bounded page per short read transaction, none held
   * between pages, so even a long descending stream pins no snapshot. Close it if not fully
   * consumed.
   *
   * <pre>{@code
   * try (Stream<String> last = storage.keys("events", KeyRange.prefix("user-7/").reversed().limit(10))) {
   *   last.forEach(System.out::println);   // the 10 greatest keys starting with user-7/
   * }
   * }</pre>
   *
   * @param collection the collection's name
   * @param range which keys, in which order, how many ({@link KeyRange#all()} for all)
   * @return a lazy stream of keys, to be closed
   * @throws IllegalArgumentException if the range's prefix is longer than 256 UTF-8 bytes
   */
  Stream<String> keys(String collection, KeyRange range);

  /**
   * The records of a collection in {@code range}, with their values, in the range's order (see
   * {@link #keys(String, KeyRange)}). Paged, verified and without access statistics as
   * {@link #entries(String, String)} is. Close the stream if not fully consumed.
   *
   * @param collection the collection's name
   * @param range which keys, in which order, how many ({@link KeyRange#all()} for all)
   * @return a lazy stream of keys and values, to be closed
   * @throws IllegalArgumentException if the range's prefix is longer than 256 UTF-8 bytes
   * @throws DataCorruptionException (from the stream) at a value that fails verification
   * @throws CodecNotFoundException (from the stream) at a value written with a codec that is not
   *     installed
   */
  Stream<Map.Entry<String, byte[]>> entries(String collection, KeyRange range);

  /** {@return the names of the collections that hold at least one record, sorted} */
  Set<String> collections();

  /**
   * Stores every entry in one transaction: all are written, or none.
   *
   * @param collection the collection's name
   * @param values keys and the values to map and store
   */
  void putAll(String collection, Map<String, ?> values);

  /**
   * Stores every entry's raw bytes in one transaction: all are written, or none.
   *
   * @param collection the collection's name
   * @param values keys and the bytes to store
   */
  void putAllBytes(String collection, Map<String, byte[]> values);

  /**
   * Reads several keys; absent keys are missing from the result. Fails as {@link #get} does for
   * any of them.
   *
   * @param <T> the type to map the stored bytes to
   * @param collection the collection's name
   * @param keys the keys to read
   * @param type the class to map the stored bytes to
   * @return the values found, by key
   */
  <T> Map<String, T> getAll(String collection, Collection<String> keys, Class<T> type);

  /**
   * Runs {@code work} as one atomic transaction over any number of collections, with the
   * configured durability. It commits when {@code work} returns and rolls back when it throws
   * (the exception is rethrown as is). {@code work} may run more than once — a transaction that
   * conflicts with a writer of another process is retried a bounded number of times, and a
   * {@link Durability#GROUP} transaction runs again if another function of its group threw — so
   * it must not have side effects outside the transaction. After three conflicts the attempts
   * run alone: the other instances' writers wait while {@code work} runs, so keep it short.
   *
   * @param <R> the type of {@code work}'s result
   * @param work reads and writes through the {@link Transaction} it is given
   * @return what {@code work} returned
   * @throws TransactionConflictException only if the attempts alone conflicted as well (a
   *     backend's rare false positive)
   */
  <R> R transaction(Function<Transaction, R> work);

  /**
   * {@link #transaction(Function)} with an explicit durability for this commit.
   *
   * @param <R> the type of {@code work}'s result
   * @param durability the durability of this commit
   * @param work reads and writes through the {@link Transaction} it is given
   * @return what {@code work} returned
   */
  <R> R transaction(Durability durability, Function<Transaction, R> work);

  /**
   * {@link #transaction(Function)} for work that returns nothing.
   *
   * @param work reads and writes through the {@link Transaction} it is given
   */
  default void useTransaction(Consumer<Transaction> work) {
    transaction(tx -> {
      work.accept(tx);
      return null;
    });
  }

  /**
   * Catches up with the other instances sharing this store (several processes on one
   * PostgreSQL schema): returns once every commit that any instance had acknowledged when this
   * call began is visible to this instance's reads that start afterwards, cache hits included.
   * Without it a cache hit may still return a value another instance has just replaced, for as
   * long as the notification of that commit takes to arrive (a fraction of a second, see the
   * backend's README); a read that misses the cache, or a store without a cache, is current
   * anyway. Use it before a read that must reflect another instance's acknowledged write:
   *
   * <pre>{@code
   * storage.catchUp();
   * Optional<Order> order = storage.get("orders", id, Order.class); // current across instances
   * }</pre>
   *
   * <p>Costs one round trip to the server with a cache on a shared store; returns at once on a
   * store that only this instance writes (there every read is current), or without a cache.
   */
  void catchUp();

  /**
   * The same operations returning {@link java.util.concurrent.CompletableFuture}s.
   *
   * @return the asynchronous view of this store, sharing its state
   */
  AsyncStorage async();

  /**
   * A snapshot of the counters since open.
   *
   * @return counters, cache statistics and latency percentiles
   */
  StorageStats stats();

  /**
   * Runs maintenance now: flush access statistics, cache cleanup, integrity verification,
   * backend optimisation and any plugged-in {@link MaintenanceTask}s. It never throws for a
   * failed step; read {@link MaintenanceReport#failures()}.
   *
   * @return what each step did and which failed
   */
  MaintenanceReport maintenance();

  /**
   * The store's change feed: every committed put and delete, in commit order, resumable by
   * position ({@link ChangeFeed}).
   *
   * @return the change feed of this store
   * @throws IllegalStateException if the store's feed is not on (turn it on with
   *     {@link StorageBuilder#changeFeed(ChangeFeedRetention)})
   */
  default ChangeFeed changes() {
    throw new IllegalStateException("this Storage has no change feed");
  }

  /**
   * Internal operations for Cairn's own modules (backup, conformance kit, CLI): snapshots,
   * raw export and verification. Not part of the stable API.
   *
   * @return the administrative view of this store
   */
  StorageAdmin admin();

  /**
   * Flushes access statistics, stops the maintenance schedule and the async executor (waiting
   * for running work), and closes the cache and backend. Idempotent.
   */
  @Override
  void close();
}
