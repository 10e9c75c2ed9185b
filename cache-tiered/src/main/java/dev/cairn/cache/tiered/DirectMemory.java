package dev.cairn.cache.tiered;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direct memory that is released when the cache says so, not when the garbage collector gets to
 * it.
 *
 * <ul>
 *   <li>Java 22 and later: each region is a segment of its own shared {@code
 *       java.lang.foreign.Arena}, viewed as a {@link ByteBuffer}; {@code Arena.close()} frees it.
 *       (The FFM API is final in 22; the module is compiled for 17, so it is reached through
 *       method handles.)
 *   <li>Java 17 to 21: {@link ByteBuffer#allocateDirect} freed with {@code
 *       sun.misc.Unsafe.invokeCleaner(ByteBuffer)} from the {@code jdk.unsupported} module, which
 *       is open to every caller (no {@code --add-opens} needed). On 25 that method is terminally
 *       deprecated and prints a warning on first use, hence the FFM path there.
 *   <li>If neither works, plain direct buffers are left to the garbage collector and a warning is
 *       logged once.
 * </ul>
 */
final class DirectMemory {

  private static final Logger LOG = LoggerFactory.getLogger(DirectMemory.class);

  /** A block of direct memory and what frees it. */
  record Region(ByteBuffer buffer, Object arena) {}

  private static final MethodHandle ARENA_OF_SHARED;
  private static final MethodHandle ARENA_ALLOCATE;
  private static final MethodHandle ARENA_CLOSE;
  private static final MethodHandle SEGMENT_AS_BYTE_BUFFER;
  private static final MethodHandle INVOKE_CLEANER;

  static {
    MethodHandle ofShared = null;
    MethodHandle allocate = null;
    MethodHandle close = null;
    MethodHandle asByteBuffer = null;
    MethodHandle cleaner = null;
    if (Runtime.version().feature() >= 22) {
      try {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        Class<?> arena = Class.forName("java.lang.foreign.Arena");
        Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
        ofShared = lookup.findStatic(arena, "ofShared", MethodType.methodType(arena));
        allocate =
            lookup.findVirtual(
                arena, "allocate", MethodType.methodType(segment, long.class, long.class));
        close = lookup.findVirtual(arena, "close", MethodType.methodType(void.class));
        asByteBuffer =
            lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        LOG.debug("java.lang.foreign unavailable, falling back to Unsafe.invokeCleaner", e);
        ofShared = null;
      }
    }
    if (ofShared == null) {
      cleaner = lookupCleaner();
    }
    ARENA_OF_SHARED = ofShared;
    ARENA_ALLOCATE = allocate;
    ARENA_CLOSE = close;
    SEGMENT_AS_BYTE_BUFFER = asByteBuffer;
    INVOKE_CLEANER = cleaner;
  }

  private DirectMemory() {}

  /** How memory is released on this JVM: {@code arena}, {@code cleaner} or {@code gc}. */
  static String mechanism() {
    return ARENA_OF_SHARED != null ? "arena" : INVOKE_CLEANER != null ? "cleaner" : "gc";
  }

  /** Whether {@link #free} releases memory deterministically on this JVM. */
  static boolean canFree() {
    return ARENA_OF_SHARED != null || INVOKE_CLEANER != null;
  }

  /** Reserves {@code bytes} of zeroed direct memory. */
  static Region allocate(int bytes) {
    if (ARENA_OF_SHARED != null) {
      Object arena = null;
      try {
        arena = ARENA_OF_SHARED.invoke();
        Object segment = ARENA_ALLOCATE.invoke(arena, (long) bytes, 8L);
        return new Region((ByteBuffer) SEGMENT_AS_BYTE_BUFFER.invoke(segment), arena);
      } catch (OutOfMemoryError e) {
        closeArena(arena);
        throw e;
      } catch (Throwable e) {
        closeArena(arena);
        throw new IllegalStateException("could not allocate " + bytes + " off-heap bytes", e);
      }
    }
    return new Region(ByteBuffer.allocateDirect(bytes), null);
  }

  /** Releases a region now; its buffer must never be touched again. */
  static void free(Region region) {
    if (region.arena() != null) {
      closeArena(region.arena());
    } else if (INVOKE_CLEANER != null) {
      try {
        INVOKE_CLEANER.invokeExact(region.buffer());
      } catch (Throwable e) {
        LOG.warn("could not free a direct buffer; the garbage collector will", e);
      }
    }
  }

  private static void closeArena(Object arena) {
    if (arena == null) {
      return;
    }
    try {
      ARENA_CLOSE.invoke(arena);
    } catch (Throwable e) {
      LOG.warn("could not close an off-heap arena", e);
    }
  }

  private static MethodHandle lookupCleaner() {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field field = unsafeClass.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      Object unsafe = field.get(null);
      return MethodHandles.lookup()
          .findVirtual(
              unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
          .bindTo(unsafe);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.warn(
          "sun.misc.Unsafe.invokeCleaner is unavailable; off-heap cache memory will be released"
              + " by the garbage collector instead of on eviction/close",
          e);
      return null;
    }
  }
}
