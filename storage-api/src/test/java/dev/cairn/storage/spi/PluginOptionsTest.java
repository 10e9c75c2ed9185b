package dev.cairn.storage.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.spi.PluginOptions.Option;
import dev.cairn.storage.spi.PluginOptions.Values;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The option reader every plugin uses: one format, every problem at once. */
final class PluginOptionsTest {

  private static final Option<Long> READERS =
      Option.number("sqlite.readers", 4, 1, 64, "reader connections");
  private static final Option<Long> PAGE_SIZE =
      Option.number("sqlite.pageSize", 8192, 512, 65536, "page size")
          .require(v -> Long.bitCount(v) == 1, "must be a power of two");
  private static final Option<Long> TIMEOUT =
      Option.number("sqlite.timeoutMs", 30_000, 0, Long.MAX_VALUE, "wait");
  private static final Option<Boolean> COMPRESS = Option.bool("sqlite.compress", false, "compress");
  private static final Option<String> URL = Option.text("sqlite.url", null, "where")
      .require(u -> u.startsWith("jdbc:"), "must start with jdbc:")
      .shownAs(u -> u.replaceAll("secret=[^&]*", "secret=…"));
  private static final Option<String> MODE =
      Option.choice("sqlite.mode", "wal", List.of("wal", "delete"), "journal mode");

  private static final PluginOptions SQLITE = PluginOptions.backend("sqlite")
      .add(READERS).add(PAGE_SIZE).add(TIMEOUT).add(COMPRESS).add(URL).add(MODE)
      .build();

  @Test
  void optionsNotGivenTakeTheirDefaults() {
    Values v = SQLITE.read(Map.of());

    assertThat(v.get(READERS)).isEqualTo(4L);
    assertThat(v.get(COMPRESS)).isFalse();
    assertThat(v.get(URL)).isNull();
    assertThat(v.isSet(READERS)).isFalse();
    assertThat(v.problems()).isEmpty();
  }

  @Test
  void numbersAcceptSuffixesAndBlanksAndBooleansAnyCase() {
    Values v = SQLITE.read(Map.of("sqlite.pageSize", " 16k ", "sqlite.timeoutMs", "1m",
        "sqlite.compress", "TRUE"));

    assertThat(v.get(PAGE_SIZE)).isEqualTo(16384L);
    assertThat(v.get(TIMEOUT)).isEqualTo(1L << 20);
    assertThat(v.get(COMPRESS)).isTrue();
    assertThat(v.isSet(PAGE_SIZE)).isTrue();
  }

