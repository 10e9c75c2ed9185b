package dev.cairn.cache.tiered;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees direct buffers at once instead of waiting for the garbage collector.
 *
 * <p>Uses {@code sun.misc.Unsafe.invokeCleaner(ByteBuffer)} from the {@code jdk.unsupported}
 * module, which is exported and opened to every class-path and module-path caller: no
 * {@code --add-opens} is needed (checked on 17, 21 and 25). It is looked up reflectively so the
 * build does not depend on (or warn about) the internal class; it is not one of the
 * memory-access methods that JEP 471/498 deprecate. If the lookup fails the buffers are left to
 * the garbage collector and a warning is logged once.
 */
final class DirectMemory {

  private static final Logger LOG = LoggerFactory.getLogger(DirectMemory.class);
  private static final MethodHandle INVOKE_CLEANER = lookupCleaner();

  private DirectMemory() {}

  /** Whether {@link #free} releases memory deterministically on this JVM. */
  static boolean canFree() {
    return INVOKE_CLEANER != null;
  }

  /** Releases a direct buffer's memory now; the buffer must never be touched again. */
  static void free(ByteBuffer buffer) {
    if (INVOKE_CLEANER == null || !buffer.isDirect()) {
      return;
    }
    try {
      INVOKE_CLEANER.invokeExact(buffer);
    } catch (Throwable e) {
      LOG.warn("could not free a direct buffer; it will be freed by the garbage collector", e);
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
