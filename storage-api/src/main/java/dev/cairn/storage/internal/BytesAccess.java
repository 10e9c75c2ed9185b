package dev.cairn.storage.internal;

import dev.cairn.storage.Bytes;
import java.lang.invoke.MethodHandles;
import java.util.function.Function;

/**
 * Wraps an array in {@link Bytes} without copying it, and reads a {@code Bytes}' array, for the
 * engine and the cache SPI. {@code Bytes} offers neither publicly (a caller could then change a
 * value another caller holds); it registers both here when its class initialises, as the JDK's
 * {@code SharedSecrets} do.
 */
public final class BytesAccess {

  private static volatile Function<byte[], Bytes> wrap;
  private static volatile Function<Bytes, byte[]> unwrap;

  private BytesAccess() {}

  /** Called once, by {@link Bytes}' static initialiser. */
  public static synchronized void register(
      Function<byte[], Bytes> wrapper, Function<Bytes, byte[]> unwrapper) {
    if (wrap != null) {
      throw new IllegalStateException("Bytes access is already registered");
    }
    unwrap = unwrapper;
    wrap = wrapper;
  }

  /** {@code array} as {@code Bytes}, not copied: nobody may modify the array afterwards. */
  public static Bytes wrap(byte[] array) {
    Function<byte[], Bytes> w = wrap;
    if (w == null) {
      initialiseBytes();
      w = wrap;
    }
    return w.apply(array);
  }

  /** The array inside {@code bytes}, not copied: the caller must not modify it. */
  public static byte[] array(Bytes bytes) {
    Function<Bytes, byte[]> u = unwrap;
    if (u == null) {
      initialiseBytes(); // only seen if the Bytes reached this thread through a data race
      u = unwrap;
    }
    return u.apply(bytes);
  }

  /** Runs (or waits for) {@code Bytes}' static initialiser, which registers the functions. */
  private static void initialiseBytes() {
    try {
      MethodHandles.lookup().ensureInitialized(Bytes.class);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
