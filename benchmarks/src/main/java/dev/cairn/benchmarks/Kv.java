package dev.cairn.benchmarks;

import java.nio.file.Path;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One workload, two ways to run it: straight on a library ("raw") or through Cairn's
 * {@code Storage}. Implementations are thread-safe to the degree each benchmark needs (reads
 * from several threads; single-record durable writes from 64 threads).
 */
interface Kv extends AutoCloseable {

  /** Writes all records in one durable transaction. */
  void putBatch(String[] keys, byte[][] values);

  /** Writes one record in its own durable transaction. */
  void putOne(String key, byte[] value);

  /**
   * Writes one record durably while other threads do the same: Cairn with
   * {@code Durability.GROUP}; a raw library one transaction and one fsync per record.
   */
  void putOneGroup(String key, byte[] value);

  /** The value of an existing key (fails if absent: benchmarks only read keys they wrote). */
  byte[] get(String key);

  /** Visits every key of the collection in order; returns how many there were. */
  long scanKeys(Blackhole bh);

  /** Reads every key and value of the collection; returns how many there were. */
  long scanAll(Blackhole bh);

  @Override
  void close();

  /** The backends {@link #open} can drive through their raw library. */
  java.util.Set<String> RAW_BACKENDS = java.util.Set.of("sqlite", "h2", "lmdb");

  /**
   * Opens {@code impl} on {@code backend} in an empty directory: "raw" (the library alone),
   * "cairn" (through {@code Storage}) or "ceiling" (the raw library plus only the checks and
   * copies no checking store can skip: {@link CeilingH2} and {@link CeilingLmdb} for reads and
   * scans on H2 and LMDB, {@link CeilingSqlite} for group commits on SQLite).
   */
  static Kv open(String impl, String backend, Path dir) {
    switch (impl) {
      case "raw":
        switch (backend) {
          case "sqlite":
            return new RawSqlite(dir);
          case "h2":
            return new RawH2(dir);
          case "lmdb":
            return new RawLmdb(dir);
          default:
            throw new IllegalArgumentException("unknown backend " + backend);
        }
      case "cairn":
        return new CairnKv(backend, dir, false);
      case "ceiling":
        switch (backend) {
          case "h2":
            return new CeilingH2(dir);
          case "lmdb":
            return new CeilingLmdb(dir);
          case "sqlite":
            return new CeilingSqlite(dir);
          default:
            throw new IllegalArgumentException("no ceiling prototype for " + backend);
        }
      default:
        throw new IllegalArgumentException("unknown impl " + impl);
    }
  }

  /** Fails loudly: a benchmark that silently reads nothing measures nothing. */
  static byte[] require(byte[] v, String key) {
    if (v == null) {
      throw new IllegalStateException("key " + key + " is missing");
    }
    return v;
  }
}
