package dev.cairn.storage.internal;

import dev.cairn.storage.Storage;

/** The storage engine. */
public final class Engine {
  private Engine() {}

  /** Opens a store. */
  public static Storage open(StorageConfig config) {
    throw new UnsupportedOperationException("engine under construction");
  }
}
