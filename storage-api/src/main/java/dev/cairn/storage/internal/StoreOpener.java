package dev.cairn.storage.internal;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.CacheConfig;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import dev.cairn.storage.spi.RecordCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a store: chooses the backend and codecs, checks every option before anything is
 * created, finishes a restore a crash interrupted, creates and locks the directory, checks
 * that it belongs to the chosen backend ({@code cairn.store}), creates the cache, opens the
 * backend and creates or checks the store's meta entries (format, store id, version sequence,
 * dictionary assignments). Anything acquired is released again if a later step fails; on
 * success the {@link Engine} is built over what was acquired.
 *
 * <p>Stateless; {@link #open} may be called from any thread (two opens of one directory are
 * kept apart by the store lock).
 */
final class StoreOpener {

  /**
   * The layout of the engine's keyspaces this version writes; a newer store is refused. Format
   * 2 adds inline records that carry their SHA-256 (deferred dedup, {@link RecordFormat}); a
   * format 1 store is read as it is and marked format 2 when opened, since it may then receive
   * records a format 1 build cannot read (which then refuses it instead of misreading it).
   * Format 3 adds records with a time to live (an expiry instant in the record, flag bit 2, and
   * the expiry index in {@code meta}); format 1 and 2 stores are read as they are and marked 3
   * when opened, so that a format 2 build, which would serve expired records and leave their
   * index entries behind, refuses the store instead. Format 4 writes inline records of record
   * format 3, whose checksum precedes the payload, in two parts a backend may keep apart
   * ({@link RecordFormat}); older stores are read as they are and marked 4 when opened, since a
   * format 3 build cannot read such records.
   */
  static final int FORMAT = 4;
  /** The meta entry holding the store's format: present in every store. */
  static final byte[] FORMAT_KEY = ascii("format");
  private static final byte[] STORE_ID_KEY = ascii("store-id");

  private static final Logger LOG = LoggerFactory.getLogger(StoreOpener.class);

  private StoreOpener() {}

  /**
   * Resources acquired while opening, released in reverse order if opening fails, and by the
   * engine at close.
   */
  static final class Resources {
    StoreLock storeLock;
    BackendProvider backendProvider;
    Backend backend;
    CodecRegistry codecs;
    RecordCache cache;
    String storeId;
    long seq;
    /** The change feed's retention; null when the store has no feed. */
    ChangeFeedRetention feed;
    List<String> restoreLeftovers = List.of();

    void release() {
      closeQuietly(cache);
      closeQuietly(backend);
      try {
        if (storeLock != null) {
          storeLock.close();
        }
      } catch (RuntimeException e) {
        LOG.warn("cannot release store lock", e);
      }
    }
  }

