package dev.cairn.storage.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The wall clock to within {@link #RESOLUTION_MS}, read from a field instead of the OS.
 *
 * <p>Access statistics stamp every read by key with its time. {@code System.currentTimeMillis()}
 * costs about 20 ns on the virtual machines this project is measured on, which is as much as
 * the rest of a cache hit. One daemon thread ({@code cairn-clock}) refreshes the field every
 * {@value #RESOLUTION_MS} ms while at least one store that records access statistics is open,
 * and stops when the last one closes. A reading is never ahead of the true time and at most
 * about one tick (plus scheduling delay) behind it.
 */
final class CoarseClock {

  /** How often the field is refreshed, in milliseconds. */
  static final long RESOLUTION_MS = 10;

  private static volatile long now = System.currentTimeMillis();
  private static int users; // guarded by CoarseClock.class
  private static Thread ticker; // guarded by CoarseClock.class

  private CoarseClock() {}

  /** Milliseconds since the epoch, as of the last tick. */
  static long millis() {
    return now;
  }

  /** Registers a user; the first one starts the ticker. Pair with {@link #release()}. */
  static synchronized void acquire() {
    if (users++ == 0) {
      now = System.currentTimeMillis();
      Thread t = new Thread(CoarseClock::tick, "cairn-clock");
      t.setDaemon(true);
      ticker = t;
      t.start();
    }
  }

  /** Unregisters a user; the last one stops the ticker. */
  static synchronized void release() {
    if (users <= 0) {
      throw new IllegalStateException("CoarseClock released more often than acquired");
    }
    if (--users == 0) {
      ticker.interrupt();
      ticker = null;
    }
  }

  private static void tick() {
    Thread self = Thread.currentThread();
    while (!self.isInterrupted()) {
      now = System.currentTimeMillis();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RESOLUTION_MS));
    }
  }
}
