package dev.cairn.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.internal.BytesAccess;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class BytesTest {

  @Test
  void copyOfIsIndependentOfTheArray() {
    byte[] a = {1, 2, 3, 4};
    Bytes b = Bytes.copyOf(a);
    a[0] = 9;
    assertThat(b.toByteArray()).containsExactly(1, 2, 3, 4);
    assertThat(Bytes.copyOf(a, 1, 2).toByteArray()).containsExactly(2, 3);
    assertThatThrownBy(() -> Bytes.copyOf(a, 3, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> Bytes.copyOf(a, -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void nothingHandedOutChangesTheBytes() {
    Bytes b = Bytes.copyOf(new byte[] {1, 2, 3});
    b.toByteArray()[0] = 9;
    ByteBuffer buf = b.asReadOnlyBuffer();
    assertThat(buf.isReadOnly()).isTrue();
    assertThatThrownBy(() -> buf.put(0, (byte) 9)).isInstanceOf(ReadOnlyBufferException.class);
    buf.position(2);
    assertThat(b.asReadOnlyBuffer().position()).as("each buffer is new").isZero();
    byte[] target = new byte[5];
    b.copyTo(target, 2);
    target[2] = 9;
    assertThat(target).containsExactly(0, 0, 9, 2, 3);
    assertThat(b.toByteArray()).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> b.copyTo(target, 3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void readsByIndexWithinBounds() {
    Bytes b = Bytes.copyOf(new byte[] {7, 8});
    assertThat(b.length()).isEqualTo(2);
    assertThat(b.isEmpty()).isFalse();
    assertThat(b.byteAt(1)).isEqualTo((byte) 8);
    assertThatThrownBy(() -> b.byteAt(2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> b.byteAt(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(Bytes.EMPTY.isEmpty()).isTrue();
    assertThat(Bytes.EMPTY.length()).isZero();
  }

  @Test
  void equalityIsByContent() {
    Bytes a = Bytes.copyOf("héllo".getBytes(StandardCharsets.UTF_8));
    Bytes b = Bytes.copyOf("héllo".getBytes(StandardCharsets.UTF_8));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(Bytes.copyOf(new byte[] {1}));
    assertThat(a).isNotEqualTo("héllo");
    assertThat(Bytes.copyOf(new byte[0])).isEqualTo(Bytes.EMPTY);
    assertThat(a.toString(StandardCharsets.UTF_8)).isEqualTo("héllo");
  }

  @Test
  void toStringShowsTheLengthAndAHexPrefix() {
    assertThat(Bytes.copyOf(new byte[] {0x0a, (byte) 0xff}).toString())
        .isEqualTo("Bytes[length=2, 0aff]");
    assertThat(Bytes.copyOf(new byte[40]).toString())
        .isEqualTo("Bytes[length=40, " + "00".repeat(32) + "...]");
  }

  @Test
  void theInternalWrapSharesTheArrayAndUnwrapReturnsIt() {
    byte[] a = {1, 2};
    Bytes b = BytesAccess.wrap(a);
    assertThat(BytesAccess.array(b)).isSameAs(a);
    assertThat(b).isEqualTo(Bytes.copyOf(a));
    assertThatThrownBy(() -> BytesAccess.register(x -> null, x -> null))
        .isInstanceOf(IllegalStateException.class);
  }
}