  /** Opens a store with a validated configuration. */
  static Engine open(StorageConfig config) {
    Resources r = new Resources();
    try {
      Map<String, BackendProvider> backends =
          Plugins.all(BackendProvider.class, config.backends(), BackendProvider::name);
      r.backendProvider = Plugins.choose(
          BackendProvider.class, backends, defaultBackend(config.backendName(), backends));
      OptionClaims.check(config, r.backendProvider, backends); // before anything is created
      if (!r.backendProvider.capabilities().contains(Capability.ORDERED_SCAN)) {
        throw new IllegalArgumentException("backend " + r.backendProvider.name()
            + " does not declare ORDERED_SCAN: the engine pages scans and key ranges, and reads"
            + " the expiry index and the change feed, in key order, so it needs scans that return"
            + " keys in unsigned byte order");
      }
      resolveCodecs(config, r);
      Path dir = config.directory();
      // a restore over this store that a crash interrupted is finished before anything else,
      // so that a missing directory is put back rather than created empty
      RestoreSwapRecovery recovery = new RestoreSwapRecovery(dir);
      recovery.beforeOpen();
      boolean created = !Files.exists(dir);
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new BackendException("cannot create store directory " + dir + ": " + e, e);
      }
      lock(dir, r);
      try {
        recovery.afterLock();
      } catch (RuntimeException e) {
        r.release();
        r.storeLock = null;
        if (created) {
          removeCreated(dir); // do not leave a new directory in the way of the restore
        }
        throw e;
      }
      r.restoreLeftovers = recovery.report();
      boolean marked = StoreMarker.check(dir, r.backendProvider, backends.values());
      if (config.cacheName() != null) {
        Map<String, CacheProvider> caches =
            Plugins.all(CacheProvider.class, config.caches(), CacheProvider::name);
        CacheProvider cp = Plugins.choose(CacheProvider.class, caches, config.cacheName());
        r.cache = cp.create(new CacheConfig(
            config.cacheMaxHeapBytes(), config.cacheMaxOffHeapBytes(),
            config.cacheExpireAfterWrite(), config.cacheExpireAfterAccess(), r.codecs.writeCodec(),
            config.cacheOptions()));
      }
      r.backend = r.backendProvider.open(
          new BackendConfig(dir, RecordStore.KEYSPACES, config.backendOptions()));
      // two instances creating one shared (multi-process) store at once may conflict
      ConflictRetry.retryOnConflict(() -> {
        initMeta(r);
        return null;
      }, null);
      r.feed = ConflictRetry.retryOnConflict(
          () -> FeedLog.configure(r.backend, config.changeFeed()), null);
      if (!marked) {
        StoreMarker.write(dir, r.backendProvider.name());
      }
      Engine engine = new Engine(config, r);
      LOG.debug("opened {} store {} in {}", r.backendProvider.name(), r.storeId, dir);
      return engine;
    } catch (RuntimeException | Error e) {
      r.release();
      throw e;
    }
  }

  private static String defaultBackend(String wanted, Map<String, BackendProvider> found) {
    if (wanted != null) {
      return wanted;
    }
    if (found.size() == 1) {
      return found.keySet().iterator().next();
    }
    if (found.containsKey("sqlite")) {
      return "sqlite";
    }
    throw new IllegalArgumentException(found.isEmpty()
        ? "no backend found: add a backend module such as cairn-backend-sqlite to the class path"
        : "several backends found " + found.keySet() + "; choose one with backend(name)");
  }

  private static void resolveCodecs(StorageConfig config, Resources r) {
    List<CodecProvider> explicit = new ArrayList<>(config.codecs());
    explicit.add(0, new IdentityCodecProvider());
    Map<String, CodecProvider> byName =
        Plugins.all(CodecProvider.class, explicit, CodecProvider::name);
    Map<Byte, Codec> byId = new HashMap<>();
    Map<Byte, String> idOwner = new HashMap<>();
    Codec chosen = null;
    for (CodecProvider p : byName.values()) {
      String previous = idOwner.putIfAbsent(p.id(), p.name());
      if (previous != null) {
        throw new IllegalArgumentException("codecs '" + previous + "' and '" + p.name()
            + "' both use id " + p.id() + "; codec ids must be unique");
      }
      boolean selected = p.name().equals(config.codecName());
      Codec codec;
      try {
        codec = p.create(OptionClaims.own(p.name(), config.codecOptions()));
      } catch (RuntimeException e) {
        if (selected) {
          throw e;
        }
        // a codec only needed for reading old records: report when (if ever) it is needed
        LOG.warn("codec {} is unavailable: {}", p.name(), e.toString());
        continue;
      }
      byId.put(p.id(), codec);
      if (selected) {
        chosen = codec;
      }
    }
    if (chosen == null) {
      Plugins.choose(CodecProvider.class, byName, config.codecName()); // throws with the list
    }
    boolean dictionaries =
        byName.get(chosen.name()).capabilities().contains(Capability.DICTIONARIES);
    r.codecs = new CodecRegistry(Map.copyOf(byId), chosen, config.minSavings(), dictionaries);
  }

  /** Deletes a store directory this open created and that holds nothing but the lock file. */
  private static void removeCreated(Path dir) {
    try {
      Files.deleteIfExists(dir.resolve(StoreLock.FILE));
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      LOG.debug("could not remove {} after a failed open: {}", dir, e.toString());
    }
  }

  private static void lock(Path dir, Resources r) {
    r.storeLock = StoreLock.acquire(dir);
  }

  private static void initMeta(Resources r) {
    try (BackendTransaction tx = r.backend.beginWrite()) {
      byte[] format = tx.get(RecordStore.META, FORMAT_KEY);
      if (format == null) {
        if (tx.scan(RecordStore.RECORDS, null, null).next()) {
          throw new DataCorruptionException("store has records but no format marker");
        }
        tx.put(RecordStore.META, FORMAT_KEY, RecordFormat.encodeLong(FORMAT));
        tx.put(RecordStore.META, STORE_ID_KEY,
            UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        tx.put(RecordStore.META, VersionSequence.KEY, RecordFormat.encodeLong(0));
        tx.commit(Durability.SYNC);
      } else {
        long f = RecordFormat.parseLong(format, "meta format");
        if (f > FORMAT) {
          throw new BackendException("store format " + f + " is newer than this Cairn version supports ("
              + FORMAT + "); upgrade Cairn");
        }
        if (f < FORMAT) {
          LOG.info("store {} has format {}; marking it format {} (its records are read as they"
              + " are; builds before format {} will refuse it)", r.backendProvider.name(), f,
              FORMAT, FORMAT);
          tx.put(RecordStore.META, FORMAT_KEY, RecordFormat.encodeLong(FORMAT));
          tx.commit(Durability.SYNC);
        }
      }
    }
    try (BackendTransaction tx = r.backend.beginRead()) {
      byte[] id = tx.get(RecordStore.META, STORE_ID_KEY);
      byte[] seq = tx.get(RecordStore.META, VersionSequence.KEY);
      if (id == null || seq == null) {
        throw new DataCorruptionException(r.backendProvider.name() + " store"
            + " has a format marker but no " + (id == null ? "store id" : "sequence counter")
            + " in its meta keyspace");
      }
      r.storeId = new String(id, StandardCharsets.UTF_8);
      r.seq = RecordFormat.parseLong(seq, "meta sequence");
      r.codecs.loadAssignments(tx);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("error while closing {}", c.getClass().getSimpleName(), e);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
