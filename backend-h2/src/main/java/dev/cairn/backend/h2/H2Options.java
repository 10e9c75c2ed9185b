package dev.cairn.backend.h2;

import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.PluginOptions;
import dev.cairn.storage.spi.PluginOptions.Option;
import java.util.Map;

/**
 * The {@code h2.*} options, declared for the engine ({@link H2BackendProvider#options()}) and
 * read with that declaration (every problem reported at once).
 *
 * @param writerTimeoutMs how long {@code beginWrite} waits for the single writer slot
 * @param cacheSizeMb MVStore page cache size
 * @param asyncFlushMs how long an {@code ASYNC} commit may stay in memory only; 0 = written to
 *     the file (not fsynced) at commit
 * @param compress LZF-compress MVStore pages
 * @param compactTimeMs time budget of the chunk-rewrite rounds of one {@code optimize()}
 */
record H2Options(
    long writerTimeoutMs, int cacheSizeMb, long asyncFlushMs, boolean compress, int compactTimeMs) {

  static final Option<Long> WRITER_TIMEOUT_MS = Option.number("h2.writerTimeoutMs", 30_000, 0,
      Long.MAX_VALUE, "how long beginWrite (and optimize) waits for the single writer slot");
  static final Option<Long> CACHE_SIZE_MB = Option.number("h2.cacheSizeMb", 16, 0, 1 << 20,
      "MVStore page cache size in MiB");
  static final Option<Long> ASYNC_FLUSH_MS = Option.number("h2.asyncFlushMs", 1_000, 0,
      3_600_000, "how long ASYNC commits may stay in memory before they are written and fsynced");
  static final Option<Boolean> COMPRESS =
      Option.bool("h2.compress", false, "LZF-compress MVStore pages");
  static final Option<Long> COMPACT_TIME_MS = Option.number("h2.compactTimeMs", 2_000, 0,
      Integer.MAX_VALUE, "time budget of the chunk-rewrite rounds of optimize()");

  /** Every option, in documentation order. */
  static final PluginOptions DECLARATION = PluginOptions.backend(H2BackendProvider.NAME)
      .add(WRITER_TIMEOUT_MS).add(CACHE_SIZE_MB).add(ASYNC_FLUSH_MS).add(COMPRESS)
      .add(COMPACT_TIME_MS)
      .build();

  static H2Options from(BackendConfig config) {
    PluginOptions.Values v = DECLARATION.read(config.options());
    return new H2Options(v.get(WRITER_TIMEOUT_MS), v.get(CACHE_SIZE_MB).intValue(),
        v.get(ASYNC_FLUSH_MS), v.get(COMPRESS), v.get(COMPACT_TIME_MS).intValue());
  }

  /** The options as a map, for logging. */
  Map<String, Object> describe() {
    return Map.of(
        WRITER_TIMEOUT_MS.key(), writerTimeoutMs,
        CACHE_SIZE_MB.key(), cacheSizeMb,
        ASYNC_FLUSH_MS.key(), asyncFlushMs,
        COMPRESS.key(), compress,
        COMPACT_TIME_MS.key(), compactTimeMs);
  }
}
