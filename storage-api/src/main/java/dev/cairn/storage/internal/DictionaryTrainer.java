package dev.cairn.storage.internal;

import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains compression dictionaries for collections, when the write codec supports them
 * ({@code zstd}): on demand ({@code StorageAdmin.trainDictionary}), and in the background once
 * a collection without a dictionary has had {@code dictionaryTrainingSamples} writes. Training
 * reads up to that many of the collection's values of 8 B to 64 KiB (at least 100), trains a
 * dictionary of at most {@code dictionaryMaxBytes} bytes, stores it
 * ({@link CodecRegistry#store}) and makes the collection's new writes use it. Values already stored stay readable: each names
 * the dictionary it was written with.
 *
 * <p>Threading: any thread may call it. Write counts are concurrent counters; one training per
 * collection runs in the background at a time, on the engine's scheduler; storing a dictionary
 * takes the engine's write lock.
 */
final class DictionaryTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(DictionaryTrainer.class);

  private final StorageConfig config;
  private final Backend backend;
  private final CodecRegistry codecs;
  private final RecordStore records;
  private final ReentrantLock writeLock;
  private final Lifecycle lifecycle;
  private final ScheduledExecutorService scheduler;
  private final Map<String, LongAdder> writesWithoutDictionary = new ConcurrentHashMap<>();
  private final Set<String> training = ConcurrentHashMap.newKeySet();

  DictionaryTrainer(StorageConfig config, Backend backend, CodecRegistry codecs,
      RecordStore records, ReentrantLock writeLock, Lifecycle lifecycle,
      ScheduledExecutorService scheduler) {
    this.config = config;
    this.backend = backend;
    this.codecs = codecs;
    this.records = records;
    this.writeLock = writeLock;
    this.lifecycle = lifecycle;
    this.scheduler = scheduler;
  }

  /**
   * After a commit: counts its writes to collections without a dictionary (collection to
   * writes) and starts a background training for a collection that has had enough.
   */
  void countWrites(Map<String, Integer> writesByCollection) {
    int samples = config.dictionaryTrainingSamples();
    if (samples <= 0) {
      return;
    }
    writesByCollection.forEach((collection, n) -> {
      LongAdder count = writesWithoutDictionary.computeIfAbsent(collection, c -> new LongAdder());
      count.add(n);
      if (count.sum() >= samples && training.add(collection)) {
        try {
          scheduler.execute(() -> trainInBackground(collection));
        } catch (RejectedExecutionException e) {
          training.remove(collection); // closing
        }
      }
    });
  }

  private void trainInBackground(String collection) {
    try {
      train(collection);
      writesWithoutDictionary.remove(collection);
    } catch (StorageClosedException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.warn("could not train a dictionary for collection {}", collection, e);
    } finally {
      training.remove(collection);
    }
  }

  /**
   * Trains, stores and activates a dictionary for {@code collection} (a checked name).
   *
   * @return its id, or empty if the collection has fewer than 8 values to learn from
   * @throws UnsupportedOperationException if the write codec has no dictionaries
   */
  OptionalInt train(String collection) {
    if (!codecs.dictionariesSupported()) {
      throw new UnsupportedOperationException(
          "codec " + codecs.writeCodec().name() + " does not support dictionaries");
    }
    int wanted = Math.max(config.dictionaryTrainingSamples(), 100);
    lifecycle.enterOrThrow();
    try {
      List<byte[]> samples = new ArrayList<>();
      try (BackendTransaction rtx = backend.beginRead();
          BackendCursor c = rtx.scan(RecordStore.RECORDS, Keys.collectionStart(collection),
              Keys.prefixEnd(Keys.collectionStart(collection)))) {
        while (samples.size() < wanted && c.next()) {
          String key = Keys.keyOf(c.key());
          RecordFormat.StoredRecord rec = records.parse(c.value(), c.key(), collection, key);
          if (rec.rawLength() >= 8 && rec.rawLength() <= (64 << 10)) {
            samples.add(records.decodeRecord(rtx, rec, collection, key));
          }
        }
      }
      if (samples.size() < 8) {
        return OptionalInt.empty();
      }
      byte[] dict = codecs.writeCodec().trainDictionary(samples, config.dictionaryMaxBytes());
      int id;
      writeLock.lock();
      try (BackendTransaction btx = backend.beginWrite()) {
        id = codecs.store(btx, collection, dict);
        btx.commit(Durability.SYNC);
      } finally {
        writeLock.unlock();
      }
      codecs.activate(collection, id, dict);
      LOG.info("trained dictionary {} ({} bytes) for collection {} from {} values",
          id, dict.length, collection, samples.size());
      return OptionalInt.of(id);
    } finally {
      lifecycle.exit();
    }
  }
}
