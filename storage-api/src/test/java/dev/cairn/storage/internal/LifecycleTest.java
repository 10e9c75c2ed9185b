package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class LifecycleTest {

  @Test
  void closeWaitsForAnOperationInFlightAndRefusesNewOnes() throws Exception {
    Lifecycle lifecycle = new Lifecycle(Path.of("store"));
    assertThat(lifecycle.enter()).isTrue();
    CountDownLatch closed = new CountDownLatch(1);
    Thread closer = new Thread(() -> {
      lifecycle.closeAndAwait();
      closed.countDown();
    });
    closer.start();
    assertThat(closed.await(200, TimeUnit.MILLISECONDS)).as("close returned early").isFalse();
    Thread other = new Thread(() -> assertThat(lifecycle.enter()).isFalse());
    other.start();
    other.join();
    lifecycle.exit();
    assertThat(closed.await(10, TimeUnit.SECONDS)).as("close returned after the exit").isTrue();
    assertThat(lifecycle.enter()).isFalse();
    assertThat(lifecycle.inFlightCount()).isZero();
  }

  @Test
  void noOperationIsInsideOnceCloseReturns() throws Exception {
    // many threads enter and exit; the closer checks that nobody is inside after it returns and
    // that nobody enters afterwards
    for (int round = 0; round < 20; round++) {
      Lifecycle lifecycle = new Lifecycle(Path.of("store"));
      AtomicInteger inside = new AtomicInteger();
      AtomicBoolean closeReturned = new AtomicBoolean();
      AtomicLong violations = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        Thread th = new Thread(() -> {
          while (!stop.get()) {
            if (lifecycle.enter()) {
              inside.incrementAndGet();
              if (closeReturned.get()) {
                violations.incrementAndGet();
              }
              Thread.onSpinWait();
              inside.decrementAndGet();
              lifecycle.exit();
            }
          }
        });
        th.start();
        threads.add(th);
      }
      Thread.sleep(5);
      lifecycle.closeAndAwait();
      closeReturned.set(true);
      int atClose = inside.get();
      Thread.sleep(5);
      stop.set(true);
      for (Thread th : threads) {
        th.join();
      }
      assertThat(atClose).as("operations inside when close returned").isZero();
      assertThat(violations).as("operations entered after close returned").hasValue(0);
      assertThat(lifecycle.inFlightCount()).isZero();
    }
  }
}
