package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link CoarseClock}: never ahead of the wall clock, and it moves while someone holds it. */
final class CoarseClockTest {

  @Test
  void followsTheWallClockWhileHeldAndIsNeverAhead() throws InterruptedException {
    CoarseClock.acquire();
    try {
      long first = CoarseClock.millis();
      assertThat(first).isLessThanOrEqualTo(System.currentTimeMillis());
      long deadline = System.nanoTime() + 5_000_000_000L; // generous: shared, noisy machines
      while (CoarseClock.millis() == first && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      long later = CoarseClock.millis();
      assertThat(later).as("the ticker refreshed the clock").isGreaterThan(first);
      assertThat(later).isLessThanOrEqualTo(System.currentTimeMillis());
    } finally {
      CoarseClock.release();
    }
  }

  @Test
  void theTickerStopsWithItsLastUser() throws InterruptedException {
    CoarseClock.acquire();
    CoarseClock.acquire();
    CoarseClock.release();
    assertThat(tickerAlive()).as("one user left").isTrue();
    CoarseClock.release();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (tickerAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    // other tests of this JVM may hold the clock through an open store; none run concurrently
    assertThat(tickerAlive()).as("no users left").isFalse();
  }

  private static boolean tickerAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("cairn-clock") && t.isAlive());
  }
}
