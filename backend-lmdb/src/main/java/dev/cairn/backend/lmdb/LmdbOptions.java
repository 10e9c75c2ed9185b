package dev.cairn.backend.lmdb;

import dev.cairn.storage.spi.BackendConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code lmdb.*} options, parsed and validated at once (every problem reported together).
 * Defaults and meaning are documented in the module README.
 */
record LmdbOptions(
    long mapSize, long mapSizeMax, int maxReaders, long writerTimeoutMs, int readTxnPoolSize,
    long fullCheckMaxBytes) {

  static final String PREFIX = "lmdb.";
  static final String MAP_SIZE = "lmdb.mapSize";
  static final String MAP_SIZE_MAX = "lmdb.mapSizeMax";
  static final String MAX_READERS = "lmdb.maxReaders";
  static final String WRITER_TIMEOUT_MS = "lmdb.writerTimeoutMs";
  static final String READ_TXN_POOL_SIZE = "lmdb.readTxnPoolSize";
  static final String FULL_CHECK_MAX_BYTES = "lmdb.fullCheckMaxBytes";

  /** Option name to default, in documentation order. */
  static final Map<String, String> DEFAULTS = defaults();

  /** Map sizes are rounded up to this (a multiple of every supported OS page size). */
  static final long MAP_ALIGNMENT = 64L << 10;

  static final long MIN_MAP_SIZE = 256L << 10;

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(MAP_SIZE, "64m");
    d.put(MAP_SIZE_MAX, "64g");
    d.put(MAX_READERS, "126");
    d.put(WRITER_TIMEOUT_MS, "30000");
    d.put(READ_TXN_POOL_SIZE, "16");
    d.put(FULL_CHECK_MAX_BYTES, "64m");
    return Collections.unmodifiableMap(d);
  }

  static LmdbOptions from(BackendConfig config) {
    List<String> errors = new ArrayList<>();
    for (String key : config.optionsWithPrefix(PREFIX).keySet()) {
      if (!DEFAULTS.containsKey(key)) {
        errors.add("unknown option " + key + " (known: " + String.join(", ", DEFAULTS.keySet()) + ")");
      }
    }
    long mapSize = number(config, MAP_SIZE, errors);
    long mapSizeMax = number(config, MAP_SIZE_MAX, errors);
    long maxReaders = number(config, MAX_READERS, errors);
    long writerTimeoutMs = number(config, WRITER_TIMEOUT_MS, errors);
    long pool = number(config, READ_TXN_POOL_SIZE, errors);
    long fullCheckMaxBytes = number(config, FULL_CHECK_MAX_BYTES, errors);
    if (mapSize >= 0 && mapSize < MIN_MAP_SIZE) {
      errors.add(MAP_SIZE + " must be at least 256k, got " + mapSize);
    }
    if (mapSizeMax >= 0 && mapSize >= 0 && mapSizeMax < mapSize) {
      errors.add(MAP_SIZE_MAX + " (" + mapSizeMax + ") must not be below " + MAP_SIZE + " (" + mapSize + ")");
    }
    if (maxReaders != -1 && (maxReaders < 1 || maxReaders > 32_767)) {
      errors.add(MAX_READERS + " must be between 1 and 32767, got " + maxReaders);
    }
    if (maxReaders > 0 && pool > maxReaders) {
      errors.add(READ_TXN_POOL_SIZE + " must be between 0 and " + MAX_READERS + ", got " + pool);
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid LMDB options: " + String.join("; ", errors));
    }
    return new LmdbOptions(
        alignUp(mapSize), alignUp(mapSizeMax), (int) maxReaders, writerTimeoutMs, (int) pool,
        fullCheckMaxBytes);
  }

  /** Parses one option; on error records it and returns -1 (so later checks skip it). */
  private static long number(BackendConfig config, String key, List<String> errors) {
    long def = parseDefault(DEFAULTS.get(key));
    try {
      long v = config.longOption(key, def);
      if (v < 0) {
        errors.add(key + " must not be negative, got " + v);
        return -1;
      }
      return v;
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
      return -1;
    }
  }

  private static long parseDefault(String s) {
    return new BackendConfig(java.nio.file.Path.of("."), java.util.Set.of(), Map.of("d", s))
        .longOption("d", 0);
  }

  static long alignUp(long size) {
    long rem = size % MAP_ALIGNMENT;
    return rem == 0 ? size : Math.addExact(size, MAP_ALIGNMENT - rem);
  }
}
