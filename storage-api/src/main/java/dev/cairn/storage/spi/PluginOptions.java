package dev.cairn.storage.spi;

import dev.cairn.storage.internal.OptionMessages;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The options a plugin declares — each one's key, type, default, allowed values and meaning —
 * and the reader that checks a map of option strings against them. Every Cairn plugin reads its
 * options through one, and so should third-party plugins: the engine learns from it which keys
 * a plugin claims, and every problem is reported the same way, all at once.
 *
 * <h2>Declaring options</h2>
 *
 * <p>A provider returns its declaration from {@code options()}
 * ({@link BackendProvider#options()}, {@link CodecProvider#options()},
 * {@link CacheProvider#options()}) and reads its options with it when it opens or creates
 * something:
 *
 * <pre>{@code
 * public final class RocksBackendProvider implements BackendProvider {
 *   static final Option<Long> CACHE_MB =
 *       Option.number("rocks.cacheMb", 64, 0, 1 << 20, "block cache size in MiB");
 *   static final Option<Boolean> COMPRESS =
 *       Option.bool("rocks.compress", true, "compress table files");
 *   static final PluginOptions OPTIONS =
 *       PluginOptions.backend("rocks").add(CACHE_MB).add(COMPRESS).build();
 *
 *   public String name() { return "rocks"; }
 *
 *   public PluginOptions options() { return OPTIONS; }
 *
 *   public Backend open(BackendConfig config) {
 *     PluginOptions.Values options = OPTIONS.read(config.options()); // throws, listing every problem
 *     long cacheMb = options.get(CACHE_MB);
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>A plugin that does not override {@code options()} declares <em>no</em> options: the engine
 * then refuses every option given for it, instead of passing on keys the plugin might silently
 * ignore. A plugin that reads options must therefore declare them.
 *
 * <h2>Keys</h2>
 *
 * <p>A key is the plugin's {@code name()}, a dot, and the option's name: {@code sqlite.readers},
 * {@code zstd.level}. Keys match exactly, case included. Declaring a key without the plugin's
 * prefix is an error when the declaration is built.
 *
 * <h2>Reading</h2>
 *
 * <p>{@link #read(Map)} refuses every key it does not declare (whatever its prefix), parses every
 * declared key that is given, checks each value's type, range and requirements, then the
 * declaration's {@linkplain Builder#rule rules} between options, and throws one
 * {@link IllegalArgumentException} listing every problem, one a line, in this form:
 *
 * <pre>
 * invalid option for backend sqlite: sqlite.readers=0 must be between 1 and 64
 * unknown option 'sqllite.readers' for backend sqlite; did you mean 'sqlite.readers'? known options: [sqlite.readers, ...]
 * </pre>
 *
 * <p>Numbers ({@link Option#number}) accept the suffixes {@code k}, {@code m} and {@code g}
 * (powers of 1024); numbers and booleans ignore surrounding blanks. An option not given takes
 * its default.
 *
 * <h2>What the engine does with it</h2>
 *
 * <p>Before it opens anything, the engine checks every option given to
 * {@link dev.cairn.storage.StorageBuilder}: a backend option must be declared by the backend in
 * use, a cache option by the cache in use, and a codec option by one of the installed codecs
 * (every installed codec is in use, for reading the records written with it). A key of a plugin
 * that is installed but not in use is refused, naming that plugin; any other unclaimed key is
 * refused with a "did you mean" when a known key is close. All values are validated with the
 * declarations, so every problem of a configuration is reported at once. A plugin then receives
 * only the keys with its own prefix.
 *
 * <p>Declarations and options are immutable and thread-safe; {@link Values} belong to the one
 * read that made them.
 */
public final class PluginOptions {

  private static final Pattern KEY = Pattern.compile("\\S+");

  private final String kind;
  private final String plugin;
  private final Map<String, Option<?>> options;
  private final List<Rule> rules;

  private PluginOptions(Builder b) {
    this.kind = b.kind;
    this.plugin = b.plugin;
    this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
    this.rules = List.copyOf(b.rules);
  }

  /**
   * Starts the declaration of backend {@code name}'s options ({@link BackendProvider#name()}).
   *
   * @param name the backend's name, the prefix of every key it declares
   * @return a builder of the declaration
   */
  public static Builder backend(String name) {
    return new Builder("backend", name);
  }

  /**
   * Starts the declaration of codec {@code name}'s options ({@link CodecProvider#name()}).
   *
   * @param name the codec's name, the prefix of every key it declares
   * @return a builder of the declaration
   */
  public static Builder codec(String name) {
    return new Builder("codec", name);
  }

  /**
   * Starts the declaration of cache {@code name}'s options ({@link CacheProvider#name()}).
   *
   * @param name the cache's name, the prefix of every key it declares
   * @return a builder of the declaration
   */
  public static Builder cache(String name) {
    return new Builder("cache", name);
  }

  /** {@return the kind of plugin: {@code backend}, {@code codec} or {@code cache}} */
  public String kind() {
    return kind;
  }

  /** {@return the plugin's name, e.g. {@code sqlite}} */
  public String plugin() {
    return plugin;
  }

  /** {@return the prefix of every key: the plugin's name and a dot, e.g. {@code sqlite.}} */
  public String prefix() {
    return plugin + ".";
  }

  /** {@return the declared options, in declaration order} */
  public List<Option<?>> options() {
    return List.copyOf(options.values());
  }

  /** {@return the declared keys, in declaration order} */
  public List<String> keys() {
    return List.copyOf(options.keySet());
  }

  /**
   * Whether {@code key} is declared.
   *
   * @param key a full key, prefix included
   * @return {@code true} if this declaration claims {@code key}
   */
  public boolean declares(String key) {
    return options.containsKey(key);
  }

  /**
   * Reads {@code given} and returns its values.
   *
   * @param given option keys and their values as written, e.g. from the builder's options
   * @return the values of every declared option, given or defaulted
   * @throws IllegalArgumentException listing every problem, one a line: keys not declared, values
   *     that do not parse or are not allowed, broken rules
   * @throws NullPointerException if {@code given} is null or holds a null
   */
  public Values read(Map<String, String> given) {
    return parse(given).orThrow();
  }

  /**
   * Reads {@code given} like {@link #read} but returns the problems instead of throwing: a
   * plugin adds its own ({@link Values#reject}, e.g. a check that needs the store's directory)
   * and then calls {@link Values#orThrow()}, so that every problem is still reported together.
   *
   * @param given option keys and their values as written, e.g. from the builder's options
   * @return the values read, and the problems found so far
   * @throws NullPointerException if {@code given} is null or holds a null
   */
  public Values parse(Map<String, String> given) {
    Objects.requireNonNull(given, "options");
    Values values = new Values(this);
    for (String key : new TreeSet<>(given.keySet())) {
      Objects.requireNonNull(given.get(key), () -> "value of option " + key);
      if (!options.containsKey(key)) {
        values.problems.add(unknownOption(key));
      }
    }
    for (Option<?> option : options.values()) {
      values.read(option, given.get(option.key));
    }
    for (Rule rule : rules) {
      String requirement;
      try {
        requirement = rule.check.apply(values);
      } catch (Unreadable e) {
        continue; // depends on a value that is already reported as invalid
      }
      if (requirement != null && !values.invalid.contains(rule.subject.key)) {
        values.reject(rule.subject, requirement);
      }
    }
    return values;
  }

  /**
   * The problem report for a key this declaration does not claim, with a "did you mean" when a
   * declared key is close: {@code unknown option 'sqllite.readers' for backend sqlite; did you
   * mean 'sqlite.readers'? known options: [...]}.
   *
   * @param key a key that {@link #declares} is false for
   * @return one line for the problem list
   */
  public String unknownOption(String key) {
    return OptionMessages.unknown(key, kind + " " + plugin,
        OptionMessages.didYouMean(key, options.keySet()), keys());
  }

  @Override
  public String toString() {
    return "options of " + kind + " " + plugin + ": " + options.keySet();
  }

  // ------------------------------------------------------------------------------------ builder

  /** Collects a plugin's options; see {@link PluginOptions}. Not thread-safe. */
  public static final class Builder {
    private final String kind;
    private final String plugin;
    private final Map<String, Option<?>> options = new LinkedHashMap<>();
    private final List<Rule> rules = new ArrayList<>();

    private Builder(String kind, String plugin) {
      Objects.requireNonNull(plugin, "plugin name");
      if (plugin.isBlank()) {
        throw new IllegalArgumentException("plugin name must not be blank");
      }
      this.kind = kind;
      this.plugin = plugin;
    }

    /**
     * Declares {@code option}.
     *
     * @param option an option whose key starts with the plugin's name and a dot
     * @return this builder
     * @throws IllegalArgumentException if its key lacks the plugin's prefix or is declared twice
     */
    public Builder add(Option<?> option) {
      Objects.requireNonNull(option, "option");
      String prefix = plugin + ".";
      if (!option.key.startsWith(prefix) || option.key.length() == prefix.length()) {
        throw new IllegalArgumentException("option key '" + option.key + "' of " + kind + " "
            + plugin + " must start with '" + prefix + "' followed by a name");
      }
      if (options.putIfAbsent(option.key, option) != null) {
        throw new IllegalArgumentException("option '" + option.key + "' is declared twice");
      }
      return this;
    }

    /**
     * Adds a check between options, run after every option is read: {@code check} returns null
     * when the values are fine, else the requirement {@code subject} breaks, worded to follow
     * "{@code key=value}" — e.g. {@code "must not be below lmdb.mapSize (2g)"}. A rule that reads
     * an option whose value is itself invalid is skipped (that problem is already reported).
     *
     * @param subject the option the problem is reported against
     * @param check the rule: null when the values are fine, else the requirement broken
     * @return this builder
     * @throws IllegalArgumentException if {@code subject} is not declared (declare it first)
     */
    public Builder rule(Option<?> subject, Function<? super Values, String> check) {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(check, "check");
      if (options.get(subject.key) != subject) {
        throw new IllegalArgumentException("rule subject '" + subject.key + "' is not declared");
      }
      rules.add(new Rule(subject, check));
      return this;
    }

    /**
     * The declaration.
     *
     * @return the declaration of every option added, with its rules
     */
    public PluginOptions build() {
      return new PluginOptions(this);
    }
  }

  private record Rule(Option<?> subject, Function<? super Values, String> check) {}

  // ------------------------------------------------------------------------------------- option

  /**
   * One declared option: key, type (its parser), default, what is allowed, and a one-line
   * meaning. Created by the static factories, refined with {@link #require} and
   * {@link #shownAs}; immutable (those return a new option).
   *
   * @param <T> the type of its value
   */
  public static final class Option<T> {
    private final String key;
    private final T defaultValue;
    private final String meaning;
    private final String expected;
    private final Function<String, ? extends T> parser;
    private final Function<? super T, String> format;
    private final List<Check<T>> checks;
    private final UnaryOperator<String> display;

    private Option(String key, T defaultValue, String meaning, String expected,
        Function<String, ? extends T> parser, Function<? super T, String> format,
        List<Check<T>> checks, UnaryOperator<String> display) {
      this.key = Objects.requireNonNull(key, "key");
      if (!KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("option key must not be blank or hold blanks: '" + key + "'");
      }
      this.defaultValue = defaultValue;
      this.meaning = Objects.requireNonNull(meaning, "meaning");
      this.expected = expected;
      this.parser = parser;
      this.format = format;
      this.checks = List.copyOf(checks);
      this.display = display;
      if (defaultValue != null) {
        for (Check<T> c : this.checks) {
          if (!c.test.test(defaultValue)) {
            throw new IllegalArgumentException("default of option " + key + " ("
                + format.apply(defaultValue) + ") breaks its own requirement: " + c.requirement);
          }
        }
      }
    }

    /**
     * A whole number in {@code min..max}, written in decimal with an optional suffix {@code k},
     * {@code m} or {@code g} (powers of 1024): {@code 64m} is 67108864.
     *
     * @param key the option's key, prefix included
     * @param defaultValue the value of the option when not given
     * @param min the least value allowed
     * @param max the greatest value allowed
     * @param meaning one line saying what the option does
     * @return the option
     * @throws IllegalArgumentException if {@code min > max} or the default is outside them
     */
    public static Option<Long> number(
        String key, long defaultValue, long min, long max, String meaning) {
      if (min > max) {
        throw new IllegalArgumentException("option " + key + ": min " + min + " > max " + max);
      }
      String range = OptionNumbers.range(min, max);
      return new Option<>(key, defaultValue, meaning,
          "a whole number (k, m, g suffixes allowed)" + (range.isEmpty() ? "" : " " + range),
          OptionNumbers::parse, OptionNumbers::format,
          range.isEmpty() ? List.of() : List.of(new Check<Long>(v -> v >= min && v <= max, "must be " + range)),
          UnaryOperator.identity());
    }

    /**
     * {@code true} or {@code false}, in any case.
     *
     * @param key the option's key, prefix included
     * @param defaultValue the value of the option when not given
     * @param meaning one line saying what the option does
     * @return the option
     */
    public static Option<Boolean> bool(String key, boolean defaultValue, String meaning) {
      return new Option<>(key, defaultValue, meaning, "true or false", s -> {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (!t.equals("true") && !t.equals("false")) {
          throw new IllegalArgumentException();
        }
        return Boolean.valueOf(t);
      }, String::valueOf, List.of(), UnaryOperator.identity());
    }

    /**
     * Any text; {@code defaultValue} may be null (then an option not given reads as null).
     *
     * @param key the option's key, prefix included
     * @param defaultValue the value of the option when not given, or null
     * @param meaning one line saying what the option does
     * @return the option
     */
    public static Option<String> text(String key, String defaultValue, String meaning) {
      return new Option<>(key, defaultValue, meaning, "text", s -> s, s -> s, List.of(),
          UnaryOperator.identity());
    }

    /**
     * One of {@code allowed}, exactly (case included).
     *
     * @param key the option's key, prefix included
     * @param defaultValue the value of the option when not given, or null
     * @param allowed every value accepted
     * @param meaning one line saying what the option does
     * @return the option
     */
    public static Option<String> choice(
        String key, String defaultValue, Collection<String> allowed, String meaning) {
      Set<String> set = Collections.unmodifiableSet(new LinkedHashSet<>(allowed));
      String expected = "one of " + set;
      return new Option<>(key, defaultValue, meaning, expected, s -> s, s -> s,
          List.of(new Check<String>(set::contains, "must be " + expected)),
          UnaryOperator.identity());
    }

    /**
     * Any type: {@code parser} turns the text into a value and throws (any
     * {@link RuntimeException}) when it cannot; the problem then says the value "must be
     * {@code expected}".
     *
     * @param <T> the type of the option's value
     * @param key the option's key, prefix included
     * @param defaultValue the value of the option when not given, or null
     * @param expected what a value must be, completing "must be", e.g. {@code "a duration like 5s"}
     * @param parser turns the text given into a value; throws when it cannot
     * @param meaning one line saying what the option does
     * @return the option
     */
    public static <T> Option<T> of(String key, T defaultValue, String expected,
        Function<String, ? extends T> parser, String meaning) {
      Objects.requireNonNull(expected, "expected");
      Objects.requireNonNull(parser, "parser");
      return new Option<>(key, defaultValue, meaning, expected, parser, String::valueOf,
          List.of(), UnaryOperator.identity());
    }

    /**
     * This option with one more requirement; {@code requirement} completes "{@code key=value}",
     * e.g. {@code "must be a power of two"}.
     *
     * @param test true for the values allowed
     * @param requirement the problem's wording when {@code test} is false
     * @return a new option; this one is unchanged
     * @throws IllegalArgumentException if the default breaks it
     */
    public Option<T> require(Predicate<? super T> test, String requirement) {
      List<Check<T>> more = new ArrayList<>(checks);
      more.add(new Check<>(Objects.requireNonNull(test, "test"),
          Objects.requireNonNull(requirement, "requirement")));
      return new Option<>(key, defaultValue, meaning, expected, parser, format, more, display);
    }

    /**
     * This option with its values shown through {@code display} in problems, e.g. to hide a
     * password in a URL. The raw value is never shown.
     *
     * @param display turns a value's text into what problems show
     * @return a new option; this one is unchanged
     */
    public Option<T> shownAs(UnaryOperator<String> display) {
      return new Option<>(key, defaultValue, meaning, expected, parser, format, checks,
          Objects.requireNonNull(display, "display"));
    }

    /** {@return the key, e.g. {@code sqlite.readers}} */
    public String key() {
      return key;
    }

    /** {@return the value of an option not given; may be null for text options} */
    public T defaultValue() {
      return defaultValue;
    }

    /** {@return the default as it would be written, e.g. {@code 64m}; null if there is none} */
    public String defaultText() {
      return defaultValue == null ? null : format.apply(defaultValue);
    }

    /** {@return the option's one-line meaning, as listed in a plugin's options table} */
    public String meaning() {
      return meaning;
    }

    @Override
    public String toString() {
      return key;
    }

    /** Parses {@code text} to this option's type, or throws IllegalArgumentException. */
    T parse(String text) {
      T v;
      try {
        v = parser.apply(text);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("must be " + expected);
      }
      if (v == null) {
        throw new IllegalArgumentException("must be " + expected);
      }
      for (Check<T> c : checks) {
        if (!c.test.test(v)) {
          throw new IllegalArgumentException(c.requirement);
        }
      }
      return v;
    }

    String show(String raw) {
      String s = display.apply(raw);
      return s.isEmpty() || !KEY.matcher(s).matches() ? "'" + s + "'" : s;
    }
  }

  private record Check<T>(Predicate<? super T> test, String requirement) {}

  // ------------------------------------------------------------------------------------- values

  /**
   * The values read from one map: for each declared option the value given or its default, and
   * every problem found.
   */
  public static final class Values {
    private final PluginOptions declaration;
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, String> given = new LinkedHashMap<>();
    private final Set<String> invalid = new LinkedHashSet<>();
    private final List<String> problems = new ArrayList<>();

    private Values(PluginOptions declaration) {
      this.declaration = declaration;
    }

    private void read(Option<?> option, String raw) {
      if (raw == null) {
        values.put(option.key, option.defaultValue);
        return;
      }
      given.put(option.key, raw);
      try {
        values.put(option.key, option.parse(raw));
      } catch (IllegalArgumentException e) {
        reject(option, e.getMessage());
      }
    }

    /**
     * The value of {@code option}: as given, else its default.
     *
     * @param <T> the type of the option's value
     * @param option an option of this declaration
     * @return its value
     * @throws IllegalArgumentException if {@code option} is not part of this declaration
     * @throws IllegalStateException if the value given is invalid (see {@link #problems()})
     */
    public <T> T get(Option<T> option) {
      check(option);
      if (invalid.contains(option.key)) {
        throw new Unreadable(option.key);
      }
      @SuppressWarnings("unchecked")
      T v = (T) values.get(option.key);
      return v;
    }

    /**
     * Whether {@code option} was given (not defaulted).
     *
     * @param option an option of this declaration
     * @return {@code true} if it was given, even with its default value
     */
    public boolean isSet(Option<?> option) {
      check(option);
      return given.containsKey(option.key);
    }

    /**
     * {@code option}'s value as text for a problem report: as given (through its
     * {@linkplain Option#shownAs display}), else its default, e.g. {@code 2g}.
     *
     * @param option an option of this declaration
     * @return the value as a problem report shows it
     */
    public String text(Option<?> option) {
      check(option);
      String raw = given.get(option.key);
      return raw != null ? option.show(raw) : String.valueOf(option.defaultText());
    }

    /**
     * Records a problem of {@code option} in the common format:
     * {@code invalid option for <kind> <plugin>: <key>=<value> <requirement>}. For checks only
     * the plugin can make (its directory, its environment); returns this.
     *
     * @param option the option whose value is refused
     * @param requirement what the value must be, completing "{@code key=value}"
     * @return this, to add more problems
     */
    public Values reject(Option<?> option, String requirement) {
      check(option);
      Objects.requireNonNull(requirement, "requirement");
      String raw = given.get(option.key);
      String shown;
      if (raw != null) {
        shown = option.key + "=" + option.show(raw);
      } else if (option.defaultValue != null) {
        shown = option.key + "=" + option.defaultText() + " (the default)";
      } else {
        shown = option.key + " (not set)";
      }
      invalid.add(option.key);
      problems.add(OptionMessages.invalid(declaration.kind, declaration.plugin, shown, requirement));
      return this;
    }

    /** {@return every problem found, one per entry, in the common format} */
    public List<String> problems() {
      return List.copyOf(problems);
    }

    /**
     * Returns this if there is no problem.
     *
     * @return this
     * @throws IllegalArgumentException listing every problem, one a line
     */
    public Values orThrow() {
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(OptionMessages.join(problems));
      }
      return this;
    }

    private void check(Option<?> option) {
      Objects.requireNonNull(option, "option");
      if (declaration.options.get(option.key) != option) {
        throw new IllegalArgumentException(
            "option " + option.key + " is not declared by " + declaration.kind + " "
                + declaration.plugin);
      }
    }
  }

  /** A value asked for is invalid; rules that need it are skipped. */
  private static final class Unreadable extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Unreadable(String key) {
      super("option " + key + " is invalid; see problems()");
    }
  }
}
