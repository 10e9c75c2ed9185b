package dev.cairn.storage;

import java.util.Objects;
import java.util.Optional;

/**
 * Which keys of a collection a scan returns, in which direction and how many: the argument of
 * {@link Storage#keys(String, KeyRange)}, {@link Storage#entries(String, KeyRange)} and
 * {@link Transaction#keys(String, KeyRange)}. An immutable value: every method returns a new
 * range.
 *
 * <p>A range is {@code [from, to)} — the lower bound inclusive, the upper bound exclusive, either
 * end open — or the keys starting with a prefix. Keys are ordered by their UTF-8 bytes (the order
 * of their code points, which differs from {@link String#compareTo} for characters beyond
 * U+FFFF), and a bound compares the same way, so a range over non-ASCII keys holds exactly the
 * keys between its bounds in that order. Bounds need not be keys that exist, and may be empty or
 * longer than a key can be.
 *
 * <pre>{@code
 * KeyRange.all()                                    // every key, ascending
 * KeyRange.between("2024-01", "2024-02")            // 2024-01 <= key < 2024-02
 * KeyRange.from("m").reversed()                     // keys >= "m", the last key first
 * KeyRange.prefix("user-7/").reversed().limit(10)   // the 10 last keys starting with user-7/
 * }</pre>
 *
 * <p>Scans with a range are paged like the prefix scans ({@link Storage#keys(String, String)}):
 * a descending scan costs the same as an ascending one on every built-in backend.
 *
 * <p>Equality is by value ({@link #equals}).
 */
public final class KeyRange {

  private static final KeyRange ALL = new KeyRange(null, null, "", false, Long.MAX_VALUE);

  private final String from;
  private final String to;
  private final String prefix;
  private final boolean descending;
  private final long limit;

  private KeyRange(String from, String to, String prefix, boolean descending, long limit) {
    this.from = from;
    this.to = to;
    this.prefix = prefix;
    this.descending = descending;
    this.limit = limit;
  }

  /**
   * Every key, ascending, without limit.
   *
   * @return the range of all keys
   */
  public static KeyRange all() {
    return ALL;
  }

  /**
   * The keys at or after {@code fromInclusive}, ascending.
   *
   * @param fromInclusive the least key returned (if it exists)
   * @return the range {@code [fromInclusive, end)}
   * @throws NullPointerException if {@code fromInclusive} is null
   * @throws IllegalArgumentException if it is not well-formed Unicode (a lone surrogate)
   */
  public static KeyRange from(String fromInclusive) {
    return new KeyRange(checkBound(fromInclusive, "from"), null, "", false, Long.MAX_VALUE);
  }

  /**
   * The keys before {@code toExclusive}, ascending.
   *
   * @param toExclusive the bound above every key returned
   * @return the range {@code [start, toExclusive)}
   * @throws NullPointerException if {@code toExclusive} is null
   * @throws IllegalArgumentException if it is not well-formed Unicode (a lone surrogate)
   */
  public static KeyRange to(String toExclusive) {
    return new KeyRange(null, checkBound(toExclusive, "to"), "", false, Long.MAX_VALUE);
  }

  /**
   * The keys from {@code fromInclusive} up to but not including {@code toExclusive}, ascending.
   * Equal bounds are an empty range.
   *
   * @param fromInclusive the least key returned (if it exists)
   * @param toExclusive the bound above every key returned
   * @return the range {@code [fromInclusive, toExclusive)}
   * @throws NullPointerException if either bound is null
   * @throws IllegalArgumentException if {@code fromInclusive} comes after {@code toExclusive} in
   *     UTF-8 order, or either is not well-formed Unicode
   */
  public static KeyRange between(String fromInclusive, String toExclusive) {
    checkBound(fromInclusive, "from");
    checkBound(toExclusive, "to");
    if (compareUtf8(fromInclusive, toExclusive) > 0) {
      throw new IllegalArgumentException("from must not come after to (in UTF-8 order): from '"
          + fromInclusive + "', to '" + toExclusive + "'");
    }
    return new KeyRange(fromInclusive, toExclusive, "", false, Long.MAX_VALUE);
  }

