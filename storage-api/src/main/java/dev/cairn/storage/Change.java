package dev.cairn.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * One committed put or delete, as the {@link ChangeFeed} reports it.
 *
 * <p>A change names the record, not its value: a reader that needs the value reads it
 * ({@link Storage#getVersioned}) and compares versions. Feeds stay small that way (a change is
 * a few dozen bytes whatever the value's size), deduplicated and compressed values are not
 * copied a second time, and a reader that falls behind reads each key's current value once
 * instead of every value it ever had. A value read later may be newer than the change: its
 * version is then greater, and a later change of the feed reports that newer write.
 *
 * @param position where the change is in the feed: positive, unique in the store, and greater
 *     than the position of every change committed before it; changes of one transaction have
 *     consecutive positions in the order the transaction wrote them
 * @param collection the record's collection
 * @param key the record's key
 * @param kind whether the record was written or deleted
 * @param version for a {@link Kind#PUT}, the version the write gave the record
 *     ({@link RecordMetadata#version()}); for a {@link Kind#DELETE}, the version of the record
 *     that was deleted (0 if that record was damaged and its version unreadable)
 * @param committed when the change was committed (the writing instance's clock, in
 *     milliseconds; on a store shared by several instances their clocks may differ)
 */
public record Change(
    long position, String collection, String key, Kind kind, long version, Instant committed) {

  /** What happened to the record. */
  public enum Kind {
    /** The record was written (created or replaced). */
    PUT,
    /**
     * The record was deleted: by {@code delete}, a conditional delete that applied, or
     * maintenance removing an expired record.
     */
    DELETE
  }

  /**
   * Checks that no component is missing.
   *
   * @param position the change's position
   * @param collection the record's collection
   * @param key the record's key
   * @param kind put or delete
   * @param version the record's version
   * @param committed the commit time
   * @throws NullPointerException if {@code collection}, {@code key}, {@code kind} or
   *     {@code committed} is null
   */
  public Change {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(committed, "committed");
  }
}
