package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder's duration setters refuse bad values at once, naming the setting. */
final class BuilderValidationTest {

  @Test
  void negativeIntervalAndGraceAreRefusedNamingTheSetting() {
    BackupManager.Builder b = BackupManager.builder();
    assertThatThrownBy(() -> b.interval(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval must not be negative, got PT-1S");
    assertThatThrownBy(() -> b.incompleteGrace(Duration.ofMinutes(-2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("incomplete grace must not be negative, got PT-2M");
    assertThatThrownBy(() -> b.retainMaxAge(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retain max age must be positive, got PT0S");
  }

  @Test
  void nullDurationsAreRefusedNamingTheSetting() {
    BackupManager.Builder b = BackupManager.builder();
    assertThatThrownBy(() -> b.interval(null))
        .isInstanceOf(NullPointerException.class).hasMessage("interval");
    assertThatThrownBy(() -> b.incompleteGrace(null))
        .isInstanceOf(NullPointerException.class).hasMessage("incomplete grace");
  }

  @Test
  void zeroIntervalAndGraceAreAccepted() {
    BackupManager.Builder b = BackupManager.builder();
    assertThatCode(() -> b.interval(Duration.ZERO).incompleteGrace(Duration.ZERO))
        .doesNotThrowAnyException();
    assertThat(b.interval(Duration.ofHours(6))).isSameAs(b);
  }
}
