package dev.cairn.storage.internal;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.DedupMode;
import dev.cairn.storage.DedupScope;
import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.VerifyMode;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Codec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records and their deduplicated blobs in the backend: writes, deletes, reads and verification
 * of one record or blob, and the reference counts that tie them together.
 *
 * <p>The data model, in four keyspaces (byte layouts in {@link RecordFormat}):
 *
 * <ul>
 *   <li>{@value #RECORDS}: one entry per record, keyed {@code collection 0x00 key} (so a
 *       collection is one ordered range, {@link Keys}). A value shorter than
 *       {@code inlineThreshold} is stored inline in it (hashing it would cost more than it could
 *       save); a longer one is stored once per distinct content and the record refers to it.
 *   <li>{@value #INDEX}: content hash (SHA-256 of the raw bytes, behind a prefix of the dedup
 *       scope: one for the whole store, or the collection) to the blob's id and its reference
 *       count. The hash is over the raw bytes, so the codec in use never changes what
 *       deduplicates.
 *   <li>{@value #BLOBS}: the content, under its blob id: the version of the write that first
 *       stored it, so new blobs append. A blob never changes and its id is never reused.
 *   <li>{@value #META}: the store's format, id and version sequence, trained dictionaries and
 *       the flushed access statistics.
 * </ul>
 *
 * <p>Every write or delete changes the reference counts in the same backend transaction as the
 * record, and the last reference deletes the blob, so each blob's count always equals the
 * number of records referring to it ({@link Verifier} checks this). Every read checks the
 * record's CRC32C, and a blob's SHA-256 when {@link VerifyMode} says so; damage raises
 * {@link DataCorruptionException} naming the record, never wrong bytes.
 *
 * <p>Threading: holds no state of its own but hints (which content may be shared, whether a
 * collection's keys are mostly new: {@link NewKeyHint}) and reports corruptions to the engine's
 * {@link Observers}, so any thread may call it. Writes run in the caller's backend write
 * transaction under the engine's write lock; reads run concurrently, in the caller's
 * transaction or in read transactions of their own ({@link #readLatest}).
 */
final class RecordStore {

  static final String RECORDS = "records";
  static final String BLOBS = "blobs";
  static final String INDEX = "blob_index";
  static final String META = "meta";
  /**
   * Every keyspace the engine opens; {@value FeedLog#FEED} (the change feed, empty unless it is
   * on) is created in existing stores when they are opened, and builds that predate it ignore it.
   */
  static final Set<String> KEYSPACES = Set.of(RECORDS, BLOBS, INDEX, META, FeedLog.FEED);

  private static final byte[] META_ACCESS_PREFIX = "access:".getBytes(StandardCharsets.US_ASCII);
  /**
   * The expiry index, in {@value #META}: {@code "expiry:" expiresAt(8, big-endian) recordKey}
   * for every record with a time to live, written and removed in the same transaction as the
   * record, so that what has expired is one range from the start of the index, and a store
   * that never used a TTL has none of it.
   */
  static final byte[] EXPIRY_PREFIX = "expiry:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EXPIRY_VALUE = {1};
  private static final Logger LOG = LoggerFactory.getLogger(RecordStore.class);

  private final StorageConfig config;
  private final Backend backend;
  private final CodecRegistry codecs;
  private final VersionSequence versions;
  private final Observers observers;
  /** Whether each collection's recent writes were of new keys: how {@link #write} starts. */
  private final NewKeyHint newKeys = new NewKeyHint();

  RecordStore(StorageConfig config, Backend backend, CodecRegistry codecs,
      VersionSequence versions, Observers observers) {
    this.config = config;
    this.backend = backend;
    this.codecs = codecs;
    this.versions = versions;
    this.observers = observers;
    if (config.dedupMode() == DedupMode.DEFERRED
        || config.collectionDedupModes().containsValue(DedupMode.DEFERRED)) {
      try (BackendTransaction rtx = backend.beginRead();
          BackendCursor c = rtx.scan(INDEX, null, null)) {
        while (shared != null && c.next()) {
          noteShared(c.key());
        }
      }
    } // else no write consults the remembered contents: nothing to read at open
  }

  // ------------------------------------------------------------------------- shared content

  /** Shared contents remembered by fingerprint; beyond this many, every write looks it up. */
  static final int MAX_REMEMBERED_SHARED = 1 << 20;

  /**
   * Fingerprints of the content keys in the index that this store has seen (read at open, and
   * added when this process shares new content), so that a {@code DEFERRED} write of new content
   * skips its index lookup when the content cannot be shared. Only ever grows: a fingerprint of
   * content no longer shared costs one lookup. Content shared by another process (PostgreSQL)
   * since this one opened is missed here and stays inline until maintenance shares it. Null when
   * more than {@value #MAX_REMEMBERED_SHARED} contents are shared (about 50 MB): then every
   * write looks up.
   */
  private volatile Set<Long> shared = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Remembers that content key {@code blobKey} has (or is about to have) an index entry. */
  void noteShared(byte[] blobKey) {
    Set<Long> s = shared;
    if (s != null) {
      s.add(fingerprint(blobKey));
      if (s.size() > MAX_REMEMBERED_SHARED) {
        shared = null;
      }
    }
  }

  /** False only if content key {@code blobKey} certainly has no index entry. */
  private boolean maybeShared(byte[] blobKey) {
    Set<Long> s = shared;
    return s == null || s.contains(fingerprint(blobKey));
  }

  /** 64 bits of a content key: its hash's first 8 bytes, mixed with its scope prefix. */
  static long fingerprint(byte[] blobKey) {
    int h = blobKey.length - RecordFormat.HASH;
    long fp = 0;
    for (int i = 0; i < 8; i++) {
      fp = (fp << 8) | (blobKey[h + i] & 0xFF);
    }
    int scope = 1;
    for (int i = 0; i < h; i++) {
      scope = 31 * scope + blobKey[i];
    }
    return fp ^ (scope * 0x9E3779B97F4A7C15L);
  }

  // ---------------------------------------------------------------------------------- writes

  /**
   * Writes one value inside a write transaction, adjusting reference counts; a positive
   * {@code createdOverride} / {@code updatedOverride} replaces the time the record gets;
   * {@code expiresAt} is its expiry (epoch ms) or {@link RecordFormat#NEVER}.
   */
  void write(BackendTransaction btx, TransactionImpl.Delta d, RecordKey k, byte[] raw,
      long createdOverride, long updatedOverride, long expiresAt) {
    String collection = k.collection();
    byte[] rk = k.bytes();
    long now = config.clock().millis();
    long updated = updatedOverride > 0 ? updatedOverride : now;
    long version = versions.next();
    d.maxVersion = version;
    DedupMode mode = config.dedupMode(collection);
    boolean inlineOnly =
        raw.length == 0 || raw.length < config.inlineThreshold() || mode == DedupMode.OFF;
    byte[] hash = inlineOnly ? null : sha256(raw);
    byte[] newBlobKey = inlineOnly ? null : blobKey(collection, hash);
    byte[] oldValue;
    if (newKeys.likelyNew(collection)
        && (inlineOnly || mode == DedupMode.DEFERRED && !maybeShared(newBlobKey))) {
      // The key is probably new and the value goes inline without an index entry, so the record
      // a new key gets depends on nothing stored: insert it, and read what was there only if
      // something was (one backend operation instead of a read and a write).
      CodecRegistry.Encoded e = codecs.encode(collection, raw);
      long created = createdOverride > 0 ? createdOverride : now;
      oldValue = btx.putIfAbsent(RECORDS, rk, RecordFormat.encodeInlineHead(rk, e.codecId(),
          e.dictId(), raw.length, created, updated, version, e.bytes(), hash, expiresAt),
          e.bytes());
      if (oldValue == null) {
        newKeys.saw(collection, true);
        d.stored += e.bytes().length;
        d.savedByCompression += raw.length - e.bytes().length;
        if (expiresAt != RecordFormat.NEVER) {
          btx.put(META, expiryKey(expiresAt, rk), EXPIRY_VALUE);
        }
        counted(d, collection, raw);
        return;
      }
    } else {
      oldValue = btx.get(RECORDS, rk);
    }
    newKeys.saw(collection, oldValue == null);
    Where where = where(collection, k.key());
    RecordFormat.StoredRecord old = oldValue == null ? null : parseForWrite(oldValue, rk, where);
    // an expired record is gone: the key is written anew
    long created = createdOverride > 0 ? createdOverride
        : old != null && !old.expired(now) ? old.created() : now;
    byte[] newRecord;
    byte[] newBody = null; // an inline record is written as its head and its payload
    if (inlineOnly) {
      CodecRegistry.Encoded e = encodeCounted(d, collection, raw);
      newRecord = RecordFormat.encodeInlineHead(rk, e.codecId(), e.dictId(), raw.length,
          created, updated, version, e.bytes(), null, expiresAt);
      newBody = e.bytes();
    } else {
      if (old != null && old.isBlob() && Arrays.equals(old.blobKey(), newBlobKey)) {
        // same content: the reference it holds stays
        d.dedupHits++;
        d.savedByDedup += raw.length;
        newRecord = RecordFormat.encodeBlobRef(rk, old.codecId(), old.dictId(), raw.length,
            old.storedLength(), created, updated, version, newBlobKey, old.blobId(), expiresAt);
      } else {
        // DEFERRED: content never shared is not looked up (ON_WRITE must always look, or it
        // would overwrite an entry another process made)
        byte[] iv = mode == DedupMode.DEFERRED && !maybeShared(newBlobKey)
            ? null : btx.get(INDEX, newBlobKey);
        if (iv != null) {
          // the content is shared already: one more reference
          RecordFormat.IndexEntry e = RecordFormat.parseIndex(iv, indexWhere(newBlobKey));
          btx.put(INDEX, newBlobKey, RecordFormat.encodeIndex(e.withCount(e.count() + 1)));
          d.dedupHits++;
          d.savedByDedup += raw.length;
          newRecord = RecordFormat.encodeBlobRef(rk, e.codecId(), e.dictId(), raw.length,
              e.storedLength(), created, updated, version, newBlobKey, e.blobId(), expiresAt);
        } else if (mode == DedupMode.DEFERRED) {
          // new content stays in its record, with its hash for maintenance to find twins by
          CodecRegistry.Encoded e = encodeCounted(d, collection, raw);
          newRecord = RecordFormat.encodeInlineHead(rk, e.codecId(), e.dictId(), raw.length,
              created, updated, version, e.bytes(), hash, expiresAt);
          newBody = e.bytes();
          newBlobKey = null;
        } else {
          CodecRegistry.Encoded e = codecs.encode(collection, raw);
          long blobId = version; // unique store-wide and increasing: new blobs append
          btx.put(BLOBS, RecordFormat.blobIdKey(blobId),
              RecordFormat.encodeBlob(e.codecId(), e.dictId(), raw.length, e.bytes()));
          btx.put(INDEX, newBlobKey, RecordFormat.encodeIndex(new RecordFormat.IndexEntry(
              blobId, 1, e.codecId(), e.dictId(), e.bytes().length)));
          noteShared(newBlobKey);
          d.stored += e.bytes().length;
          d.savedByCompression += raw.length - e.bytes().length;
          newRecord = RecordFormat.encodeBlobRef(rk, e.codecId(), e.dictId(), raw.length,
              e.bytes().length, created, updated, version, newBlobKey, blobId, expiresAt);
        }
      }
    }
    if (newBody != null) {
      btx.put(RECORDS, rk, newRecord, newBody);
    } else {
      btx.put(RECORDS, rk, newRecord);
    }
    if (old != null && old.isBlob() && !Arrays.equals(old.blobKey(), newBlobKey)) {
      release(btx, old.blobKey(), old.blobId());
    }
    long oldExpiry = old == null ? RecordFormat.NEVER : old.expiresAt();
    if (oldExpiry != expiresAt) {
      if (oldExpiry != RecordFormat.NEVER) {
        btx.delete(META, expiryKey(oldExpiry, rk));
      }
      if (expiresAt != RecordFormat.NEVER) {
        btx.put(META, expiryKey(expiresAt, rk), EXPIRY_VALUE);
      }
    }
    counted(d, collection, raw);
  }

  /** Counts one written record of {@code raw} in {@code d}. */
  private void counted(TransactionImpl.Delta d, String collection, byte[] raw) {
    d.writes++;
    d.raw += raw.length;
    if (codecs.dictionariesSupported() && !codecs.hasDictionary(collection)) {
      d.dictionaryCandidates.merge(collection, 1, Integer::sum);
    }
  }

  /** {@code raw} encoded for an inline record, its stored bytes counted in {@code d}. */
  private CodecRegistry.Encoded encodeCounted(
      TransactionImpl.Delta d, String collection, byte[] raw) {
    CodecRegistry.Encoded e = codecs.encode(collection, raw);
    d.stored += e.bytes().length;
    d.savedByCompression += raw.length - e.bytes().length;
    return e;
  }

  /**
   * What {@link #delete} found when there was a record: whether it had expired (absent to every
   * read, removed from disk by a purge or a delete) and the version it had (0 if it was damaged).
   */
  record Deleted(boolean expired, long version) {}

  /**
   * Deletes one record inside a write transaction, expired or not, releasing its blob reference
   * and its expiry index entry; says what it found, null if there was no record.
   */
  Deleted delete(BackendTransaction btx, TransactionImpl.Delta d, RecordKey k) {
    byte[] rk = k.bytes();
    byte[] oldValue = btx.get(RECORDS, rk);
    if (oldValue == null) {
      return null;
    }
    RecordFormat.StoredRecord old = parseForWrite(oldValue, rk, where(k.collection(), k.key()));
    btx.delete(RECORDS, rk);
    btx.delete(META, accessKey(rk));
    if (old != null && old.isBlob()) {
      release(btx, old.blobKey(), old.blobId());
    }
    if (old != null && old.expiresAt() != RecordFormat.NEVER) {
      btx.delete(META, expiryKey(old.expiresAt(), rk));
      if (old.expired(config.clock().millis())) {
        d.purged++;
        return new Deleted(true, old.version());
      }
    }
    d.deletes++;
    return new Deleted(false, old == null ? 0 : old.version());
  }

  /**
   * Parses the record being replaced. A corrupted old record must not block overwriting or
   * deleting it: its blob reference (if any) is then unknown, which verify() reports.
   */
  private RecordFormat.StoredRecord parseForWrite(byte[] v, byte[] recordKey, Object where) {
    try {
      return RecordFormat.parseRecord(v, recordKey, where);
    } catch (DataCorruptionException e) {
      observers.corruption(e);
      LOG.warn("replacing a corrupted record: {}", e.getMessage());
      return null;
    }
  }

  /** Drops one reference to a blob; the last one deletes it. */
  private void release(BackendTransaction btx, byte[] blobKey, long blobId) {
    byte[] iv = btx.get(INDEX, blobKey);
    if (iv == null) {
      LOG.warn("blob {} was referenced but has no index entry", RecordFormat.hex(blobKey));
      btx.delete(BLOBS, RecordFormat.blobIdKey(blobId));
      return;
    }
    RecordFormat.IndexEntry e = RecordFormat.parseIndex(iv, indexWhere(blobKey));
    if (e.count() <= 1) {
      btx.delete(INDEX, blobKey);
      btx.delete(BLOBS, RecordFormat.blobIdKey(e.blobId()));
    } else {
      btx.put(INDEX, blobKey, RecordFormat.encodeIndex(e.withCount(e.count() - 1)));
    }
  }

  static String indexWhere(byte[] blobKey) {
    return "index entry of blob " + RecordFormat.hex(blobKey);
  }

  /** The index key of content with SHA-256 {@code hash}: the dedup scope's prefix, the hash. */
  byte[] blobKey(String collection, byte[] hash) {
    if (config.dedupScope() == DedupScope.GLOBAL) {
      byte[] k = new byte[33];
      System.arraycopy(hash, 0, k, 1, 32);
      return k; // 0x00 + hash: no collection name starts with 0x00
    }
    byte[] prefix = Keys.collectionStart(collection);
    byte[] k = Arrays.copyOf(prefix, prefix.length + 32);
    System.arraycopy(hash, 0, k, prefix.length, 32);
    return k;
  }

  /** The expiry index key of record key {@code rk} expiring at {@code expiresAt}. */
  static byte[] expiryKey(long expiresAt, byte[] rk) {
    int p = EXPIRY_PREFIX.length;
    byte[] k = Arrays.copyOf(EXPIRY_PREFIX, p + 8 + rk.length);
    for (int i = 0; i < 8; i++) {
      k[p + i] = (byte) (expiresAt >>> (56 - 8 * i));
    }
    System.arraycopy(rk, 0, k, p + 8, rk.length);
    return k;
  }

  /** The expiry instant of expiry index key {@code key}. */
  static long expiryOf(byte[] key) {
    long e = 0;
    for (int i = 0; i < 8; i++) {
      e = (e << 8) | (key[EXPIRY_PREFIX.length + i] & 0xFF);
    }
    return e;
  }

  /** The record key of expiry index key {@code key}. */
  static byte[] recordKeyOf(byte[] expiryKey) {
    return Arrays.copyOfRange(expiryKey, EXPIRY_PREFIX.length + 8, expiryKey.length);
  }

  /** The end of the expiry index entries expired at {@code nowMillis} (exclusive). */
  private static byte[] expiredEnd(long nowMillis) {
    return expiryKey(nowMillis + 1, new byte[0]);
  }

  /**
   * Whether any record may have expired by {@code nowMillis} and not been purged yet: one seek
   * in the expiry index. False (the usual case, and always in a store that never used a TTL)
   * lets scans and counts skip every expiry check.
   */
  boolean anyExpired(BackendTransaction t, long nowMillis) {
    try (BackendCursor c = t.scan(META, EXPIRY_PREFIX, expiredEnd(nowMillis))) {
      return c.next();
    }
  }

  /**
   * Up to {@code limit} entries of the expiry index expired by {@code nowMillis}, oldest
   * first: each the index key (its record may have changed since: callers check the record).
   */
  List<byte[]> expiredEntries(BackendTransaction t, long nowMillis, int limit) {
    List<byte[]> out = new ArrayList<>();
    try (BackendCursor c = t.scan(META, EXPIRY_PREFIX, expiredEnd(nowMillis))) {
      while (out.size() < limit && c.next()) {
        out.add(c.key());
      }
    }
    return out;
  }

  /**
   * Removes an expiry index entry whose record does not carry its expiry (a record replaced
   * while damaged): nothing else would.
   */
  void dropExpiryEntry(BackendTransaction btx, byte[] expiryKey) {
    btx.delete(META, expiryKey);
  }

  /**
   * The number of records in {@code [from, to)} expired at {@code nowMillis} and not purged yet,
   * found through the expiry index (each checked against its record, so a stale entry never
   * counts).
   */
  private long expiredIn(BackendTransaction t, byte[] from, byte[] to, long nowMillis) {
    long n = 0;
    try (BackendCursor c = t.scan(META, EXPIRY_PREFIX, expiredEnd(nowMillis))) {
      while (c.next()) {
        byte[] key = c.key();
        byte[] rk = recordKeyOf(key);
        if (Arrays.compareUnsigned(rk, from) >= 0 && Arrays.compareUnsigned(rk, to) < 0) {
          Long e = peekExpiry(t, rk);
          if (e != null && e == expiryOf(key)) {
            n++;
          }
        }
      }
    }
    return n;
  }

  /** Whether the record value between {@code v}'s position and limit has expired. */
  static boolean expired(java.nio.ByteBuffer v, long nowMillis) {
    return RecordFormat.expired(RecordFormat.peekExpiry(v), nowMillis);
  }

  /**
   * Whether {@code rec} has expired by the store's clock, which is read only for a record that
   * expires: a store that never used a TTL never reads it on a read.
   */
  private boolean expired(RecordFormat.StoredRecord rec) {
    return rec.expiresAt() != RecordFormat.NEVER && rec.expired(now());
  }

  /** The store clock's now, for expiry decisions. */
  long now() {
    return config.clock().millis();
  }

  /** The meta key of a record's flushed access statistics. */
  static byte[] accessKey(byte[] recordKey) {
    byte[] k = Arrays.copyOf(META_ACCESS_PREFIX, META_ACCESS_PREFIX.length + recordKey.length);
    System.arraycopy(recordKey, 0, k, META_ACCESS_PREFIX.length, recordKey.length);
    return k;
  }

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  });

  static byte[] sha256(byte[] raw) {
    return SHA256.get().digest(raw); // digest() resets the instance for the next use
  }

  // ----------------------------------------------------------------------------------- reads

  /** A record's value, the version that wrote it and its expiry (or {@code NEVER}). */
  record Read(long version, byte[] raw, long expiresAt) {}

  /**
   * Reads one record outside any transaction, with one {@link Backend#readLatest} per lookup (no
   * transaction object); null if absent.
   */
  Read readLatest(RecordKey k) {
    byte[] rk = k.bytes();
    String collection = k.collection();
    String key = k.key();
    // Parsed inside the backend's call, reported outside it: a corruption listener must not run
    // while the backend holds what its close() or map growth waits for.
    Where where = where(collection, key);
    boolean keepHash = keepsHash();
    RecordFormat.StoredRecord rec;
    try {
      rec = backend.readLatestParts(RECORDS, rk,
          (v, body) -> RecordFormat.parseRecord(v, body, rk, where, keepHash));
    } catch (DataCorruptionException e) {
      observers.corruption(e);
      throw e;
    }
    if (rec == null || expired(rec)) {
      return null;
    }
    // No snapshot needed: the record names its blob by an id that is never reused and whose
    // bytes never change, so reading the blob after the record returns the record's value.
    byte[] bv = rec.isBlob()
        ? backend.readLatest(BLOBS, RecordFormat.blobIdKey(rec.blobId()), RecordStore::copy)
        : null;
    if (!rec.isBlob() || bv != null) {
      return new Read(
          rec.version(), decodeRecord(null, rec, where, bv), rec.expiresAt());
    }
    // the blob went away after the record was read (an overwrite or delete committed in
    // between): read both from one snapshot, where a missing blob is corruption
    try (BackendTransaction rtx = backend.beginRead()) {
      return read(rtx, k);
    }
  }

  /** The bytes between {@code v}'s position and limit, in an array of their own. */
  static byte[] copy(java.nio.ByteBuffer v) {
    byte[] b = new byte[v.remaining()];
    v.get(v.position(), b);
    return b;
  }

  /**
   * The record read and decoded in {@code t} (a read, or the caller's write transaction:
   * read-your-writes), or null if absent.
   */
  Read read(BackendTransaction t, RecordKey k) {
    RecordFormat.StoredRecord rec = find(t, k);
    return rec == null ? null : new Read(
        rec.version(), decodeRecord(t, rec, k.collection(), k.key()), rec.expiresAt());
  }

  /** The record parsed (not decoded) in {@code t}, or null if absent or expired. */
  RecordFormat.StoredRecord find(BackendTransaction t, RecordKey k) {
    byte[] rk = k.bytes();
    RecordFormat.StoredRecord rec = t.readParts(RECORDS, rk,
        (v, body) -> parse(v, body, rk, where(k.collection(), k.key()), true));
    return rec == null || expired(rec) ? null : rec;
  }

  /**
   * What {@code Storage.metadata} reports of a record found with {@link #find}, with its access
   * statistics ({@code lastAccess} 0: never read).
   */
  RecordMetadata metadata(RecordKey k, RecordFormat.StoredRecord rec, long accessCount,
      long lastAccess) {
    Codec codec = codecs.byId(rec.codecId());
    return new RecordMetadata(
        k.collection(), k.key(), rec.version(), Instant.ofEpochMilli(rec.created()),
        Instant.ofEpochMilli(rec.updated()), rec.rawLength(), rec.storedLength(),
        codec == null ? "id " + rec.codecId() : codec.name(), rec.isBlob(), accessCount,
        lastAccess == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastAccess)),
        rec.expiresAt() == RecordFormat.NEVER ? Optional.empty()
            : Optional.of(Instant.ofEpochMilli(rec.expiresAt())));
  }

  /**
   * The number of records of {@code collection} not expired at {@code nowMillis}, counted in
   * {@code t}: the backend's count, less the expired records not purged yet (found through the
   * expiry index, not by a scan of the collection; nothing when none has expired).
   */
  long count(BackendTransaction t, String collection, long nowMillis) {
    byte[] start = Keys.collectionStart(collection);
    byte[] end = Keys.prefixEnd(start);
    long n = t.count(RECORDS, start, end);
    return n == 0 || !anyExpired(t, nowMillis) ? n : n - expiredIn(t, start, end, nowMillis);
  }

  /**
   * The names of the collections that have records not expired at {@code nowMillis}, in
   * order, read in {@code t}.
   */
  Set<String> collections(BackendTransaction t, long nowMillis) {
    Set<String> all = collections(t);
    if (!anyExpired(t, nowMillis)) {
      return all;
    }
    all.removeIf(c -> count(t, c, nowMillis) == 0);
    return all;
  }

  /** The names of the collections that have records, expired or not, read in {@code t}. */
  private Set<String> collections(BackendTransaction t) {
    Set<String> out = new TreeSet<>();
    byte[] from = null;
    while (true) {
      byte[] first;
      try (BackendCursor c = t.scan(RECORDS, from, null)) {
        if (!c.next()) {
          return out;
        }
        first = c.key();
      }
      String collection = Keys.collectionOf(first);
      out.add(collection);
      from = Keys.prefixEnd(Keys.collectionStart(collection)); // skip to the next collection
    }
  }

  /**
   * The expiry of record {@code rk} in {@code t} ({@link RecordFormat#peekExpiry}: from the
   * header alone, unchecked), or null if absent; a record kept in two parts is read by its head.
   */
  static Long peekExpiry(BackendTransaction t, byte[] rk) {
    return t.readParts(RECORDS, rk, (head, body) -> RecordFormat.peekExpiry(head));
  }

  /** Whether the record exists in {@code t} and has not expired. */
  boolean contains(BackendTransaction t, RecordKey k) {
    Long expiresAt = peekExpiry(t, k.bytes());
    return expiresAt != null && (expiresAt == RecordFormat.NEVER || expiresAt > now());
  }

  /** The keys of {@code collection} starting with {@code prefix}, read in {@code btx}. */
  List<String> keys(BackendTransaction btx, String collection, String prefix) {
    return keys(btx, ScanRange.prefix(Keys.recordKey(collection, Keys.prefixBytes(prefix))));
  }

  /**
   * The keys of {@code range} not expired, in its order and up to its limit, read in
   * {@code btx}.
   */
  List<String> keys(BackendTransaction btx, ScanRange range) {
    List<String> out = new ArrayList<>();
    long now = now();
    boolean filter = anyExpired(btx, now);
    try (BackendCursor c = range.open(btx)) {
      while (out.size() < range.limit() && c.next()) {
        if (!filter || !c.read((k, v) -> expired(v, now))) {
          out.add(Keys.keyOf(c.key()));
        }
      }
    }
    return out;
  }

  /** Parses a stored record value, counting the corruption it may report. */
  RecordFormat.StoredRecord parse(byte[] v, byte[] recordKey, String collection, String key) {
    return parse(java.nio.ByteBuffer.wrap(v), recordKey, collection, key);
  }

  /** As above, from a buffer that may be the backend's ({@link BackendTransaction#read}). */
  RecordFormat.StoredRecord parse(
      java.nio.ByteBuffer v, byte[] recordKey, String collection, String key) {
    return parse(v, null, recordKey, where(collection, key), true);
  }

  /**
   * A record for a read or a scan, parsed from a buffer that may be the backend's, counting the
   * corruption it may report. Its SHA-256 is kept only where {@link #decode} compares it.
   */
  RecordFormat.StoredRecord parseToRead(
      java.nio.ByteBuffer v, byte[] body, byte[] recordKey, Where where) {
    return parse(v, body, recordKey, where, keepsHash());
  }

  /** {@code v} is the record, or its head if {@code body} is not null ({@link RecordFormat}). */
  private RecordFormat.StoredRecord parse(java.nio.ByteBuffer v, byte[] body, byte[] recordKey,
      Where where, boolean keepHash) {
    try {
      return RecordFormat.parseRecord(v, body, recordKey, where, keepHash);
    } catch (DataCorruptionException e) {
      observers.corruption(e);
      throw e;
    }
  }

  /** Whether a read compares an inline value with its SHA-256 ({@link #decode}). */
  private boolean keepsHash() {
    return config.verifyMode() == VerifyMode.ALWAYS;
  }

  /**
   * Names a record in error messages. Built on every read but turned into a string only when
   * something is reported.
   */
  record Where(String collection, String key, String suffix) {
    @Override
    public String toString() {
      return "record " + collection + "/" + Keys.printable(key) + suffix;
    }

    Where blob() {
      return new Where(collection, key, " blob");
    }
  }

  static Where where(String collection, String key) {
    return new Where(collection, key, "");
  }

  /** Decodes and verifies a record's value, following its blob reference if it has one. */
  byte[] decodeRecord(
      BackendTransaction btx, RecordFormat.StoredRecord rec, String collection, String key) {
    return decodeRecord(btx, rec, collection, key, null);
  }

  /**
   * As above; {@code blobValue} is the record's blob as already read, or null to read it in
   * {@code btx}. {@code btx} is null only for a read outside any transaction whose blob (if any)
   * is given ({@link #readLatest}).
   */
  byte[] decodeRecord(BackendTransaction btx, RecordFormat.StoredRecord rec,
      String collection, String key, byte[] blobValue) {
    return decodeRecord(btx, rec, where(collection, key), blobValue);
  }

  /** As above, the record named by {@code where}. */
  byte[] decodeRecord(BackendTransaction btx, RecordFormat.StoredRecord rec, Where where,
      byte[] blobValue) {
    try {
      return decode(btx, rec, where, false, blobValue);
    } catch (DataCorruptionException e) {
      observers.corruption(e);
      throw e;
    }
  }

  /**
   * An inline record's value, decoded and checked as {@link #decodeRecord} does, or null if that
   * would read the store (a dictionary not loaded yet): for a scan's walk, which must not use
   * its transaction.
   */
  byte[] decodeWithoutReads(RecordFormat.StoredRecord rec, Where where) {
    if (rec.isBlob() || codecs.needsDictionaryRead(rec.dictId())) {
      return null;
    }
    return decodeRecord(null, rec, where, null);
  }

  private boolean shouldHash() {
    VerifyMode m = config.verifyMode();
    return m == VerifyMode.ALWAYS
        || (m == VerifyMode.SAMPLED && ThreadLocalRandom.current().nextInt(16) == 0);
  }

  /**
   * A record's value, decoded and checked; follows its blob reference. SHA-256: always when
   * {@code verifying}; otherwise a shared value's per {@link VerifyMode}, and an inline value's
   * only with {@code ALWAYS} (its CRC32C already covers it; the hash is kept for deferred dedup).
   */
  private byte[] decode(BackendTransaction btx, RecordFormat.StoredRecord rec, Object where,
      boolean verifying, byte[] blobValue) {
    if (!rec.isBlob()) {
      byte[] raw = decodePayload(
          rec.codecId(), rec.dictId(), rec.payload(), rec.rawLength(), where, btx);
      if (rec.hash() != null && (verifying || config.verifyMode() == VerifyMode.ALWAYS)
          && !Arrays.equals(sha256(raw), rec.hash())) {
        throw new DataCorruptionException(where + ": content does not match its SHA-256");
      }
      return raw;
    }
    byte[] bv = blobValue != null ? blobValue : btx.get(BLOBS, RecordFormat.blobIdKey(rec.blobId()));
    if (bv == null) {
      throw new DataCorruptionException(where + ": its content blob "
          + RecordFormat.hex(rec.blobKey()) + " is missing");
    }
    return readBlob(btx, bv, rec.blobKey(), rec.rawLength(), where, verifying || shouldHash());
  }

  /**
   * {@link CodecRegistry#decode}; without a transaction ({@link #readLatest}) a dictionary not
   * loaded yet is read in a read of its own: a stored dictionary never changes, and the record
   * that names it was committed after it.
   */
  private byte[] decodePayload(byte codecId, int dictId, byte[] payload, int rawLength,
      Object where, BackendTransaction btx) {
    if (btx == null && codecs.needsDictionaryRead(dictId)) {
      try (BackendTransaction rtx = backend.beginReadLatest()) {
        return codecs.decode(codecId, dictId, payload, rawLength, where, rtx);
      }
    }
    return codecs.decode(codecId, dictId, payload, rawLength, where, btx);
  }

  private byte[] readBlob(BackendTransaction btx, byte[] bv, byte[] blobKey, int expectedRaw,
      Object where, boolean hash) {
    RecordFormat.StoredBlob blob = RecordFormat.parseBlob(bv,
        where instanceof Where w ? w.blob() : where + " blob");
    if (blob.rawLength() != expectedRaw) {
      throw new DataCorruptionException(where + ": blob holds " + blob.rawLength()
          + " bytes, record says " + expectedRaw);
    }
    byte[] raw = decodePayload(
        blob.codecId(), blob.dictId(), blob.payload(), blob.rawLength(), where, btx);
    if (hash) {
      byte[] h = sha256(raw);
      if (!Arrays.equals(h, 0, 32, blobKey, blobKey.length - 32, blobKey.length)) {
        throw new DataCorruptionException(where + ": content does not match its SHA-256");
      }
    }
    return raw;
  }

  // ---------------------------------------------------------------------------------- verify

  /** Decodes and verifies one stored record for the verifier; hashing always. */
  byte[] verifyRecord(BackendTransaction rtx, RecordFormat.StoredRecord rec, Object where) {
    return decode(rtx, rec, where, true, null);
  }

  /** Decodes and verifies one stored blob for the verifier; hashing always. */
  byte[] verifyBlob(BackendTransaction rtx, byte[] blobKey, byte[] bv) {
    RecordFormat.StoredBlob b = RecordFormat.parseBlob(bv, "blob " + RecordFormat.hex(blobKey));
    return readBlob(rtx, bv, blobKey, b.rawLength(), "blob " + RecordFormat.hex(blobKey), true);
  }
}
