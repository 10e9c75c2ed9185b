package dev.cairn.examples.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar on stderr. On a terminal it redraws one line in place (at most ten times a
 * second); otherwise (a pipe, a log file, a test) it prints a plain line at every quarter.
 */
final class Progress implements AutoCloseable {

  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private final String label;
  private long lastDraw;
  private int lastQuarter = -1;
  private boolean drawn;
  private long done;
  private long total;

  Progress(PrintWriter err, boolean terminal, String label) {
    this.err = err;
    this.terminal = terminal;
    this.label = label;
  }

  /** Reports {@code done} of {@code total} units ({@code total} 0 or less: unknown). */
  synchronized void update(long done, long total) {
    this.done = done;
    this.total = total;
    if (terminal) {
      long now = System.nanoTime();
      if (drawn && now - lastDraw < 100_000_000L && done < total) {
        return;
      }
      lastDraw = now;
      drawn = true;
      err.print("\r" + line());
      err.flush();
    } else if (total > 0) {
      int quarter = (int) Math.min(4, done * 4 / total);
      if (quarter > lastQuarter) {
        lastQuarter = quarter;
        err.println(line());
        err.flush();
      }
    }
  }

  private String line() {
    if (total <= 0) {
      return String.format(Locale.ROOT, "%s: %,d", label, done);
    }
    int filled = (int) Math.min(WIDTH, done * WIDTH / total);
    String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
    return String.format(Locale.ROOT, "%-8s [%s] %3d%% %,d/%,d", label, bar,
        done * 100 / total, done, total);
  }

  /** Ends the bar's line on a terminal. */
  @Override
  public synchronized void close() {
    if (terminal && drawn) {
      err.print("\r" + line() + System.lineSeparator());
      err.flush();
    }
  }
}
