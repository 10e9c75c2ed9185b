package dev.cairn.backup;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link BackupManager#verify(String)}: what was checked and every problem
 * found. Verification never throws for what it finds.
 *
 * @param setId the set verified
 * @param kind its kind, or {@code null} if its manifest could not be read
 * @param filesChecked set files whose checksum was computed
 * @param recordsChecked records decoded and checked (for a native set: by the backend's
 *     integrity check of the unpacked snapshot)
 * @param blobsChecked blobs whose content hash was checked
 * @param problems every problem, each naming the file and, where known, the record
 */
public record VerifyReport(
    String setId, BackupKind kind, int filesChecked, long recordsChecked, long blobsChecked,
    List<Problem> problems) {

  /**
   * Copies {@code problems}, so that the report cannot change.
   *
   * @param setId the set verified
   * @param kind its kind, or {@code null} if its manifest could not be read
   * @param filesChecked set files whose checksum was computed
   * @param recordsChecked records decoded and checked (for a native set: by the backend's
   *     integrity check of the unpacked snapshot)
   * @param blobsChecked blobs whose content hash was checked
   * @param problems every problem, each naming the file and, where known, the record
   */
  public VerifyReport {
    problems = List.copyOf(problems);
  }

  /**
   * One problem.
   *
   * @param file the set file concerned ({@code manifest.json}, a data file, or an archive entry)
   * @param record the record concerned as {@code collection/key}, or {@code null}
   * @param message what is wrong
   */
  public record Problem(String file, String record, String message) {
    /**
     * Checks that the file and the message are present.
     *
     * @param file the set file concerned ({@code manifest.json}, a data file, or an archive entry)
     * @param record the record concerned as {@code collection/key}, or {@code null}
     * @param message what is wrong
     */
    public Problem {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
      return file + (record == null ? "" : " record " + record) + ": " + message;
    }
  }

  /** {@return whether nothing was wrong} */
  public boolean ok() {
    return problems.isEmpty();
  }
}
