package dev.cairn.backup;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Backup set ids: {@code yyyyMMdd'T'HHmmssSSS'Z'} in UTC plus {@code -} and 12 random hex
 * digits (48 bits from {@link SecureRandom}). Ids of different milliseconds sort by time; two
 * ids of the same millisecond differ by their suffix (the manager also checks the target for a
 * taken id before using one).
 */
final class SetIds {

  static final Pattern PATTERN = Pattern.compile("\\d{8}T\\d{9}Z-[0-9a-f]{12}");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private SetIds() {}

  static String next(Clock clock) {
    long suffix = RANDOM.nextLong() & 0xFFFF_FFFF_FFFFL;
    return TIME.format(clock.instant()) + "-" + String.format("%012x", suffix);
  }

  static boolean valid(String id) {
    return id != null && PATTERN.matcher(id).matches();
  }

  /** The creation time encoded in a valid id, epoch milliseconds. */
  static long millis(String id) {
    return java.time.LocalDateTime.parse(id.substring(0, 18),
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS")).toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  static String check(String id) {
    if (!valid(id)) {
      throw new IllegalArgumentException("set id must look like 20261125T101530123Z-3f9c0a1b7d2e, got "
          + id);
    }
    return id;
  }
}
