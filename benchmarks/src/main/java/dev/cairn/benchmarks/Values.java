package dev.cairn.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * ~1 KiB JSON values, every one distinct (so content-hash dedup never hits, the common case), and
 * the keys that go with them. Cheap to produce: a value is a copy of one of 64 templates with
 * the record number written into a fixed 12-digit slot, so raw and Cairn cases pay the same
 * (small) generation cost inside the measured loop.
 */
final class Values {

  static final int TEMPLATES = 64;
  private static final String SLOT = "000000000000";

  private final byte[][] templates = new byte[TEMPLATES][];
  private final int[] slot = new int[TEMPLATES];

  Values() {
    SplittableRandom random = new SplittableRandom(42);
    for (int t = 0; t < TEMPLATES; t++) {
      StringBuilder sb = new StringBuilder(1100);
      sb.append("{\"id\":\"").append(SLOT).append("\",\"type\":\"order\",\"customer\":{\"name\":\"")
          .append(word(random, 12)).append("\",\"email\":\"").append(word(random, 8))
          .append("@example.com\",\"tier\":").append(random.nextInt(5)).append("},\"items\":[");
      for (int i = 0; i < 8; i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append("{\"sku\":\"").append(word(random, 10)).append("\",\"qty\":")
            .append(random.nextInt(1, 20)).append(",\"price\":").append(random.nextInt(100, 99999))
            .append(",\"note\":\"").append(word(random, 40)).append("\"}");
      }
      sb.append("],\"comment\":\"");
      while (sb.length() < 1000) {
        sb.append(word(random, 7)).append(' ');
      }
      sb.append("\",\"status\":\"open\"}");
      templates[t] = sb.toString().getBytes(StandardCharsets.US_ASCII);
      slot[t] = sb.indexOf(SLOT);
    }
  }

  /** The value of record {@code n} (distinct for every n below 10^12). */
  byte[] value(long n) {
    int t = (int) (n % TEMPLATES);
    byte[] v = templates[t].clone();
    int at = slot[t] + SLOT.length();
    long x = n;
    for (int i = 0; i < SLOT.length(); i++) {
      v[--at] = (byte) ('0' + (x % 10));
      x /= 10;
    }
    return v;
  }

  /** The key of record {@code n}: fixed width, so key order is numeric order. */
  static String key(long n) {
    String digits = Long.toString(n);
    StringBuilder sb = new StringBuilder(16).append("k");
    for (int i = digits.length(); i < 12; i++) {
      sb.append('0');
    }
    return sb.append(digits).toString();
  }

  static byte[] keyBytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private static String word(SplittableRandom r, int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = (char) ('a' + r.nextInt(26));
    }
    return new String(c);
  }
}
