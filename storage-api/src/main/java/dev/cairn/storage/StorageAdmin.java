package dev.cairn.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Operations that Cairn's own modules (backup, conformance kit, CLI) need beyond the record
 * API. Reached through {@link Storage#admin()}. Stable enough to use, but expect additions.
 */
public interface StorageAdmin {

  /** {@return the backend's provider name, e.g. {@code sqlite}} */
  String backendName();

  /** {@return what the backend declares it can do} */
  java.util.Set<dev.cairn.storage.spi.Capability> backendCapabilities();

  /** {@return the configured codec's name (used for new writes)} */
  String codecName();

  /** {@return the store's directory} */
  Path directory();

  /** {@return the store's unique id, generated when it was created} */
  String storeId();

  /**
   * What opening this store found of restores that did not finish ({@code kill -9}, power loss
   * or an {@link Error} during cairn-backup's {@code restoreOver} or {@code restoreTo}) and what
   * it did about each, one line per finding, e.g. {@code "rolled back the restore of set ...
   * over /var/lib/orders that a crash interrupted before it was verified: ..."} or {@code "left
   * /var/lib/orders.old-... in place: ..."}. Each line was also logged at WARN. Empty when there
   * was nothing, which is the normal case. The open finishes an interrupted restore before the
   * store is used: the store holds either its data from before the restore or the complete
   * restored data (backup/README.md, "After a crash").
   *
   * @return one line per finding; empty when the last open found nothing to finish
   */
  default List<String> restoreLeftovers() {
    return List.of();
  }

  /**
   * The backend's consistent hot copy into an empty or absent directory {@code target}.
   *
   * @param target an empty or absent directory
   */
  void snapshotTo(Path target);

  /**
   * Checks every record and blob: headers parse, payloads decode, checksums and hashes match,
   * and the dedup invariants hold (each blob's count equals the records referencing it; no
   * dangling reference; no blob with count 0). With a {@link ChangeFeed}, also the feed: every
   * position from the oldest kept to the head is there once (no gap, nothing above the head),
   * every entry parses and names a well-formed key and a version the store issued, and each
   * key's last change matches its record. Never throws for what it finds.
   *
   * @return what was checked and every problem found
   */
  VerificationReport verify();

  /**
   * Visits every record, decoded and verified, from one consistent read snapshot, in
   * (collection, key) order, with its expiry if it has one (records already expired but not
   * purged yet are visited too, so that an export is an exact copy). For incremental logical backups, deduplicated values carry their
   * content hash.
   *
   * @param visitor receives each record in turn, on the calling thread
   * @throws DataCorruptionException on the first record that fails verification
   * @throws CodecNotFoundException on the first record written with a codec that is not
   *     installed
   */
  void exportRecords(Consumer<ExportedRecord> visitor);

  /**
   * Writes records as they were exported (keeping their creation and update times and their
   * expiry: a collection's default TTL does not apply), in one transaction per call.
   *
   * @param records records from {@link #exportRecords}, of this store or another
   */
  void importRecords(List<ExportedRecord> records);

  /**
   * Trains a compression dictionary for {@code collection} from a sample of its stored values
   * and uses it for the collection's new writes. Values written before keep the dictionary (or
   * none) they were written with. Empty if the collection has too few values to train on.
   *
   * @param collection the collection's name
   * @return the new dictionary's id, or empty if the collection has too few values
   * @throws UnsupportedOperationException if the configured codec has no dictionaries
   */
  java.util.OptionalInt trainDictionary(String collection);

  /** {@return how many bytes the backend occupies on disk} */
  long sizeOnDisk();

  /**
   * One record as exported.
   *
   * @param collection the collection
   * @param key the key
   * @param createdAtMillis creation time, epoch milliseconds
   * @param updatedAtMillis update time, epoch milliseconds
   * @param value the raw value
   * @param contentHash SHA-256 of the value if the store keeps one for it (a value of at least
   *     the inline threshold, not written with {@code DedupMode.OFF}), else {@code null}
   * @param expiresAtMillis when the record expires (epoch milliseconds), or 0 if it never does;
   *     an import keeps it, so a record imported after its expiry is never served
   */
  record ExportedRecord(
      String collection, String key, long createdAtMillis, long updatedAtMillis, byte[] value,
      byte[] contentHash, long expiresAtMillis) {

    /**
     * An exported record that never expires.
     *
     * @param collection the collection
     * @param key the key
     * @param createdAtMillis creation time, epoch milliseconds
     * @param updatedAtMillis update time, epoch milliseconds
     * @param value the raw value
     * @param contentHash SHA-256 of the value, or {@code null}
     */
    public ExportedRecord(String collection, String key, long createdAtMillis,
        long updatedAtMillis, byte[] value, byte[] contentHash) {
      this(collection, key, createdAtMillis, updatedAtMillis, value, contentHash, 0);
    }

    /**
     * Checks the expiry.
     *
     * @param collection the collection
     * @param key the key
     * @param createdAtMillis creation time, epoch milliseconds
     * @param updatedAtMillis update time, epoch milliseconds
     * @param value the raw value
     * @param contentHash SHA-256 of the value, or {@code null}
     * @param expiresAtMillis the expiry, epoch milliseconds, or 0 for none
     * @throws IllegalArgumentException if {@code expiresAtMillis} is negative
     */
    public ExportedRecord {
      if (expiresAtMillis < 0) {
        throw new IllegalArgumentException(
            "expiresAtMillis must be 0 (never) or positive, got " + expiresAtMillis);
      }
    }
  }

  /**
   * The outcome of {@link #verify()}.
   *
   * @param records records checked
   * @param blobs blobs checked
   * @param problems one line per problem found, naming the record or blob
   */
  record VerificationReport(long records, long blobs, List<String> problems) {
    /**
     * Copies {@code problems}, so that the report cannot change.
     *
     * @param records records checked
     * @param blobs blobs checked
     * @param problems one line per problem found
     */
    public VerificationReport {
      problems = List.copyOf(problems);
    }

    /**
     * Whether nothing was wrong.
     *
     * @return {@code true} if no problem was found
     */
    public boolean ok() {
      return problems.isEmpty();
    }
  }
}
