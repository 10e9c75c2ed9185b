package dev.cairn.examples.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress on stderr, one bar per phase of an operation. On a terminal the bar redraws its line
 * in place (at most ten times a second) and a new phase starts a new line. Otherwise (a pipe, a
 * log file, a test) it stays simple: one line naming the operation's phases as they start,
 * e.g. {@code restore: download check import check done}.
 */
final class Progress implements AutoCloseable {

  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private String label = "";
  private String operation = "";
  private long lastDraw;
  private boolean drawn;
  private long done;
  private long total;

  Progress(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  /**
   * Reports {@code done} of {@code total} units ({@code total} <= 0: unknown) in phase
   * {@code label}, named "operation phase".
   */
  synchronized void update(String label, long done, long total) {
    boolean newPhase = !label.equals(this.label);
    if (newPhase) {
      endLine();
      this.label = label;
    }
    this.done = done;
    this.total = total;
    if (terminal) {
      long now = System.nanoTime();
      if (!newPhase && now - lastDraw < 100_000_000L && done < total) {
        return;
      }
      lastDraw = now;
      drawn = true;
      err.print("\r" + line() + "   ");
      err.flush();
    } else if (newPhase) {
      int space = label.indexOf(' ');
      String op = space < 0 ? label : label.substring(0, space);
      String phase = space < 0 ? "" : label.substring(space + 1);
      if (!op.equals(operation)) {
        if (drawn) {
          err.println();
        }
        operation = op;
        err.print(op + ":");
      }
      err.print(phase.isEmpty() ? "" : " " + phase);
      drawn = true;
      err.flush();
    }
  }

  private String line() {
    if (total <= 0) {
      return done > 0 ? String.format(Locale.ROOT, "%-16s %,d", label, done) : label;
    }
    int filled = (int) Math.min(WIDTH, done * WIDTH / total);
    return String.format(Locale.ROOT, "%-16s [%s%s] %3d%%", label, "#".repeat(filled),
        "-".repeat(WIDTH - filled), Math.min(100, done * 100 / total));
  }

  private void endLine() {
    if (terminal && drawn) {
      err.print("\r" + line() + System.lineSeparator());
      err.flush();
      drawn = false;
    }
  }

  /** Ends the last line. */
  @Override
  public synchronized void close() {
    if (terminal) {
      endLine();
    } else if (drawn) {
      err.println();
      err.flush();
      drawn = false;
    }
  }
}
