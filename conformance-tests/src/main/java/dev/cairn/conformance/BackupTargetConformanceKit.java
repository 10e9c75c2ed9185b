package dev.cairn.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cairn.storage.spi.BackupTarget;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit for {@link BackupTarget}s: round trips, atomic overwrite, sorted
 * listing, delete, name validation, and what a failed write leaves behind (nothing).
 *
 * <pre>{@code
 * final class MyTargetConformanceTest extends BackupTargetConformanceKit {
 *   @TempDir Path dir;
 *
 *   @Override
 *   protected BackupTarget target() {
 *     return new MyTargetProvider().open(dir.toUri());
 *   }
 * }
 * }</pre>
 *
 * <p>Random data is seeded; the seed is in every assertion message and can be fixed with
 * {@code -Dcairn.conformance.seed=<n>}.
 */
@org.junit.jupiter.api.extension.ExtendWith(NamesKitRun.class)
public abstract class BackupTargetConformanceKit {

  /** For subclasses, which supply the target under test ({@link #target()}). */
  protected BackupTargetConformanceKit() {}

  private static final long SEED = Long.getLong("cairn.conformance.seed", new Random().nextLong());

  /**
   * The target under test: a new, empty one for each test.
   *
   * @return an empty target
   */
  protected abstract BackupTarget target();

  private BackupTarget target;

  @BeforeEach
  void openTarget() {
    target = target();
    assertThat(target).as("target() returned null").isNotNull();
  }

  private static String seed() {
    return "seed=" + SEED + " (replay with -Dcairn.conformance.seed=" + SEED + ")";
  }

