package dev.cairn.storage.internal;

/**
 * A record's collection and key as a caller named them, checked once where they enter the
 * engine, with the key of the record in the {@code records} keyspace that they make
 * ({@code collection 0x00 key-UTF-8}, see {@link Keys}): the checked, encoded form that the
 * commit pipeline, the transaction and the record store pass down instead of checking and
 * encoding the names again.
 *
 * <p>Immutable (the caller never sees {@link #bytes()}); not a map key (no equals: the bytes
 * would compare by identity).
 */
final class RecordKey {

  private final String collection;
  private final String key;
  private final byte[] bytes;

  private RecordKey(String collection, String key, byte[] bytes) {
    this.collection = collection;
    this.key = key;
    this.bytes = bytes;
  }

  /**
   * Checks both names and encodes them.
   *
   * @throws NullPointerException if either is null
   * @throws IllegalArgumentException naming what is wrong with either
   */
  static RecordKey of(String collection, String key) {
    return in(Keys.checkCollection(collection), key);
  }

  /** As {@link #of}, for a collection name already checked ({@link Keys#checkCollection}). */
  static RecordKey in(String checkedCollection, String key) {
    return new RecordKey(checkedCollection, key, Keys.recordKey(checkedCollection, key));
  }

  String collection() {
    return collection;
  }

  String key() {
    return key;
  }

  /** The key in the {@code records} keyspace; never modified. */
  byte[] bytes() {
    return bytes;
  }

  /** The record as access statistics and cache invalidation name it. */
  AccessTracker.Ref ref() {
    return new AccessTracker.Ref(collection, key);
  }

  @Override
  public String toString() {
    return collection + "/" + Keys.printable(key);
  }
}
