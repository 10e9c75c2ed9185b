package dev.cairn.storage.internal;

import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Capability;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@link StorageAdmin} of one store ({@code storage.admin()}): what the store is (backend,
 * codec, directory, id, what the last open found of an interrupted restore), and the
 * operations for operators and the backup module — native snapshots, verification of every
 * record and blob, export and import of all records, dictionary training, size on disk.
 *
 * <p>Threading: as {@link Engine}: any thread, concurrently. Operations that touch the backend
 * run inside the engine's {@link Lifecycle} (so they fail once the store is closed); the
 * descriptions answer after close too.
 */
final class AdminView implements StorageAdmin {

  private final StorageConfig config;
  private final BackendProvider backendProvider;
  private final Backend backend;
  private final CodecRegistry codecs;
  private final String storeId;
  private final List<String> restoreLeftovers;
  private final Lifecycle lifecycle;
  private final ValueMapping mapping;
  private final RecordStore records;
  private final CommitPipeline pipeline;
  private final DictionaryTrainer dictionaries;
  private final Observers observers;

  AdminView(StorageConfig config, StoreOpener.Resources opened, Lifecycle lifecycle,
      ValueMapping mapping, RecordStore records, CommitPipeline pipeline,
      DictionaryTrainer dictionaries, Observers observers) {
    this.config = config;
    this.backendProvider = opened.backendProvider;
    this.backend = opened.backend;
    this.codecs = opened.codecs;
    this.storeId = opened.storeId;
    this.restoreLeftovers = opened.restoreLeftovers;
    this.lifecycle = lifecycle;
    this.mapping = mapping;
    this.records = records;
    this.pipeline = pipeline;
    this.dictionaries = dictionaries;
    this.observers = observers;
  }

  @Override
  public String backendName() {
    return backendProvider.name();
  }

  @Override
  public List<String> restoreLeftovers() {
    return restoreLeftovers;
  }

  @Override
  public Set<Capability> backendCapabilities() {
    return backendProvider.capabilities();
  }

  @Override
  public String codecName() {
    return codecs.writeCodec().name();
  }

  @Override
  public Path directory() {
    return config.directory();
  }

  @Override
  public String storeId() {
    return storeId;
  }

  @Override
  public void snapshotTo(Path target) {
    Objects.requireNonNull(target, "target");
    lifecycle.enterOrThrow();
    try {
      backend.snapshotTo(target);
    } finally {
      lifecycle.exit();
    }
  }

  @Override
  public long sizeOnDisk() {
    lifecycle.enterOrThrow();
    try {
      return backend.sizeOnDisk();
    } finally {
      lifecycle.exit();
    }
  }

  /** Verifies the store and reports the run to the {@link Observers} (not if it throws). */
  @Override
  public VerificationReport verify() {
    lifecycle.enterOrThrow();
    try {
      Instant started = Instant.now();
      long t0 = System.nanoTime();
      JfrEvents.Verify event = JfrEvents.beginVerify();
      VerificationReport report = check();
      observers.verified(report, started, System.nanoTime() - t0, event);
      return report;
    } finally {
      lifecycle.exit();
    }
  }

  private VerificationReport check() {
    List<String> damaged = backend.verifyStructure();
    if (!damaged.isEmpty()) {
      List<String> problems = new ArrayList<>(damaged);
      problems.add("records were not checked: the backend's own structures are damaged");
      return new VerificationReport(0, 0, problems);
    }
    try (BackendTransaction rtx = backend.beginRead()) {
      return new Verifier(records, rtx).run();
    }
  }

  @Override
  public void exportRecords(Consumer<ExportedRecord> visitor) {
    Objects.requireNonNull(visitor, "visitor");
    lifecycle.enterOrThrow();
    try (BackendTransaction rtx = backend.beginRead();
        BackendCursor c = rtx.scan(RecordStore.RECORDS, null, null)) {
      while (c.next()) {
        byte[] rk = c.key();
        String collection = Keys.collectionOf(rk);
        String key = Keys.keyOf(rk);
        RecordFormat.StoredRecord rec = records.parse(c.value(), rk, collection, key);
        byte[] raw = records.verifyRecord(rtx, rec, RecordStore.where(collection, key));
        byte[] hash = rec.isBlob()
            ? Arrays.copyOfRange(rec.blobKey(), rec.blobKey().length - 32, rec.blobKey().length)
            : rec.hash(); // an inline value's own hash (deferred dedup), or null
        visitor.accept(new ExportedRecord(
            collection, key, rec.created(), rec.updated(), raw, hash, rec.expiresAt()));
      }
    } finally {
      lifecycle.exit();
    }
  }

  @Override
  public void importRecords(List<ExportedRecord> exported) {
    Objects.requireNonNull(exported, "records");
    List<RecordKey> keys = new ArrayList<>(exported.size());
    for (ExportedRecord r : exported) {
      keys.add(RecordKey.of(r.collection(), r.key()));
      mapping.checkSize(r.value());
    }
    pipeline.run(config.durability(), tx -> {
      for (int i = 0; i < keys.size(); i++) {
        ExportedRecord r = exported.get(i);
        tx.write(keys.get(i), r.value(), r.createdAtMillis(), r.updatedAtMillis(),
            r.expiresAtMillis());
      }
      return null;
    });
  }

  @Override
  public OptionalInt trainDictionary(String collection) {
    Keys.checkCollection(collection);
    return dictionaries.train(collection);
  }
}