  /**
   * The keys that start with {@code prefix}, ascending; {@code ""} is every key. Unlike a range
   * with an upper bound, it needs no key to stand above the prefixed ones, so
   * {@code prefix(p).reversed()} lists them from the last.
   *
   * @param prefix the start of every key returned, at most 256 UTF-8 bytes (checked when the
   *     range is used, as by {@link Storage#keys(String, String)})
   * @return the range of the keys starting with {@code prefix}
   * @throws NullPointerException if {@code prefix} is null
   * @throws IllegalArgumentException if it is not well-formed Unicode (a lone surrogate)
   */
  public static KeyRange prefix(String prefix) {
    return new KeyRange(null, null, checkBound(prefix, "prefix"), false, Long.MAX_VALUE);
  }

  /**
   * This range in the other direction: descending (the greatest key first) if this one is
   * ascending, ascending if it is descending. Bounds and limit are unchanged: a descending range
   * with a limit returns the greatest keys of the range.
   *
   * @return the same keys in the opposite order
   */
  public KeyRange reversed() {
    return new KeyRange(from, to, prefix, !descending, limit);
  }

  /**
   * This range returning at most {@code maxKeys} keys: the first ones in its direction.
   *
   * @param maxKeys the most keys (or entries) a scan returns; 0 returns none
   * @return the same range with this limit, replacing any earlier one
   * @throws IllegalArgumentException if {@code maxKeys} is negative
   */
  public KeyRange limit(long maxKeys) {
    if (maxKeys < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + maxKeys);
    }
    return new KeyRange(from, to, prefix, descending, maxKeys);
  }

  /** {@return the inclusive lower bound; empty if the range is open below} */
  public Optional<String> fromInclusive() {
    return Optional.ofNullable(from);
  }

  /** {@return the exclusive upper bound; empty if the range is open above} */
  public Optional<String> toExclusive() {
    return Optional.ofNullable(to);
  }

  /** {@return the prefix every key starts with; {@code ""} if the range has none} */
  public String keyPrefix() {
    return prefix;
  }

  /** {@return whether the greatest key comes first} */
  public boolean isDescending() {
    return descending;
  }

  /** {@return the most keys a scan returns; {@link Long#MAX_VALUE} if unlimited} */
  public long limit() {
    return limit;
  }

  private static String checkBound(String s, String what) {
    Objects.requireNonNull(s, what);
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            what + " is not well-formed Unicode (lone surrogate at index " + i + ")");
      }
    }
    return s;
  }

  /** Compares well-formed strings in the order of their UTF-8 bytes (code point order). */
  private static int compareUtf8(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /**
   * Ranges are equal when they have the same bounds, prefix, direction and limit.
   *
   * @param o the object to compare with
   * @return whether {@code o} is a range equal to this one
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRange r && Objects.equals(from, r.from) && Objects.equals(to, r.to)
        && prefix.equals(r.prefix) && descending == r.descending && limit == r.limit;
  }

  @Override
  public int hashCode() {
    return Objects.hash(from, to, prefix, descending, limit);
  }

  /** {@return the range as {@code KeyRange[from 'a', to 'b', descending, limit 10]}} */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("KeyRange[");
    if (!prefix.isEmpty()) {
      b.append("prefix '").append(prefix).append("'");
    } else if (from == null && to == null) {
      b.append("all");
    } else {
      b.append(from == null ? "" : "from '" + from + "'")
          .append(from != null && to != null ? ", " : "")
          .append(to == null ? "" : "to '" + to + "'");
    }
    b.append(descending ? ", descending" : "");
    b.append(limit == Long.MAX_VALUE ? "" : ", limit " + limit);
    return b.append(']').toString();
  }
}