  @Test
  void aValueOutOfRangeNamesPluginKeyValueAndRange() {
    assertThatThrownBy(() -> SQLITE.read(Map.of("sqlite.readers", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid option for backend sqlite: sqlite.readers=0 must be between 1 and 64");
  }

  @Test
  void everyKindOfBadValueIsWordedTheSameWay() {
    assertThat(SQLITE.parse(Map.of(
        "sqlite.readers", "many",
        "sqlite.pageSize", "5000",
        "sqlite.timeoutMs", "-1",
        "sqlite.compress", "yes",
        "sqlite.url", "jdbc:x?secret=hunter2&a=1",
        "sqlite.mode", "WAL")).problems())
        .containsExactly(
            "invalid option for backend sqlite: sqlite.readers=many must be a whole number"
                + " (k, m, g suffixes allowed) between 1 and 64",
            "invalid option for backend sqlite: sqlite.pageSize=5000 must be a power of two",
            "invalid option for backend sqlite: sqlite.timeoutMs=-1 must be at least 0",
            "invalid option for backend sqlite: sqlite.compress=yes must be true or false",
            "invalid option for backend sqlite: sqlite.mode=WAL must be one of [wal, delete]");
    assertThat(SQLITE.parse(Map.of("sqlite.url", "odbc:x?secret=hunter2")).problems())
        .containsExactly("invalid option for backend sqlite: sqlite.url=odbc:x?secret=…"
            + " must start with jdbc:");
  }

  @Test
  void anUnknownKeyListsTheKnownOnesAndSuggestsTheClosest() {
    String known = "known options: [sqlite.readers, sqlite.pageSize, sqlite.timeoutMs,"
        + " sqlite.compress, sqlite.url, sqlite.mode]";
    assertThat(SQLITE.parse(Map.of("sqllite.readers", "2")).problems()).containsExactly(
        "unknown option 'sqllite.readers' for backend sqlite; did you mean 'sqlite.readers'? "
            + known);
    assertThat(SQLITE.parse(Map.of("SQLITE.READERS", "2")).problems().get(0))
        .contains("did you mean 'sqlite.readers'?");
    assertThat(SQLITE.parse(Map.of("readers", "2")).problems().get(0))
        .contains("did you mean 'sqlite.readers'?");
    assertThat(SQLITE.parse(Map.of("sqlite.readerz", "2")).problems().get(0))
        .contains("did you mean 'sqlite.readers'?");
    assertThat(SQLITE.parse(Map.of("lmdb.mapSizeMax", "1g")).problems()).containsExactly(
        "unknown option 'lmdb.mapSizeMax' for backend sqlite; " + known);
  }

  @Test
  void aPluginWithoutOptionsSaysSo() {
    assertThatThrownBy(() -> PluginOptions.codec("snappy").build()
        .read(Map.of("snappy.level", "3")))
        .hasMessage("unknown option 'snappy.level' for codec snappy; known options: none");
  }

  @Test
  void everyProblemIsReportedAtOnceOneALine() {
    assertThatThrownBy(() -> SQLITE.read(Map.of(
        "sqlite.readers", "0", "sqlite.compress", "maybe", "sqlite.readerz", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(3)
            .anyMatch(l -> l.startsWith("unknown option 'sqlite.readerz'"))
            .anyMatch(l -> l.contains("sqlite.readers=0"))
            .anyMatch(l -> l.contains("sqlite.compress=maybe")));
  }

  @Test
  void rulesBetweenOptionsRunOnValidValuesOnly() {
    Option<Long> min = Option.number("lmdb.mapSize", 64L << 20, 256L << 10, Long.MAX_VALUE, "m");
    Option<Long> max = Option.number("lmdb.mapSizeMax", 64L << 30, 256L << 10, Long.MAX_VALUE, "M");
    PluginOptions lmdb = PluginOptions.backend("lmdb").add(min).add(max)
        .rule(max, v -> v.get(max) >= v.get(min) ? null
            : "must not be below lmdb.mapSize (" + v.text(min) + ")")
        .build();

    assertThat(lmdb.parse(Map.of("lmdb.mapSize", "2g", "lmdb.mapSizeMax", "1g")).problems())
        .containsExactly("invalid option for backend lmdb: lmdb.mapSizeMax=1g must not be below"
            + " lmdb.mapSize (2g)");
    assertThat(lmdb.parse(Map.of("lmdb.mapSize", "128g")).problems())
        .containsExactly("invalid option for backend lmdb: lmdb.mapSizeMax=64g (the default)"
            + " must not be below lmdb.mapSize (128g)");
    assertThat(lmdb.parse(Map.of("lmdb.mapSize", "huge", "lmdb.mapSizeMax", "1g")).problems())
        .singleElement().asString().contains("lmdb.mapSize=huge");
  }

  @Test
  void aPluginAddsItsOwnChecksInTheSameFormat() {
    Values v = SQLITE.parse(Map.of("sqlite.readers", "0"));
    v.reject(URL, "must be set unless the directory holds a descriptor");

    assertThat(v.problems()).containsExactly(
        "invalid option for backend sqlite: sqlite.readers=0 must be between 1 and 64",
        "invalid option for backend sqlite: sqlite.url (not set) must be set unless the"
            + " directory holds a descriptor");
    assertThatThrownBy(v::orThrow).hasMessageContaining("\n");
    assertThatThrownBy(() -> v.get(READERS)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void declarationsRefuseKeysWithoutThePluginsPrefixAndBadDefaults() {
    assertThatThrownBy(() -> PluginOptions.codec("zstd").add(READERS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must start with 'zstd.'");
    assertThatThrownBy(() -> PluginOptions.backend("sqlite").add(READERS).add(READERS))
        .hasMessageContaining("declared twice");
    assertThatThrownBy(() -> Option.number("x.y", 0, 1, 2, "m"))
        .hasMessageContaining("default of option x.y");
    assertThatThrownBy(() -> SQLITE.read(Map.of()).get(Option.bool("sqlite.other", true, "m")))
        .hasMessageContaining("not declared");
  }

  @Test
  void theDeclarationDescribesItsOptions() {
    assertThat(SQLITE.kind()).isEqualTo("backend");
    assertThat(SQLITE.plugin()).isEqualTo("sqlite");
    assertThat(SQLITE.prefix()).isEqualTo("sqlite.");
    assertThat(SQLITE.keys()).startsWith("sqlite.readers", "sqlite.pageSize");
    assertThat(PAGE_SIZE.defaultText()).isEqualTo("8k");
    assertThat(READERS.meaning()).isEqualTo("reader connections");
  }
}
