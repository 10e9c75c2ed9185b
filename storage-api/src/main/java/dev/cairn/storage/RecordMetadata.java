package dev.cairn.storage;

import java.time.Instant;
import java.util.Optional;

/**
 * What Cairn knows about one stored record, from {@link Storage#metadata(String, String)}.
 *
 * @param collection the collection name
 * @param key the key
 * @param version the store-wide sequence number of the write that produced this value; every
 *     write of a record gives it a new one, which {@link Storage#replaceIfVersion} and
 *     {@link Storage#deleteIfVersion} compare (see {@link Versioned})
 * @param createdAt when the key was first written (kept across overwrites)
 * @param updatedAt when the current value was written
 * @param rawLength the value's length in bytes as the caller gave it
 * @param storedLength the bytes the payload takes in the store (after compression; for a
 *     deduplicated value, the size of the one shared copy)
 * @param codec the name of the codec the payload is stored with ({@code identity} if
 *     compression did not pay)
 * @param deduplicated whether the value is stored as a content-addressed blob that other records
 *     may share (values below the inline threshold are stored inline)
 * @param accessCount how often the record was read by key (get, getBytes, getBuffer, getValue,
 *     getVersioned, getAll; not by scans such as {@code entries}) while
 *     {@code StorageBuilder.accessStatistics(true)} (off by default); kept in memory and flushed
 *     in batches; with statistics off, what was flushed while they were on (0 if never)
 * @param lastAccessedAt when it was last read by key with access statistics on, if ever; to
 *     within about 10 ms (reads are stamped from a clock refreshed every 10 ms, which costs a
 *     field read instead of a system call per read)
 * @param expiresAt when the record expires, if it was written with a time to live
 *     ({@link Storage#put(String, String, Object, java.time.Duration)} or a collection's
 *     {@link StorageBuilder#defaultTtl}); empty if it never expires
 */
public record RecordMetadata(
    String collection,
    String key,
    long version,
    Instant createdAt,
    Instant updatedAt,
    int rawLength,
    int storedLength,
    String codec,
    boolean deduplicated,
    long accessCount,
    Optional<Instant> lastAccessedAt,
    Optional<Instant> expiresAt) {

  /**
   * Metadata of a record that never expires.
   *
   * @param collection the collection name
   * @param key the key
   * @param version the version of the write that produced the value
   * @param createdAt when the key was first written
   * @param updatedAt when the current value was written
   * @param rawLength the value's length in bytes
   * @param storedLength the bytes the payload takes in the store
   * @param codec the codec's name
   * @param deduplicated whether the value is a shared blob
   * @param accessCount how often the record was read by key
   * @param lastAccessedAt when it was last read by key, if ever
   */
  public RecordMetadata(String collection, String key, long version, Instant createdAt,
      Instant updatedAt, int rawLength, int storedLength, String codec, boolean deduplicated,
      long accessCount, Optional<Instant> lastAccessedAt) {
    this(collection, key, version, createdAt, updatedAt, rawLength, storedLength, codec,
        deduplicated, accessCount, lastAccessedAt, Optional.empty());
  }
}
