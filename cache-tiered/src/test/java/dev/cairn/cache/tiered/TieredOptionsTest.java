package dev.cairn.cache.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.internal.IdentityCodecProvider;
import dev.cairn.storage.spi.CacheConfig;
import dev.cairn.storage.spi.RecordCache;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Regression: tiered options that were ignored or worded their own way are refused alike. */
final class TieredOptionsTest {

  private static final String KNOWN =
      "known options: [tiered.blockBytes, tiered.slabBytes, tiered.compress]";

  private static RecordCache create(Map<String, String> options) {
    return new TieredCacheProvider().create(
        new CacheConfig(1 << 20, 1 << 20, null, null, IdentityCodecProvider.CODEC, options));
  }

  private static void assertRefused(Map<String, String> options, String message) {
    assertThatThrownBy(() -> create(options))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void theEngineLearnsTheKeysFromTheProvider() {
    assertThat(new TieredCacheProvider().options().keys())
        .containsExactly("tiered.blockBytes", "tiered.slabBytes", "tiered.compress");
  }

  @Test
  void aMisspeltOrUnprefixedKeyIsRefusedWithASuggestion() {
    assertRefused(Map.of("tiered.blockbytes", "256"), "unknown option 'tiered.blockbytes' for"
        + " cache tiered; did you mean 'tiered.blockBytes'? " + KNOWN);
    assertRefused(Map.of("compress", "false"),
        "unknown option 'compress' for cache tiered; did you mean 'tiered.compress'? " + KNOWN);
  }

  @Test
  void badValuesAndTheSlabRuleAreReportedInOneFormat() {
    assertRefused(Map.of("tiered.blockBytes", "8", "tiered.slabBytes", "2g"),
        "invalid option for cache tiered: tiered.blockBytes=8 must be between 16 and 64k\n"
            + "invalid option for cache tiered: tiered.slabBytes=2g must be between 64k and 1g");
    assertRefused(Map.of("tiered.blockBytes", "1000"),
        "invalid option for cache tiered: tiered.blockBytes=1000 must be a power of two");
    assertRefused(Map.of("tiered.blockBytes", "64k", "tiered.slabBytes", "96k"),
        "invalid option for cache tiered: tiered.slabBytes=96k must be a multiple of"
            + " tiered.blockBytes (64k)");
  }

  @Test
  void numbersNowAcceptSuffixesLikeEveryOtherPlugins() {
    try (RecordCache cache = create(Map.of("tiered.slabBytes", "1m", "tiered.blockBytes", "256",
        "tiered.compress", "FALSE"))) {
      assertThat(cache).isNotNull();
    }
  }
}
