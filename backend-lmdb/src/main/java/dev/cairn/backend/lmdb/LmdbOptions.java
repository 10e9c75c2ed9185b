package dev.cairn.backend.lmdb;

import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.PluginOptions;
import dev.cairn.storage.spi.PluginOptions.Option;

/**
 * The {@code lmdb.*} options, declared for the engine ({@link LmdbBackendProvider#options()})
 * and read with that declaration (every problem reported together). Defaults and meaning are
 * documented in the module README.
 */
record LmdbOptions(
    long mapSize, long mapSizeMax, int maxReaders, long writerTimeoutMs, int readTxnPoolSize,
    long fullCheckMaxBytes) {

  /** Map sizes are rounded up to this (a multiple of every supported OS page size). */
  static final long MAP_ALIGNMENT = 64L << 10;

  static final long MIN_MAP_SIZE = 256L << 10;

  static final Option<Long> MAP_SIZE = Option.number("lmdb.mapSize", 64L << 20, MIN_MAP_SIZE,
      Long.MAX_VALUE, "initial map size");
  static final Option<Long> MAP_SIZE_MAX = Option.number("lmdb.mapSizeMax", 64L << 30,
      MIN_MAP_SIZE, Long.MAX_VALUE, "the map never grows beyond this");
  static final Option<Long> MAX_READERS = Option.number("lmdb.maxReaders", 126, 1, 32_767,
      "maximum concurrent read transactions");
  static final Option<Long> WRITER_TIMEOUT_MS = Option.number("lmdb.writerTimeoutMs", 30_000, 0,
      Long.MAX_VALUE, "how long beginWrite() and a map growth wait before failing");
  static final Option<Long> READ_TXN_POOL_SIZE = Option.number("lmdb.readTxnPoolSize", 16, 0,
      Long.MAX_VALUE, "read slots: read transactions kept for reuse, one per reading thread");
  static final Option<Long> FULL_CHECK_MAX_BYTES = Option.number("lmdb.fullCheckMaxBytes",
      64L << 20, 0, Long.MAX_VALUE, "a data.mdb up to this size has every page checked at open");

  /** Every option, in documentation order. */
  static final PluginOptions DECLARATION = PluginOptions.backend(LmdbBackendProvider.NAME)
      .add(MAP_SIZE).add(MAP_SIZE_MAX).add(MAX_READERS).add(WRITER_TIMEOUT_MS)
      .add(READ_TXN_POOL_SIZE).add(FULL_CHECK_MAX_BYTES)
      .rule(MAP_SIZE_MAX, v -> v.get(MAP_SIZE_MAX) >= v.get(MAP_SIZE) ? null
          : "must not be below " + MAP_SIZE.key() + " (" + v.text(MAP_SIZE) + ")")
      .rule(READ_TXN_POOL_SIZE, v -> v.get(READ_TXN_POOL_SIZE) <= v.get(MAX_READERS) ? null
          : "must not be above " + MAX_READERS.key() + " (" + v.text(MAX_READERS) + ")")
      .build();

  static LmdbOptions from(BackendConfig config) {
    PluginOptions.Values v = DECLARATION.read(config.options());
    return new LmdbOptions(
        alignUp(v.get(MAP_SIZE)), alignUp(v.get(MAP_SIZE_MAX)), v.get(MAX_READERS).intValue(),
        v.get(WRITER_TIMEOUT_MS), v.get(READ_TXN_POOL_SIZE).intValue(),
        v.get(FULL_CHECK_MAX_BYTES));
  }

  static long alignUp(long size) {
    long rem = size % MAP_ALIGNMENT;
    return rem == 0 ? size : Math.addExact(size, MAP_ALIGNMENT - rem);
  }
}
