package dev.cairn.backend.h2;

import dev.cairn.storage.spi.BackendConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code h2.*} options, validated together (every problem reported at once).
 *
 * @param writerTimeoutMs how long {@code beginWrite} waits for the single writer slot
 * @param cacheSizeMb MVStore page cache size
 * @param asyncFlushMs how long an {@code ASYNC} commit may stay in memory only; 0 = written to
 *     the file (not fsynced) at commit
 * @param compress LZF-compress MVStore pages
 * @param compactTimeMs time budget of one {@code optimize()} compaction
 */
record H2Options(
    long writerTimeoutMs, int cacheSizeMb, long asyncFlushMs, boolean compress, int compactTimeMs) {

  static final String WRITER_TIMEOUT_MS = "h2.writerTimeoutMs";
  static final String CACHE_SIZE_MB = "h2.cacheSizeMb";
  static final String ASYNC_FLUSH_MS = "h2.asyncFlushMs";
  static final String COMPRESS = "h2.compress";
  static final String COMPACT_TIME_MS = "h2.compactTimeMs";

  static final Set<String> KNOWN =
      Set.of(WRITER_TIMEOUT_MS, CACHE_SIZE_MB, ASYNC_FLUSH_MS, COMPRESS, COMPACT_TIME_MS);

  static H2Options from(BackendConfig config) {
    List<String> errors = new ArrayList<>();
    for (String key : config.optionsWithPrefix("h2.").keySet()) {
      if (!KNOWN.contains(key)) {
        errors.add("unknown option " + key + " (known: " + String.join(", ", sortedKnown()) + ")");
      }
    }
    long writerTimeout = number(config, WRITER_TIMEOUT_MS, 30_000, 0, Long.MAX_VALUE, errors);
    long cache = number(config, CACHE_SIZE_MB, 16, 0, 1 << 20, errors);
    long asyncFlush = number(config, ASYNC_FLUSH_MS, 1_000, 0, 3_600_000, errors);
    long compactTime = number(config, COMPACT_TIME_MS, 2_000, 0, Integer.MAX_VALUE, errors);
    boolean compress = false;
    String c = config.options().get(COMPRESS);
    if (c != null) {
      String v = c.trim().toLowerCase(Locale.ROOT);
      if (v.equals("true") || v.equals("false")) {
        compress = Boolean.parseBoolean(v);
      } else {
        errors.add("option " + COMPRESS + " must be true or false, got '" + c + "'");
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid H2 backend options: " + String.join("; ", errors));
    }
    return new H2Options(writerTimeout, (int) cache, asyncFlush, compress, (int) compactTime);
  }

  private static List<String> sortedKnown() {
    return KNOWN.stream().sorted().toList();
  }

  private static long number(
      BackendConfig config, String key, long def, long min, long max, List<String> errors) {
    long v;
    try {
      v = config.longOption(key, def);
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
      return def;
    }
    if (v < min || v > max) {
      errors.add("option " + key + " must be between " + min + " and " + max + ", got " + v);
      return def;
    }
    return v;
  }

  /** The options as a map, for logging. */
  Map<String, Object> describe() {
    return Map.of(
        WRITER_TIMEOUT_MS, writerTimeoutMs,
        CACHE_SIZE_MB, cacheSizeMb,
        ASYNC_FLUSH_MS, asyncFlushMs,
        COMPRESS, compress,
        COMPACT_TIME_MS, compactTimeMs);
  }
}
