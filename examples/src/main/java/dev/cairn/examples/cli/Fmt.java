package dev.cairn.examples.cli;

import dev.cairn.examples.CasinoDemo;
import dev.cairn.storage.MaintenanceReport;
import java.io.PrintWriter;
import java.util.Locale;

/** Human-readable numbers. */
final class Fmt {

  private Fmt() {}

  static String bytes(long n) {
    return CasinoDemo.bytes(n);
  }

  static String percent(long part, long whole) {
    return CasinoDemo.percent(part, whole);
  }

  static String micros(long us) {
    return us < 1000 ? us + " us" : String.format(Locale.ROOT, "%.1f ms", us / 1000.0);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String rate(long ops, long nanos) {
    return nanos <= 0 ? "-" : String.format(Locale.ROOT, "%,.0f ops/s", ops * 1e9 / nanos);
  }

  static void maintenance(PrintWriter out, MaintenanceReport r) {
    out.printf("maintenance %s in %d ms%n",
        r.successful() ? "ok" : r.failures().size() + " step(s) FAILED", r.duration().toMillis());
    for (MaintenanceReport.Step s : r.steps()) {
      out.printf("  %-20s %-7s %s%s%s%n", s.name(), s.outcome(), s.detail(),
          s.bytesFreed() > 0 ? " (freed " + bytes(s.bytesFreed()) + ")" : "",
          s.error().map(e -> " - " + e).orElse(""));
    }
  }
}
