package dev.cairn.storage.internal;

import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.spi.CodecProvider;
import dev.cairn.storage.spi.PluginOptions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * No option is ignored: before a store is opened, every backend, codec and cache option must be
 * claimed by a plugin in use — declared in its {@link PluginOptions} — and valid by that
 * declaration. Every problem is reported in one {@link IllegalArgumentException}, one a line.
 *
 * <p>In use: the selected backend; the selected cache; every installed codec (each stays
 * registered to read the records written with it, so its options matter even when another codec
 * writes). A key with the prefix of a backend or cache that is installed but not selected is
 * refused, naming that plugin: it could not take effect.
 */
final class OptionClaims {

  private OptionClaims() {}

  /**
   * Checks {@code config}'s options against the plugins it uses.
   *
   * @throws IllegalArgumentException listing every unclaimed key and invalid value
   * @throws IllegalStateException if a provider declares options for another name or kind
   */
  static void check(StorageConfig config, BackendProvider backend,
      Map<String, BackendProvider> backends) {
    List<String> problems = new ArrayList<>();
    problems.addAll(single(config.backendOptions(), declaration(backend),
        declarations(backends.values(), OptionClaims::declaration)));
    Map<String, CodecProvider> codecs = codecs(config);
    problems.addAll(codecs(config.codecOptions(),
        declarations(codecs.values(), OptionClaims::declaration)));
    if (config.cacheName() != null) {
      Map<String, CacheProvider> caches =
          Plugins.all(CacheProvider.class, config.caches(), CacheProvider::name);
      CacheProvider cache = Plugins.choose(CacheProvider.class, caches, config.cacheName());
      problems.addAll(single(config.cacheOptions(), declaration(cache),
          declarations(caches.values(), OptionClaims::declaration)));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(OptionMessages.join(problems));
    }
  }

  /** Every installed codec by name, identity included (as the engine resolves them). */
  static Map<String, CodecProvider> codecs(StorageConfig config) {
    List<CodecProvider> explicit = new ArrayList<>(config.codecs());
    explicit.add(0, new IdentityCodecProvider());
    return Plugins.all(CodecProvider.class, explicit, CodecProvider::name);
  }

  /** The options with {@code plugin}'s prefix: what the engine passes to it. */
  static Map<String, String> own(String plugin, Map<String, String> options) {
    String prefix = plugin + ".";
    Map<String, String> out = new TreeMap<>();
    options.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** The options of a kind with one plugin in use (backends, caches). */
  private static List<String> single(Map<String, String> options, PluginOptions used,
      Collection<PluginOptions> installed) {
    List<String> problems = new ArrayList<>();
    Map<String, String> own = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(options).entrySet()) {
      String key = e.getKey();
      if (key.startsWith(used.prefix())) {
        own.put(key, e.getValue());
        continue;
      }
      PluginOptions other = owner(key, installed);
      String hint = other != null
          ? "it is an option of " + other.kind() + " " + other.plugin()
              + ", which is installed but not in use"
          : OptionMessages.didYouMean(key, used.keys());
      problems.add(OptionMessages.unknown(key, used.kind() + " " + used.plugin(), hint,
          used.keys()));
    }
    problems.addAll(used.parse(own).problems());
    return problems;
  }

  /** Codec options: every installed codec is in use. */
  private static List<String> codecs(Map<String, String> options,
      Collection<PluginOptions> installed) {
    List<String> problems = new ArrayList<>();
    Map<PluginOptions, Map<String, String>> byCodec = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(options).entrySet()) {
      PluginOptions owner = owner(e.getKey(), installed);
      if (owner != null) {
        byCodec.computeIfAbsent(owner, o -> new TreeMap<>()).put(e.getKey(), e.getValue());
        continue;
      }
      List<String> known = installed.stream().flatMap(d -> d.keys().stream()).toList();
      String names = installed.stream().map(PluginOptions::plugin).collect(Collectors.joining(", "));
      problems.add(OptionMessages.unknown(e.getKey(), "codecs " + names,
          OptionMessages.didYouMean(e.getKey(), known), known));
    }
    byCodec.forEach((d, own) -> problems.addAll(d.parse(own).problems()));
    return problems;
  }

  /** The declaration whose prefix {@code key} has (the longest, should names nest), or null. */
  private static PluginOptions owner(String key, Collection<PluginOptions> installed) {
    PluginOptions best = null;
    for (PluginOptions d : installed) {
      if (key.startsWith(d.prefix())
          && (best == null || d.prefix().length() > best.prefix().length())) {
        best = d;
      }
    }
    return best;
  }

  private static <P> List<PluginOptions> declarations(
      Collection<P> providers, Function<P, PluginOptions> declaration) {
    return providers.stream().map(declaration).toList();
  }

  private static PluginOptions declaration(BackendProvider p) {
    return checked("backend", p.name(), p.options(), p);
  }

  private static PluginOptions declaration(CodecProvider p) {
    return checked("codec", p.name(), p.options(), p);
  }

  private static PluginOptions declaration(CacheProvider p) {
    return checked("cache", p.name(), p.options(), p);
  }

  /** The engine gives a plugin the keys of its own name's prefix: its declaration must say so. */
  private static PluginOptions checked(String kind, String name, PluginOptions d, Object provider) {
    if (d == null || !d.kind().equals(kind) || !d.plugin().equals(name)) {
      throw new IllegalStateException(kind + " provider " + provider.getClass().getName()
          + " named '" + name + "' declares " + (d == null ? "null" : d)
          + "; options() must return the declaration of " + kind + " '" + name + "'");
    }
    return d;
  }
}
