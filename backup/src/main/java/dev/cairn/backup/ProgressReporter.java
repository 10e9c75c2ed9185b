package dev.cairn.backup;

import dev.cairn.backup.BackupProgress.Operation;
import dev.cairn.backup.BackupProgress.Phase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tracks one operation's progress and calls the listener at phase boundaries and in steps. */
final class ProgressReporter {

  private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);
  private static final long RECORD_STEP = 256;
  private static final long BYTE_STEP = 1 << 20;

  private final BackupListener listener;
  private final Operation operation;
  private final String setId;
  private Phase phase;
  private long records;
  private long recordsTotal = -1;
  private long bytes;
  private long bytesTotal = -1;
  private long lastRecords;
  private long lastBytes;

  ProgressReporter(BackupListener listener, Operation operation, String setId) {
    this.listener = listener;
    this.operation = operation;
    this.setId = setId;
  }

  void start(Phase p, long recordsTotal, long bytesTotal) {
    this.phase = p;
    this.records = 0;
    this.bytes = 0;
    this.lastRecords = 0;
    this.lastBytes = 0;
    this.recordsTotal = recordsTotal;
    this.bytesTotal = bytesTotal;
    emit();
  }

  void add(long moreRecords, long moreBytes) {
    records += moreRecords;
    bytes += moreBytes;
    if (records - lastRecords >= RECORD_STEP || bytes - lastBytes >= BYTE_STEP) {
      emit();
    }
  }

  /** Reports the current phase as finished (only if something changed since the last event). */
  void end() {
    if (records != lastRecords || bytes != lastBytes) {
      emit();
    }
  }

  void done() {
    start(Phase.DONE, -1, -1);
  }

  private void emit() {
    lastRecords = records;
    lastBytes = bytes;
    try {
      listener.onProgress(new BackupProgress(operation, setId, phase, records, recordsTotal, bytes,
          bytesTotal));
    } catch (RuntimeException e) {
      LOG.warn("backup listener failed on {} {}; ignored", operation, phase, e);
    }
  }

  /** An input stream that reports the bytes read through it. */
  java.io.InputStream counting(java.io.InputStream in) {
    return new java.io.FilterInputStream(in) {
      @Override
      public int read() throws java.io.IOException {
        int b = super.read();
        if (b >= 0) {
          add(0, 1);
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws java.io.IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
          add(0, n);
        }
        return n;
      }
    };
  }
}
