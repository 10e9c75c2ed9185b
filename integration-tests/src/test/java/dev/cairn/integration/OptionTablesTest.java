package dev.cairn.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.h2.H2BackendProvider;
import dev.cairn.backend.lmdb.LmdbBackendProvider;
import dev.cairn.backend.postgres.PostgresBackendProvider;
import dev.cairn.backend.sqlite.SqliteBackendProvider;
import dev.cairn.cache.tiered.TieredCacheProvider;
import dev.cairn.codec.snappy.SnappyCodecProvider;
import dev.cairn.codec.zstd.ZstdCodecProvider;
import dev.cairn.storage.spi.PluginOptions;
import dev.cairn.storage.spi.PluginOptions.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every module README's options table stays true: it lists exactly the keys the plugin declares,
 * and each literal default in it reads as the declared default.
 */
final class OptionTablesTest {

  static Stream<Arguments> plugins() {
    return Stream.of(
        Arguments.of("backend-sqlite", new SqliteBackendProvider().options()),
        Arguments.of("backend-lmdb", new LmdbBackendProvider().options()),
        Arguments.of("backend-h2", new H2BackendProvider().options()),
        Arguments.of("backend-postgres", new PostgresBackendProvider().options()),
        Arguments.of("codec-zstd", new ZstdCodecProvider().options()),
        Arguments.of("codec-snappy", new SnappyCodecProvider().options()),
        Arguments.of("cache-tiered", new TieredCacheProvider().options()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plugins")
  void theReadmeTableListsTheDeclaredOptionsAndDefaults(String module, PluginOptions declared)
      throws IOException {
    String readme = Files.readString(Path.of("..", module, "README.md"));
    Pattern row = Pattern.compile("(?m)^\\| `(" + Pattern.quote(declared.prefix())
        + "[A-Za-z0-9]+)` \\| ([^|]*) \\|");
    Map<String, String> table = new TreeMap<>();
    Matcher m = row.matcher(readme);
    while (m.find()) {
      table.put(m.group(1), m.group(2).trim());
    }

    assertThat(table.keySet()).as("options in %s/README.md", module)
        .containsExactlyInAnyOrderElementsOf(declared.keys());
    for (Option<?> option : declared.options()) {
      Matcher literal = Pattern.compile("^`([^`]+)`").matcher(table.get(option.key()));
      if (literal.find() && option.defaultValue() != null) {
        Object documented = declared.read(Map.of(option.key(), literal.group(1))).get(option);
        assertThat(documented).as("default of %s in %s/README.md", option.key(), module)
            .isEqualTo(option.defaultValue());
      }
    }
  }
}
