package dev.cairn.codec.zstd;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.Closeable;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native zstd contexts (and a scratch array) of one thread, shared by every zstd codec used
 * on that thread.
 *
 * <p>Why per thread: zstd-jni's static one-shot calls create and free a native context per call,
 * which is 2-4x slower than reusing one on 1 KiB values; a context is not thread-safe, so each
 * thread keeps its own.
 *
 * <p>Why a {@link Cleaner}: zstd-jni contexts have no finalizer or cleaner of their own
 * (luben/zstd-jni#83 removed finalizers, #412 notes the consequence for contexts kept in
 * {@code ThreadLocal}s): a context that is never closed leaks its native memory forever. The
 * contexts of a thread are owned by a {@link NativeContexts} registered with a cleaner on this
 * holder; when the thread ends its thread-local map is dropped, the holder becomes unreachable and
 * the cleaner closes every context after the next garbage collection.
 *
 * <p>Bounds per thread: one plain compressor and decompressor, plus compressor/decompressor pairs
 * for at most {@value #MAX_DICTIONARIES} dictionaries (least recently used is closed first), plus a
 * scratch array of at most {@value #MAX_RETAINED_SCRATCH} bytes. A thread's compressor workspace
 * grows with the largest value it compressed; zstd shrinks an oversized workspace on its own after
 * it has been too large for a number of calls.
 */
final class ThreadContexts {

  private static final Logger LOG = LoggerFactory.getLogger(ThreadContexts.class);

  static final int MAX_DICTIONARIES = 4;
  static final int MAX_RETAINED_SCRATCH = 256 * 1024;

  /** Open native contexts across all threads (for tests and diagnostics). */
  static final AtomicInteger OPEN_CONTEXTS = new AtomicInteger();

  private static final Cleaner CLEANER = Cleaner.create(runnable -> {
    Thread thread = new Thread(runnable, "cairn-zstd-cleaner");
    thread.setDaemon(true);
    return thread;
  });

  private static final ThreadLocal<ThreadContexts> CURRENT =
      ThreadLocal.withInitial(ThreadContexts::new);

  private final NativeContexts natives = new NativeContexts();
  private ZstdCompressCtx compressor;
  private int compressorLevel;
  private ZstdDecompressCtx decompressor;
  private byte[] scratch = new byte[0];
  private final Map<ZstdDictionary, DictionaryContexts> dictionaries =
      new LinkedHashMap<>(8, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<ZstdDictionary, DictionaryContexts> eldest) {
          if (size() <= MAX_DICTIONARIES) {
            return false;
          }
          eldest.getValue().close(natives);
          return true;
        }
      };

  private ThreadContexts() {
    CLEANER.register(this, natives);
  }

  /**
   * For tests: how many native contexts the calling thread's contexts hold open, read live. The
   * supplier holds only the set of native handles, not the contexts themselves, so it stays
   * usable after the thread ends and reads 0 once the cleaner has freed them.
   */
  static java.util.function.IntSupplier openContextsOfThisThread() {
    NativeContexts n = current().natives;
    return n::size;
  }

  /** The calling thread's contexts. Keep the result reachable while its contexts are in use. */
  static ThreadContexts current() {
    return CURRENT.get();
  }

  /** A compressor at {@code level}, with {@code dictionary} loaded unless it is null. */
  ZstdCompressCtx compressor(int level, ZstdDictionary dictionary) {
    if (dictionary != null) {
      DictionaryContexts contexts = dictionaryContexts(dictionary);
      if (contexts.compressor == null) {
        ZstdCompressCtx ctx = natives.add(newCompressor(dictionary.level()));
        ctx.loadDict(dictionary.bytes());
        contexts.compressor = ctx;
      }
      return contexts.compressor;
    }
    if (compressor == null) {
      compressor = natives.add(newCompressor(level));
      compressorLevel = level;
    } else if (compressorLevel != level) {
      compressor.setLevel(level);
      compressorLevel = level;
    }
    return compressor;
  }

  /** A decompressor with {@code dictionary} loaded unless it is null. */
  ZstdDecompressCtx decompressor(ZstdDictionary dictionary) {
    if (dictionary != null) {
      DictionaryContexts contexts = dictionaryContexts(dictionary);
      if (contexts.decompressor == null) {
        ZstdDecompressCtx ctx = natives.add(new ZstdDecompressCtx());
        ctx.loadDict(dictionary.bytes());
        contexts.decompressor = ctx;
      }
      return contexts.decompressor;
    }
    if (decompressor == null) {
      decompressor = natives.add(new ZstdDecompressCtx());
    }
    return decompressor;
  }

  /** An array of at least {@code capacity} bytes, reused while it is small enough to keep. */
  byte[] scratch(int capacity) {
    if (scratch.length >= capacity) {
      return scratch;
    }
    byte[] fresh = new byte[capacity];
    if (capacity <= MAX_RETAINED_SCRATCH) {
      scratch = fresh;
    }
    return fresh;
  }

  private DictionaryContexts dictionaryContexts(ZstdDictionary dictionary) {
    DictionaryContexts contexts = dictionaries.get(dictionary);
    if (contexts == null) {
      contexts = new DictionaryContexts();
      dictionaries.put(dictionary, contexts);
    }
    return contexts;
  }

  private static ZstdCompressCtx newCompressor(int level) {
    ZstdCompressCtx ctx = new ZstdCompressCtx();
    ctx.setLevel(level);
    ctx.setChecksum(true);
    ctx.setContentSize(true);
    ctx.setDictID(true);
    return ctx;
  }

  private static final class DictionaryContexts {
    ZstdCompressCtx compressor;
    ZstdDecompressCtx decompressor;

    void close(NativeContexts natives) {
      natives.close(compressor);
      natives.close(decompressor);
      compressor = null;
      decompressor = null;
    }
  }

  /**
   * Every open context of one thread; closes them all when run by the cleaner. Must not refer to
   * the {@link ThreadContexts} it belongs to, or that would never become unreachable.
   */
  private static final class NativeContexts implements Runnable {
    private final Set<Closeable> open = Collections.newSetFromMap(new IdentityHashMap<>());

    synchronized <T extends Closeable> T add(T context) {
      open.add(context);
      OPEN_CONTEXTS.incrementAndGet();
      return context;
    }

    synchronized int size() {
      return open.size();
    }

    synchronized void close(Closeable context) {
      if (context != null && open.remove(context)) {
        closeQuietly(context);
      }
    }

    @Override
    public synchronized void run() {
      for (Closeable context : open) {
        closeQuietly(context);
      }
      open.clear();
    }

    private static void closeQuietly(Closeable context) {
      try {
        context.close();
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not free a zstd context", e);
      } finally {
        OPEN_CONTEXTS.decrementAndGet();
      }
    }
  }
}
