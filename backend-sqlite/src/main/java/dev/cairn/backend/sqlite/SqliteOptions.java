package dev.cairn.backend.sqlite;

import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.PluginOptions;
import dev.cairn.storage.spi.PluginOptions.Option;

/**
 * The {@code sqlite.*} options, declared for the engine ({@link SqliteBackendProvider#options()})
 * and read with that declaration: every problem is reported in one
 * {@link IllegalArgumentException}. Defaults and meaning are documented in the module README.
 */
record SqliteOptions(
    int readers,
    long poolTimeoutMs,
    long writerTimeoutMs,
    int busyTimeoutMs,
    long cacheSizeKb,
    long mmapSizeBytes,
    int pageSize) {

  static final Option<Long> READERS = Option.number("sqlite.readers", 4, 1, 64,
      "reader connections in the pool: the most read transactions open at once");
  static final Option<Long> POOL_TIMEOUT_MS = Option.number("sqlite.poolTimeoutMs", 10_000, 0,
      Long.MAX_VALUE, "how long beginRead() waits for a free reader connection");
  static final Option<Long> WRITER_TIMEOUT_MS = Option.number("sqlite.writerTimeoutMs", 30_000,
      0, Long.MAX_VALUE, "how long beginWrite() waits for the open write transaction to end");
  static final Option<Long> BUSY_TIMEOUT_MS = Option.number("sqlite.busyTimeoutMs", 5_000, 0,
      Integer.MAX_VALUE, "SQLite's busy timeout per connection");
  static final Option<Long> CACHE_SIZE_KB = Option.number("sqlite.cacheSizeKb", 8_192, 0,
      Long.MAX_VALUE / 1024, "page cache per connection, in KiB");
  static final Option<Long> MMAP_SIZE_BYTES = Option.number("sqlite.mmapSizeBytes", 0, 0,
      Long.MAX_VALUE, "bytes of the database file memory-mapped for reads");
  static final Option<Long> PAGE_SIZE = Option.number("sqlite.pageSize", 8_192, 512, 65_536,
          "page size in bytes, applied when the store is created")
      .require(v -> Long.bitCount(v) == 1, "must be a power of two");

  /** Every option, in documentation order. */
  static final PluginOptions DECLARATION = PluginOptions.backend(SqliteBackendProvider.NAME)
      .add(READERS).add(POOL_TIMEOUT_MS).add(WRITER_TIMEOUT_MS).add(BUSY_TIMEOUT_MS)
      .add(CACHE_SIZE_KB).add(MMAP_SIZE_BYTES).add(PAGE_SIZE)
      .build();

  /** Reads and validates the options of {@code config}. */
  static SqliteOptions from(BackendConfig config) {
    PluginOptions.Values v = DECLARATION.read(config.options());
    return new SqliteOptions(
        v.get(READERS).intValue(), v.get(POOL_TIMEOUT_MS), v.get(WRITER_TIMEOUT_MS),
        v.get(BUSY_TIMEOUT_MS).intValue(), v.get(CACHE_SIZE_KB), v.get(MMAP_SIZE_BYTES),
        v.get(PAGE_SIZE).intValue());
  }
}
