package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Storage;
import dev.cairn.storage.spi.BackupTarget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Regression: a set whose manifest was unusable silently disappeared from {@code list()}; it is
 * now listed by {@code listDamaged()} with the reason, and verify reports the same reason.
 */
final class DamagedSetTest {

  @TempDir
  Path tmp;

  private Path target() {
    return tmp.resolve("backups");
  }

  private List<BackupManifest> twoSets(BackupManager backups) {
    try (Storage s = Fixtures.open("sqlite", tmp.resolve("store"))) {
      Fixtures.fill(s, 3, 50);
      return List.of(backups.backup(s, BackupKind.LOGICAL), backups.backup(s, BackupKind.LOGICAL));
    }
  }

  private BackupManager backups() {
    return BackupManager.builder().target(target()).workDirectory(tmp.resolve("work")).build();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "truncated      | TRUNCATE | not valid JSON",
      "not an object  | [1, 2, 3] | not a JSON object",
      "another format | {\"format\": \"something-else\"} | format marker missing",
      "newer version  | VERSION 99 | format version 99 is not supported",
      "missing field  | DROP records | field records"})
  void aSetWithAnUnusableManifestIsListedAsDamagedAndFailsVerification(String name, String damage,
      String reason) throws IOException {
    BackupManager backups = backups();
    List<BackupManifest> sets = twoSets(backups);
    String damaged = sets.get(1).setId();
    Path manifest = Fixtures.setFile(target(), damaged, "manifest.json");
    String text = Files.readString(manifest);
    Files.writeString(manifest, switch (damage.split(" ")[0]) {
      case "TRUNCATE" -> text.substring(0, text.length() / 2);
      case "VERSION" -> text.replaceFirst("\"formatVersion\" : \\d+", "\"formatVersion\" : 99");
      case "DROP" -> text.replace("\"records\"", "\"rec0rds\"");
      default -> damage;
    });

    assertThat(backups.list()).extracting(BackupManifest::setId)
        .containsExactly(sets.get(0).setId());
    assertThat(backups.listDamaged()).singleElement().satisfies(d -> {
      assertThat(d.setId()).isEqualTo(damaged);
      assertThat(d.reason()).startsWith("manifest.json: ").contains(reason).doesNotContain("\n");
    });
    VerifyReport report = backups.verify(damaged);
    assertThat(report.ok()).isFalse();
    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo("manifest.json");
      assertThat(p.message()).contains(reason);
    });
  }

  @Test
  void anUnreadableManifestIsListedAsDamaged() {
    List<BackupManifest> sets = twoSets(backups());
    String unreadable = sets.get(0).setId();
    BackupManager backups = BackupManager.builder()
        .target(new UnreadableManifest(new LocalBackupTarget(target()), unreadable))
        .workDirectory(tmp.resolve("work")).build();

    assertThat(backups.list()).extracting(BackupManifest::setId).containsExactly(sets.get(1).setId());
    assertThat(backups.listDamaged()).singleElement().satisfies(d -> {
      assertThat(d.setId()).isEqualTo(unreadable);
      assertThat(d.reason()).contains("manifest.json: cannot read", "AccessDeniedException");
    });
    assertThat(backups.verify(unreadable).ok()).isFalse();
  }

  @Test
  void anIncompleteSetIsNotDamagedAndRetentionKeepsADamagedSet() throws IOException {
    BackupManager backups = BackupManager.builder().target(target())
        .workDirectory(tmp.resolve("work")).retainLast(1).build();
    List<BackupManifest> sets = twoSets(backups);
    Files.writeString(Fixtures.setFile(target(), sets.get(0).setId(), "manifest.json"), "{");
    Path incomplete = Files.createDirectories(target().resolve("20990101T000000000Z-aaaaaaaaaaaa"));
    Files.writeString(incomplete.resolve("blobs.idx"), "x");

    assertThat(backups.listDamaged()).extracting(BackupManager.DamagedSet::setId)
        .containsExactly(sets.get(0).setId());
    backups.applyRetention();
    assertThat(backups.listDamaged()).as("retention deletes only sets it can read")
        .extracting(BackupManager.DamagedSet::setId).containsExactly(sets.get(0).setId());
  }

  /** A target on which one set's manifest cannot be read. */
  private record UnreadableManifest(BackupTarget delegate, String setId) implements BackupTarget {
    @Override
    public void write(String name, InputStream data) throws IOException {
      delegate.write(name, data);
    }

    @Override
    public InputStream read(String name) throws IOException {
      if (name.equals(setId + "/manifest.json")) {
        throw new AccessDeniedException(name);
      }
      return delegate.read(name);
    }

    @Override
    public List<String> list() throws IOException {
      return delegate.list();
    }

    @Override
    public boolean delete(String name) throws IOException {
      return delegate.delete(name);
    }
  }
}
