package dev.cairn.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import dev.cairn.storage.spi.Capability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Helpers shared by the kits: seeds, capability assumptions, byte utilities. */
final class KitSupport {

  private static final Logger LOG = LoggerFactory.getLogger(KitSupport.class);

  /** System property that fixes the seed of every kit's random data, to replay a failure. */
  static final String SEED_PROPERTY = "cairn.conformance.seed";

  /** One seed per JVM: from {@value #SEED_PROPERTY} or fresh; printed in every message. */
  static final long SEED = initialSeed();

  private KitSupport() {}

  private static long initialSeed() {
    Long fixed = Long.getLong(SEED_PROPERTY);
    long seed = fixed != null ? fixed : new Random().nextLong();
    LOG.info("conformance kit seed {} (replay with -D{}={})", seed, SEED_PROPERTY, seed);
    return seed;
  }

  /** A text for assertion messages: the seed and how to replay it. */
  static String seedNote() {
    return "seed=" + SEED + " (replay with -D" + SEED_PROPERTY + "=" + SEED + ")";
  }

  /**
   * Checks that {@code declared} is the declaration of {@code kind} {@code name} (the engine
   * refuses to open with any other) and returns every declared option with a default, set to
   * that default, under {@code given} (which wins).
   */
  static java.util.Map<String, String> declaredDefaults(
      String kind, String name, dev.cairn.storage.spi.PluginOptions declared,
      java.util.Map<String, String> given) {
    org.assertj.core.api.Assertions.assertThat(declared)
        .as("%s %s: options() returned null", kind, name).isNotNull();
    org.assertj.core.api.Assertions.assertThat(declared.kind() + " " + declared.plugin())
        .as("options() must declare the options of %s %s (its own kind and name)", kind, name)
        .isEqualTo(kind + " " + name);
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    declared.options().forEach(o -> {
      if (o.defaultText() != null) {
        out.put(o.key(), o.defaultText());
      }
    });
    out.putAll(given);
    return out;
  }

  /** Skips the running test unless {@code declared} contains {@code needed}. */
  static void requireCapability(String plugin, Set<Capability> declared, Capability needed) {
    assumeTrue(
        declared.contains(needed),
        () -> plugin + " does not declare capability " + needed + ": test skipped");
  }

  static byte[] randomBytes(Random rnd, int length) {
    byte[] b = new byte[length];
    rnd.nextBytes(b);
    return b;
  }

  /** Bytes that compress well: a few distinct short runs and repeated words. */
  static byte[] compressibleBytes(Random rnd, int length) {
    byte[] b = new byte[length];
    byte[] word = "{\"name\":\"cairn\",\"value\":12345,\"tags\":[\"a\",\"b\"]}".getBytes(
        java.nio.charset.StandardCharsets.US_ASCII);
    for (int i = 0; i < length; i++) {
      b[i] = word[i % word.length];
    }
    // a few random bytes so that the data is not purely periodic
    for (int i = 0; i < length / 512; i++) {
      b[rnd.nextInt(length)] = (byte) rnd.nextInt(256);
    }
    return b;
  }

  static String hex(byte[] b) {
    if (b == null) {
      return "null";
    }
    if (b.length > 64) {
      return HexFormat.of().formatHex(Arrays.copyOf(b, 64)) + "...(" + b.length + " bytes)";
    }
    return HexFormat.of().formatHex(b);
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  /**
   * The exclusive upper bound of every key starting with {@code prefix}, as the engine computes
   * it: increment the last byte that is not 0xFF and drop the 0xFF bytes after it; {@code null}
   * (no bound) when every byte is 0xFF.
   */
  static byte[] prefixUpperBound(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] upper = Arrays.copyOf(prefix, i + 1);
        upper[i]++;
        return upper;
      }
    }
    return null;
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** Whether {@code from <= key < to} in unsigned order, {@code null} bounds open. */
  static boolean inRange(byte[] key, byte[] from, byte[] to) {
    return (from == null || Arrays.compareUnsigned(key, from) >= 0)
        && (to == null || Arrays.compareUnsigned(key, to) < 0);
  }

  /** Prefix of a backend named by its provider class rather than its registered name. */
  static final String PROVIDER_CLASS = "class:";

  /**
   * Selects the backend of a harness: {@code class:<name>} creates that provider class through
   * its no-argument constructor (of any visibility: a test fixture need not be public or
   * registered with {@link java.util.ServiceLoader}); anything else is a registered name.
   */
  static dev.cairn.storage.StorageBuilder selectBackend(dev.cairn.storage.StorageBuilder b,
      String backend) {
    if (!backend.startsWith(PROVIDER_CLASS)) {
      return b.backend(backend);
    }
    String name = backend.substring(PROVIDER_CLASS.length());
    try {
      java.lang.reflect.Constructor<?> c = Class.forName(name).getDeclaredConstructor();
      c.setAccessible(true);
      return b.backend((dev.cairn.storage.spi.BackendProvider) c.newInstance());
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalArgumentException("cannot create backend provider " + name
          + " through a no-argument constructor: " + e, e);
    }
  }

  /** Deletes {@code p} and everything under it, if it exists; a failure is only logged. */
  static void deleteTree(Path p) {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> all = Files.walk(p)) {
      for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    } catch (IOException e) {
      LOG.debug("cannot delete {}", p, e);
    }
  }
}
