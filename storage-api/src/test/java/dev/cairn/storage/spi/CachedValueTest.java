package dev.cairn.storage.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Bytes;
import dev.cairn.storage.spi.RecordCache.CachedValue;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class CachedValueTest {

  @Test
  void bytesIsBuiltOnceAndSharesTheRawArray() {
    byte[] raw = {1, 2, 3};
    CachedValue v = new CachedValue(7, raw);
    Optional<Bytes> first = v.bytes();
    assertThat(v.bytes()).as("one Optional per entry").isSameAs(first);
    assertThat(first).contains(Bytes.copyOf(raw));
    assertThat(v.raw()).isSameAs(raw);
    assertThat(v.version()).isEqualTo(7);
    assertThat(v).hasToString("CachedValue[version=7, length=3]");
  }

  @Test
  void aNullArrayIsRefused() {
    assertThatThrownBy(() -> new CachedValue(1, null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("raw");
  }
}
