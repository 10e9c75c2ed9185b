package dev.cairn.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Regression: zstd options that were ignored or worded their own way are refused alike. */
final class ZstdOptionsTest {

  private final ZstdCodecProvider provider = new ZstdCodecProvider();

  @Test
  void theEngineLearnsTheKeysFromTheProvider() {
    assertThat(provider.options().keys()).containsExactly(ZstdCodecProvider.LEVEL_OPTION);
    assertThat(provider.options().options().get(0).defaultText()).isEqualTo("3");
  }

  @Test
  void aForeignPrefixIsRefusedWithASuggestion() {
    assertThatThrownBy(() -> provider.create(Map.of("zstandard.level", "3")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown option 'zstandard.level' for codec zstd; did you mean 'zstd.level'?"
            + " known options: [zstd.level]");
  }

  @Test
  void aLevelOutOfRangeOrZeroIsRefusedSayingWhatIsAllowed() {
    assertThatThrownBy(() -> provider.create(Map.of("zstd.level", "99")))
        .hasMessage("invalid option for codec zstd: zstd.level=99 must be between -7 and 22");
    assertThatThrownBy(() -> provider.create(Map.of("zstd.level", "0")))
        .hasMessage("invalid option for codec zstd: zstd.level=0 must not be 0");
    assertThatThrownBy(() -> provider.create(Map.of("zstd.level", "fast")))
        .hasMessage("invalid option for codec zstd: zstd.level=fast must be a whole number"
            + " (k, m, g suffixes allowed) between -7 and 22");
  }
}
