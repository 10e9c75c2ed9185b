package dev.cairn.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.cairn.storage.spi.BackupTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The proof that {@link BackupTargetConformanceKit} has teeth: a naive directory target that
 * writes straight into the final file and trusts every name fails the kit's tests for failed
 * writes and name validation.
 */
final class BackupTargetKitRejectsBrokenTargetTest {

  @Test
  void kitRejectsANonAtomicTargetThatTrustsNames() {
    Events events = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(NaiveTargetUnderKit.class))
        .configurationParameter(BrokenFixtures.ENABLE, "true")
        .execute()
        .testEvents();
    assertThat(events.started().count()).isPositive();
    Set<String> failed = new TreeSet<>();
    events.failed().stream().map(e -> e.getTestDescriptor().getSource()
        .filter(MethodSource.class::isInstance)
        .map(s -> ((MethodSource) s).getMethodName())
        .orElse(e.getTestDescriptor().getDisplayName())).forEach(failed::add);
    assertThat(failed).containsAll(List.of(
        "failedWriteLeavesNothing", "failedOverwriteKeepsPrevious", "dotDotRejected"));
    assertThat(failed).doesNotContain("roundTrip", "listSorted", "deleteReturnsExisted");
  }

  /** The kit run on the naive target; only enabled under the test above. */
  @ExtendWith(BrokenFixtures.OnlyUnderSelfTest.class)
  static final class NaiveTargetUnderKit extends BackupTargetConformanceKit {
    @TempDir
    Path dir;

    @Override
    protected BackupTarget target() {
      return new NaiveTarget(dir.resolve("root"));
    }
  }

  /** Writes in place, no temp file, no name checks: what the kit must catch. */
  static final class NaiveTarget implements BackupTarget {
    private final Path root;

    NaiveTarget(Path root) {
      this.root = root;
    }

    @Override
    public void write(String name, InputStream data) throws IOException {
      Path p = root.resolve(name);
      Files.createDirectories(p.getParent());
      try (OutputStream out = Files.newOutputStream(p)) {
        data.transferTo(out);
      }
    }

    @Override
    public InputStream read(String name) throws IOException {
      Path p = root.resolve(name);
      if (!Files.isRegularFile(p)) {
        throw new NoSuchFileException(name);
      }
      return Files.newInputStream(p);
    }

    @Override
    public List<String> list() throws IOException {
      if (!Files.exists(root)) {
        return List.of();
      }
      try (Stream<Path> s = Files.walk(root)) {
        return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
      }
    }

    @Override
    public boolean delete(String name) throws IOException {
      return Files.deleteIfExists(root.resolve(name));
    }
  }
}
