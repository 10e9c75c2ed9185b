package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.RecordMetadata;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup-and-restore and migration examples, end to end. */
final class BackupExamplesTest {

  @TempDir
  Path tmp;

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

  @Test
  void aRestoreOverTheRunningStoreBringsBackADeletedRecord() {
    String o1 = BackupRestoreExample.run(tmp, out);

    assertThat(o1).isEqualTo("{\"total\":120}");
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("verified: ok", "copy holds 2 orders", "RESTORE of", "BACKUP of");
  }

  @Test
  void migrationToH2KeepsRecordsAndTheirCreationTimes() {
    RecordMetadata after = MigrationExample.run(tmp, "h2", out);

    assertThat(after.key()).isEqualTo("round-007");
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("50 records moved from sqlite to h2", "(kept: true)");
  }

  @Test
  void migrationToLmdbWorksTheSameWay() {
    MigrationExample.run(tmp, "lmdb", out);

    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("50 records moved from sqlite to lmdb");
  }
}
