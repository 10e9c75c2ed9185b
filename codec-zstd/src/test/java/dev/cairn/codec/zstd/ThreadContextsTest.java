package dev.cairn.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.spi.Codec;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

final class ThreadContextsTest {

  private static final long SEED = 0x7C7C_0001L;
  private static final Codec PLAIN = new ZstdCodecProvider().create(Map.of());

  /**
   * Counts the worker's own native contexts, not the global counter: contexts of earlier tests'
   * threads are freed by the cleaner at any time, which made a difference of the global count
   * come out negative.
   */
  @Test
  void contextsOfAFinishedThreadAreFreedAfterGarbageCollection() throws Exception {
    byte[] dictionary = PLAIN.trainDictionary(LedgerJson.records(new Random(SEED), 300), 4096);
    Codec withDictionary = PLAIN.withDictionary(dictionary);
    AtomicReference<IntSupplier> workerContexts = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread worker = new Thread(() -> {
      try {
        byte[] raw = LedgerJson.record(new Random(SEED));
        PLAIN.decode(PLAIN.encode(raw), raw.length);
        withDictionary.decode(withDictionary.encode(raw), raw.length);
        workerContexts.set(ThreadContexts.openContextsOfThisThread());
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "zstd-context-owner");
    worker.start();
    worker.join();
    assertThat(failure.get()).isNull();
    IntSupplier open = workerContexts.get();
    assertThat(open.getAsInt()).as("plain and dictionary compressor + decompressor").isEqualTo(4);
    worker = null;

    long deadline = System.nanoTime() + 10_000_000_000L;
    while (open.getAsInt() > 0 && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(open.getAsInt()).as("native contexts still open after the owning thread ended")
        .isZero();
  }

  @Test
  void aThreadKeepsContextsForAtMostFourDictionaries() {
    Random random = new Random(SEED);
    byte[] raw = LedgerJson.record(random);
    Codec[] codecs = new Codec[7];
    for (int i = 0; i < codecs.length; i++) {
      codecs[i] = PLAIN.withDictionary(
          PLAIN.trainDictionary(LedgerJson.records(random, 200), 2048 + 64 * i));
    }
    PLAIN.decode(PLAIN.encode(raw), raw.length); // plain contexts exist from here on
    IntSupplier open = ThreadContexts.openContextsOfThisThread();
    for (int round = 0; round < 3; round++) {
      for (Codec codec : codecs) {
        assertThat(codec.decode(codec.encode(raw), raw.length)).isEqualTo(raw);
      }
    }
    // seven dictionaries used in turn, but this thread keeps contexts for the last four only,
    // next to its plain compressor and decompressor
    assertThat(open.getAsInt()).isEqualTo(2 + 2 * ThreadContexts.MAX_DICTIONARIES);
  }
}
