package dev.cairn.storage.spi;

import java.util.Locale;

/**
 * How {@link PluginOptions.Option#number number options} (and {@link BackendConfig#longOption})
 * are written: decimal with an optional suffix {@code k}, {@code m} or {@code g} (powers of
 * 1024), read and shown the same way in values, defaults and ranges. Stateless.
 */
final class OptionNumbers {

  private OptionNumbers() {}

  /**
   * A number with an optional k, m or g suffix; surrounding blanks ignored.
   *
   * @throws NumberFormatException if it is not one
   * @throws ArithmeticException if it does not fit a long
   */
  static Long parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    long mult = 1;
    if (s.endsWith("k")) {
      mult = 1L << 10;
    } else if (s.endsWith("m")) {
      mult = 1L << 20;
    } else if (s.endsWith("g")) {
      mult = 1L << 30;
    }
    if (mult != 1) {
      s = s.substring(0, s.length() - 1);
    }
    return Math.multiplyExact(Long.parseLong(s), mult);
  }

  /** {@code 67108864} as {@code 64m}: exact multiples of 1024 with the largest suffix. */
  static String format(long v) {
    if (v != 0 && v != Long.MIN_VALUE) {
      if (v % (1L << 30) == 0) {
        return (v >> 30) + "g";
      }
      if (v % (1L << 20) == 0) {
        return (v >> 20) + "m";
      }
      if (v % (1L << 10) == 0) {
        return (v >> 10) + "k";
      }
    }
    return Long.toString(v);
  }

  /**
   * {@code min..max} in words ("between 1 and 64", "at least 1k", "at most 2g"), or empty when
   * the range is all of long.
   */
  static String range(long min, long max) {
    if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
      return "";
    }
    if (max == Long.MAX_VALUE) {
      return "at least " + format(min);
    }
    if (min == Long.MIN_VALUE) {
      return "at most " + format(max);
    }
    return "between " + format(min) + " and " + format(max);
  }
}
