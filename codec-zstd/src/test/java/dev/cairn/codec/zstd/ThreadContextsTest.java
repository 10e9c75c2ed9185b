package dev.cairn.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.spi.Codec;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

final class ThreadContextsTest {

  private static final long SEED = 0x7C7C_0001L;
  private static final Codec PLAIN = new ZstdCodecProvider().create(Map.of());

  @Test
  void contextsOfAFinishedThreadAreFreedAfterGarbageCollection() throws Exception {
    byte[] dictionary = PLAIN.trainDictionary(LedgerJson.records(new Random(SEED), 300), 4096);
    Codec withDictionary = PLAIN.withDictionary(dictionary);
    AtomicInteger openedByThread = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread worker = new Thread(() -> {
      try {
        int before = ThreadContexts.OPEN_CONTEXTS.get();
        byte[] raw = LedgerJson.record(new Random(SEED));
        PLAIN.decode(PLAIN.encode(raw), raw.length);
        withDictionary.decode(withDictionary.encode(raw), raw.length);
        openedByThread.set(ThreadContexts.OPEN_CONTEXTS.get() - before);
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "zstd-context-owner");
    int before = ThreadContexts.OPEN_CONTEXTS.get();
    worker.start();
    worker.join();
    assertThat(failure.get()).isNull();
    assertThat(openedByThread.get()).as("plain and dictionary compressor + decompressor").isEqualTo(4);
    worker = null;

    long deadline = System.nanoTime() + 10_000_000_000L;
    while (ThreadContexts.OPEN_CONTEXTS.get() > before && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(ThreadContexts.OPEN_CONTEXTS.get())
        .as("open native contexts after the owning thread ended")
        .isLessThanOrEqualTo(before);
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
    int before = ThreadContexts.OPEN_CONTEXTS.get();
    for (int round = 0; round < 3; round++) {
      for (Codec codec : codecs) {
        assertThat(codec.decode(codec.encode(raw), raw.length)).isEqualTo(raw);
      }
    }
    // other test threads may hold contexts too, but this thread adds at most 4 pairs
    assertThat(ThreadContexts.OPEN_CONTEXTS.get() - before)
        .isLessThanOrEqualTo(2 * ThreadContexts.MAX_DICTIONARIES);
  }
}