  private static byte[] random(int length, long salt) {
    byte[] b = new byte[length];
    new Random(SEED ^ salt).nextBytes(b);
    return b;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void write(String name, byte[] data) throws IOException {
    target.write(name, new ByteArrayInputStream(data));
  }

  private byte[] read(String name) throws IOException {
    try (InputStream in = target.read(name)) {
      return in.readAllBytes();
    }
  }

  /** A stream that yields {@code good} bytes and then fails, like a dropped network source. */
  private static InputStream failingAfter(byte[] good) {
    return new InputStream() {
      private int pos;

      @Override
      public int read() throws IOException {
        if (pos >= good.length) {
          throw new IOException("source failed midway (kit)");
        }
        return good[pos++] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= good.length) {
          throw new IOException("source failed midway (kit)");
        }
        int n = Math.min(len, good.length - pos);
        System.arraycopy(good, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }

  @Nested
  @DisplayName("write and read")
  class RoundTrip {

    @Test
    @DisplayName("an object reads back byte for byte, empty, small and large")
    void roundTrip() throws IOException {
      byte[] large = random(3 << 20, 1);
      write("empty", new byte[0]);
      write("small", utf8("hello"));
      write("large", large);
      assertThat(read("empty")).isEmpty();
      assertThat(read("small")).isEqualTo(utf8("hello"));
      assertThat(read("large")).as(seed()).isEqualTo(large);
    }

    @Test
    @DisplayName("names with slashes are nested objects")
    void nestedNames() throws IOException {
      write("set-1/manifest.json", utf8("{}"));
      write("set-1/data/part-0", utf8("a"));
      assertThat(read("set-1/manifest.json")).isEqualTo(utf8("{}"));
      assertThat(read("set-1/data/part-0")).isEqualTo(utf8("a"));
    }

    @Test
    @DisplayName("reading an absent object throws NoSuchFileException")
    void readAbsent() {
      assertThatThrownBy(() -> read("absent")).isInstanceOf(NoSuchFileException.class);
    }
  }

  @Nested
  @DisplayName("overwrite")
  class Overwrite {

    @Test
    @DisplayName("an overwrite replaces the whole object, longer or shorter")
    void overwriteReplaces() throws IOException {
      write("o", random(100_000, 2));
      write("o", utf8("short"));
      assertThat(read("o")).isEqualTo(utf8("short"));
      byte[] longer = random(200_000, 3);
      write("o", longer);
      assertThat(read("o")).as(seed()).isEqualTo(longer);
    }

    @Test
    @DisplayName("readers during overwrites see the old or the new object, never a mix")
    void overwriteIsAtomic() throws Exception {
      byte[] a = random(256 << 10, 4);
      byte[] b = random(96 << 10, 5);
      write("o", a);
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<Integer> writer = pool.submit(() -> {
          int n = 0;
          for (; n < 30; n++) {
            write("o", n % 2 == 0 ? b : a);
          }
          stop.set(true);
          return n;
        });
        Future<Integer> reader = pool.submit(() -> {
          int reads = 0;
          while (!stop.get() || reads == 0) {
            byte[] got = read("o");
            if (!java.util.Arrays.equals(got, a) && !java.util.Arrays.equals(got, b)) {
              throw new AssertionError("read " + got.length + " bytes equal to neither version; "
                  + seed());
            }
            reads++;
          }
          return reads;
        });
        assertThat(writer.get(60, TimeUnit.SECONDS)).isEqualTo(30);
        assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
      assertThat(target.list()).containsExactly("o");
    }
  }

  @Nested
  @DisplayName("list")
  class Listing {

    @Test
    @DisplayName("an empty target lists nothing")
    void emptyList() throws IOException {
      assertThat(target.list()).isEmpty();
    }

    @Test
    @DisplayName("every object is listed once, sorted, nested names included")
    void listSorted() throws IOException {
      List<String> names = new ArrayList<>(List.of("b", "a/2", "a/10", "c/d/e", "a/1", "B"));
      java.util.Collections.shuffle(names, new Random(SEED));
      for (String n : names) {
        write(n, utf8(n));
      }
      write("a/1", utf8("again"));
      List<String> listed = target.list();
      assertThat(listed).as(seed()).containsExactlyInAnyOrder("b", "a/2", "a/10", "c/d/e", "a/1", "B");
      assertThat(listed).as("sorted; " + seed()).isSorted();
    }
  }

  @Nested
  @DisplayName("delete")
  class Delete {

    @Test
    @DisplayName("delete returns whether the object existed and removes it")
    void deleteReturnsExisted() throws IOException {
      write("x/y", utf8("1"));
      write("x/z", utf8("2"));
      assertThat(target.delete("x/y")).isTrue();
      assertThat(target.delete("x/y")).isFalse();
      assertThat(target.delete("never")).isFalse();
      assertThat(target.list()).containsExactly("x/z");
      assertThatThrownBy(() -> read("x/y")).isInstanceOf(NoSuchFileException.class);
      assertThat(read("x/z")).isEqualTo(utf8("2"));
    }

    @Test
    @DisplayName("an object can be written again after it was deleted")
    void writeAfterDelete() throws IOException {
      write("x", utf8("1"));
      target.delete("x");
      write("x", utf8("2"));
      assertThat(read("x")).isEqualTo(utf8("2"));
    }
  }

  @Nested
  @DisplayName("names")
  class NameValidation {

    @Test
    @DisplayName("names with '..' segments or absolute names are rejected and write nothing")
    void dotDotRejected() throws IOException {
      for (String bad : List.of("..", "../x", "a/../../x", "a/..", "/abs", "/")) {
        assertThat(catchThrowable(() -> write(bad, utf8("evil"))))
            .as("write(%s)", bad).isInstanceOf(IllegalArgumentException.class);
        assertThat(catchThrowable(() -> target.read(bad)))
            .as("read(%s)", bad).isInstanceOf(IllegalArgumentException.class);
        assertThat(catchThrowable(() -> target.delete(bad)))
            .as("delete(%s)", bad).isInstanceOf(IllegalArgumentException.class);
      }
      assertThat(target.list()).isEmpty();
    }
  }

  @Nested
  @DisplayName("failed writes")
  class FailedWrite {

    @Test
    @DisplayName("a source failing midway leaves no object and nothing listed")
    void failedWriteLeavesNothing() throws IOException {
      Throwable t = catchThrowable(() -> target.write("f", failingAfter(random(300_000, 6))));
      assertThat(t).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> read("f")).isInstanceOf(NoSuchFileException.class);
      assertThat(target.list()).as("no temporary object is visible").isEmpty();
    }

    @Test
    @DisplayName("a source failing midway leaves the previous object intact")
    void failedOverwriteKeepsPrevious() throws IOException {
      byte[] previous = random(50_000, 7);
      write("set/f", previous);
      Throwable t = catchThrowable(() -> target.write("set/f", failingAfter(random(300_000, 8))));
      assertThat(t).isInstanceOf(IOException.class);
      assertThat(read("set/f")).as(seed()).isEqualTo(previous);
      assertThat(target.list()).containsExactly("set/f");
    }
  }
}
