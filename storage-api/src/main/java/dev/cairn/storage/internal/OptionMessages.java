package dev.cairn.storage.internal;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The one wording of option problems, shared by {@link dev.cairn.storage.spi.PluginOptions} (a
 * plugin reading its own options) and the engine (keys no plugin claims), so that a problem
 * reads the same wherever it is found. Not API.
 */
public final class OptionMessages {

  private OptionMessages() {}

  /** {@code invalid option for backend sqlite: sqlite.readers=0 must be between 1 and 64}. */
  public static String invalid(String kind, String plugin, String shown, String requirement) {
    return "invalid option for " + kind + " " + plugin + ": " + shown + " " + requirement;
  }

  /**
   * {@code unknown option 'k' for backend sqlite; <hint>; known options: [...]}, where the hint
   * (may be null) is a "did you mean" or where the key belongs instead.
   */
  public static String unknown(String key, String who, String hint, List<String> known) {
    StringBuilder s = new StringBuilder("unknown option '").append(key).append("' for ").append(who);
    if (hint != null) {
      s.append("; ").append(hint);
    }
    s.append(hint != null && hint.endsWith("?") ? " " : "; ").append("known options: ").append(known.isEmpty() ? "none" : known);
    return s.toString();
  }

  /** {@code did you mean 'sqlite.readers'?}, or null when no known key is close. */
  public static String didYouMean(String key, Collection<String> known) {
    String best = suggestion(key, known);
    return best == null ? null : "did you mean '" + best + "'?";
  }

  /**
   * The known key {@code key} most likely meant, or null: the same key in another case
   * ({@code SQLITE.READERS}), the same name under another or no prefix ({@code readers},
   * {@code zstandard.level}), or a key at most two edits away ({@code sqllite.readers}).
   */
  static String suggestion(String key, Collection<String> known) {
    String k = key.toLowerCase(Locale.ROOT);
    String kName = name(k);
    String best = null;
    int bestScore = Integer.MAX_VALUE;
    for (String candidate : known) {
      String c = candidate.toLowerCase(Locale.ROOT);
      int score;
      if (c.equals(k)) {
        score = 0;
      } else if (name(c).equals(kName)) {
        score = 1;
      } else {
        int d = distance(k, c);
        score = d <= Math.min(2, c.length() / 4) ? 1 + d : Integer.MAX_VALUE;
      }
      if (score < bestScore) {
        bestScore = score;
        best = candidate;
      }
    }
    return best;
  }

  /** Every problem, one a line (the message of the exception that reports them). */
  public static String join(List<String> problems) {
    return String.join("\n", problems);
  }

  private static String name(String key) {
    return key.substring(key.indexOf('.') + 1);
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
