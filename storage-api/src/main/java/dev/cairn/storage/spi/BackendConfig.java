package dev.cairn.storage.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a backend is opened with.
 *
 * @param directory the store's directory; the backend owns the files it creates there (its
 *     {@link BackendProvider#storeFiles()}), the engine keeps {@code cairn.lock} and
 *     {@code cairn.store} beside them (see {@link Backend}, "Files")
 * @param keyspaces the keyspaces to create or open; names match {@code [a-z][a-z0-9_]{0,31}}
 * @param options backend-specific options (documented in each backend module's README), e.g.
 *     {@code lmdb.mapSizeMax=...}; from the engine, only keys the backend declares
 *     ({@link BackendProvider#options()}), already validated; read them with that declaration
 */
public record BackendConfig(Path directory, Set<String> keyspaces, Map<String, String> options) {

  private static final Pattern KEYSPACE = Pattern.compile("[a-z][a-z0-9_]{0,31}");

  /**
   * Checks the keyspace names and copies the sets and maps, so that the config cannot change.
   *
   * @param directory the store's directory
   * @param keyspaces the keyspaces to create or open
   * @param options backend-specific options
   */
  public BackendConfig {
    Objects.requireNonNull(directory, "directory");
    keyspaces = Set.copyOf(keyspaces);
    options = Map.copyOf(options);
    for (String k : keyspaces) {
      if (!KEYSPACE.matcher(k).matches()) {
        throw new IllegalArgumentException(
            "keyspace name must match [a-z][a-z0-9_]{0,31}: '" + k + "'");
      }
    }
  }

  /**
   * Whether {@code name} is a valid keyspace name.
   *
   * @param name a candidate keyspace name, or {@code null}
   * @return {@code true} if {@code name} matches {@code [a-z][a-z0-9_]{0,31}}
   */
  public static boolean isValidKeyspace(String name) {
    return name != null && KEYSPACE.matcher(name).matches();
  }

  /**
   * The option's value, or {@code defaultValue}.
   *
   * @param key the option's full key
   * @param defaultValue returned when the option is not set
   * @return the option's value, or {@code defaultValue}
   */
  public String option(String key, String defaultValue) {
    return options.getOrDefault(key, defaultValue);
  }

  /**
   * A numeric option (accepts suffixes k, m, g for powers of 1024).
   *
   * @param key the option's full key
   * @param defaultValue returned when the option is not set
   * @return the option's value, or {@code defaultValue}
   */
  public long longOption(String key, long defaultValue) {
    String v = options.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      return OptionNumbers.parse(v);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("option " + key + " must be a number, got '" + v + "'");
    }
  }

  /**
   * The options whose keys start with {@code prefix}, sorted.
   *
   * @param prefix the start of the keys wanted, e.g. {@code sqlite.}
   * @return those options, sorted by key
   */
  public Map<String, String> optionsWithPrefix(String prefix) {
    Map<String, String> out = new TreeMap<>();
    options.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k, v);
      }
    });
    return out;
  }
}
