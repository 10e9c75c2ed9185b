package dev.cairn.backend.sqlite;

import dev.cairn.storage.spi.BackendConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code sqlite.*} options, validated all at once (every problem is reported in one
 * {@link IllegalArgumentException}). Defaults and meaning are documented in the module README.
 */
record SqliteOptions(
    int readers,
    long poolTimeoutMs,
    long writerTimeoutMs,
    int busyTimeoutMs,
    long cacheSizeKb,
    long mmapSizeBytes,
    int pageSize) {

  static final String PREFIX = "sqlite.";
  static final String READERS = "sqlite.readers";
  static final String POOL_TIMEOUT_MS = "sqlite.poolTimeoutMs";
  static final String WRITER_TIMEOUT_MS = "sqlite.writerTimeoutMs";
  static final String BUSY_TIMEOUT_MS = "sqlite.busyTimeoutMs";
  static final String CACHE_SIZE_KB = "sqlite.cacheSizeKb";
  static final String MMAP_SIZE_BYTES = "sqlite.mmapSizeBytes";
  static final String PAGE_SIZE = "sqlite.pageSize";

  /** Every known option with its default, in documentation order. */
  static final Map<String, Long> DEFAULTS = defaults();

  private static final int MAX_READERS = 64;

  private static Map<String, Long> defaults() {
    Map<String, Long> d = new LinkedHashMap<>();
    d.put(READERS, 4L);
    d.put(POOL_TIMEOUT_MS, 10_000L);
    d.put(WRITER_TIMEOUT_MS, 30_000L);
    d.put(BUSY_TIMEOUT_MS, 5_000L);
    d.put(CACHE_SIZE_KB, 8_192L);
    d.put(MMAP_SIZE_BYTES, 0L);
    d.put(PAGE_SIZE, 8_192L);
    return java.util.Collections.unmodifiableMap(d);
  }

  /** Reads and validates the {@code sqlite.*} options of {@code config}. */
  static SqliteOptions from(BackendConfig config) {
    List<String> problems = new ArrayList<>();
    for (String key : config.optionsWithPrefix(PREFIX).keySet()) {
      if (!DEFAULTS.containsKey(key)) {
        problems.add("unknown option '" + key + "'; known options: " + DEFAULTS.keySet());
      }
    }
    long readers = read(config, READERS, 1, MAX_READERS, problems);
    long poolTimeout = read(config, POOL_TIMEOUT_MS, 0, Long.MAX_VALUE, problems);
    long writerTimeout = read(config, WRITER_TIMEOUT_MS, 0, Long.MAX_VALUE, problems);
    long busyTimeout = read(config, BUSY_TIMEOUT_MS, 0, Integer.MAX_VALUE, problems);
    long cacheKb = read(config, CACHE_SIZE_KB, 0, Long.MAX_VALUE / 1024, problems);
    long mmap = read(config, MMAP_SIZE_BYTES, 0, Long.MAX_VALUE, problems);
    long pageSize = read(config, PAGE_SIZE, 512, 65_536, problems);
    if (Long.bitCount(pageSize) != 1) {
      problems.add("option " + PAGE_SIZE + " must be a power of two, got " + pageSize);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid SQLite backend options: " + String.join("; ", problems));
    }
    return new SqliteOptions(
        (int) readers, poolTimeout, writerTimeout, (int) busyTimeout, cacheKb, mmap,
        (int) pageSize);
  }

  private static long read(
      BackendConfig config, String key, long min, long max, List<String> problems) {
    long value;
    try {
      value = config.longOption(key, DEFAULTS.get(key));
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return DEFAULTS.get(key);
    }
    if (value < min || value > max) {
      problems.add(
          "option " + key + " must be between " + min + " and " + max + ", got " + value);
      return DEFAULTS.get(key);
    }
    return value;
  }
}
