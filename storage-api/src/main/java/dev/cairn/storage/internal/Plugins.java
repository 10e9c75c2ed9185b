package dev.cairn.storage.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Deterministic plugin resolution: explicit providers first, then {@link ServiceLoader}
 * discovery; a name that matches nothing or two discovered providers is an error that lists
 * what was found.
 */
final class Plugins {

  private Plugins() {}

  /** Every provider by name: explicit ones win; two discovered ones with one name fail. */
  static <P> Map<String, P> all(Class<P> spi, List<? extends P> explicit, Function<P, String> name) {
    Map<String, P> byName = new LinkedHashMap<>();
    for (P p : explicit) {
      byName.put(name.apply(p), p);
    }
    Map<String, List<P>> discovered = new TreeMap<>();
    for (P p : ServiceLoader.load(spi, classLoader())) {
      discovered.computeIfAbsent(name.apply(p), k -> new ArrayList<>()).add(p);
    }
    discovered.forEach((n, ps) -> {
      if (byName.containsKey(n)) {
        return;
      }
      if (ps.size() > 1) {
        throw new IllegalArgumentException(
            "several " + kind(spi) + " providers are named '" + n + "': "
                + ps.stream().map(p -> p.getClass().getName()).collect(Collectors.joining(", "))
                + "; remove one from the class path or pass one explicitly");
      }
      byName.put(n, ps.get(0));
    });
    return byName;
  }

  /** The provider named {@code wanted}, or an error listing what exists. */
  static <P> P choose(Class<P> spi, Map<String, P> all, String wanted) {
    P p = all.get(wanted);
    if (p == null) {
      throw new IllegalArgumentException(
          "no " + kind(spi) + " named '" + wanted + "'; found: " + all.keySet()
              + hint(spi, wanted));
    }
    return p;
  }

  private static String hint(Class<?> spi, String wanted) {
    String module = switch (kind(spi)) {
      case "backend" -> "cairn-backend-" + wanted;
      case "codec" -> "cairn-codec-" + wanted;
      case "cache" -> "cairn-cache-" + wanted;
      default -> null;
    };
    return module == null ? "" : " (is " + module + " on the class path?)";
  }

  static String kind(Class<?> spi) {
    String s = spi.getSimpleName();
    return switch (s) {
      case "BackendProvider" -> "backend";
      case "CodecProvider" -> "codec";
      case "CacheProvider" -> "cache";
      default -> s;
    };
  }

  private static ClassLoader classLoader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : Plugins.class.getClassLoader();
  }
}
