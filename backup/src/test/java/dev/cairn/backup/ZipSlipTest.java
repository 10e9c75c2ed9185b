package dev.cairn.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backup.BackupManifest.FileEntry;
import dev.cairn.storage.BackupException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crafted sets whose paths escape the restore directory are refused and write nothing outside. */
final class ZipSlipTest {

  @TempDir
  Path tmp;

  private static final byte[] EVIL = "pwned".getBytes(StandardCharsets.UTF_8);

  private static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static byte[] zip(String entryName) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      z.putNextEntry(new ZipEntry(entryName));
      z.write(EVIL);
      z.closeEntry();
    }
    return bytes.toByteArray();
  }

  /** Writes a native set whose checksums are all correct, so only the path checks can stop it. */
  private String craft(Path backups, String entryInZip, String entryInManifest) throws Exception {
    String id = "20260101T000000000Z-0123456789ab";
    byte[] archive = zip(entryInZip);
    Files.createDirectories(backups.resolve(id));
    Files.write(backups.resolve(id).resolve("snapshot.zip"), archive);
    String manifest = new String(ManifestCodec.write(new BackupManifest(id, "store", "sqlite",
        BackupKind.NATIVE, 1, Instant.now(), 1, 0, 0, EVIL.length, archive.length, List.of(),
        List.of(new FileEntry("snapshot.zip", archive.length, sha(archive))),
        List.of(new FileEntry("store.sqlite", EVIL.length, sha(EVIL))))), StandardCharsets.UTF_8);
    manifest = manifest.replace("\"store.sqlite\"", "\"" + entryInManifest + "\"");
    Files.writeString(backups.resolve(id).resolve("manifest.json"), manifest);
    return id;
  }

  @Test
  void archiveEntryWithDotDotIsRefused() throws Exception {
    Path backups = tmp.resolve("backups");
    String id = craft(backups, "../../evil.txt", "store.sqlite");
    BackupManager m = BackupManager.builder().target(backups).workDirectory(tmp.resolve("w")).build();

    assertThat(m.verify(id).problems()).anySatisfy(p ->
        assertThat(p.message()).contains("../../evil.txt").contains("escapes"));
    Path dest = tmp.resolve("a/b/restored");
    assertThatThrownBy(() -> m.restoreTo(id, dest, Fixtures.builder("sqlite", dest)))
        .isInstanceOf(BackupException.class).hasMessageContaining("escapes");
    assertThat(tmp.resolve("a/evil.txt")).doesNotExist();
    assertThat(tmp.resolve("a/b/evil.txt")).doesNotExist();
    assertThat(tmp.resolve("evil.txt")).doesNotExist();
    assertThat(dest).doesNotExist();
  }

  @Test
  void absoluteArchiveEntryIsRefused() throws Exception {
    Path backups = tmp.resolve("backups");
    Path outside = tmp.resolve("outside.txt").toAbsolutePath();
    String id = craft(backups, outside.toString(), "store.sqlite");
    BackupManager m = BackupManager.builder().target(backups).workDirectory(tmp.resolve("w")).build();
    Path dest = tmp.resolve("restored");
    assertThatThrownBy(() -> m.restoreTo(id, dest, Fixtures.builder("sqlite", dest)))
        .isInstanceOf(BackupException.class).hasMessageContaining("escapes");
    assertThat(outside).doesNotExist();
  }

  @Test
  void manifestNamingAnEscapingPathIsRefused() throws Exception {
    Path backups = tmp.resolve("backups");
    String id = craft(backups, "../evil.txt", "../evil.txt");
    BackupManager m = BackupManager.builder().target(backups).workDirectory(tmp.resolve("w")).build();

    assertThat(m.verify(id).problems()).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo("manifest.json");
      assertThat(p.message()).contains("escapes");
    });
    Path dest = tmp.resolve("restored");
    assertThatThrownBy(() -> m.restoreTo(id, dest, Fixtures.builder("sqlite", dest)))
        .isInstanceOf(BackupException.class).hasMessageContaining("manifest.json");
    assertThat(tmp.resolve("evil.txt")).doesNotExist();
  }

  @Test
  void manifestFileNameWithBackslashOrAbsolutePathIsRefused() throws Exception {
    for (String bad : List.of("..\\\\evil", "/etc/passwd", "a/../../b", "C:/evil")) {
      assertThat(SafeNames.problem(bad.replace("\\\\", "\\"))).as(bad).isNotNull();
    }
    assertThat(SafeNames.problem("store.sqlite")).isNull();
    assertThat(SafeNames.problem("sub/dir/file")).isNull();
  }
}
