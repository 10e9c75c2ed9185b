package dev.cairn.backup;

import dev.cairn.conformance.BackupTargetConformanceKit;
import dev.cairn.storage.spi.BackupTarget;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The kit on the backup module's local directory target. */
final class LocalBackupTargetConformanceTest extends BackupTargetConformanceKit {

  @TempDir
  Path dir;

  @Override
  protected BackupTarget target() {
    return new LocalBackupTargetProvider().open(dir.toUri());
  }
}
