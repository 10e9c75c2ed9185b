package dev.cairn.storage;

import dev.cairn.storage.internal.StorageConfig;

/** Test access to what a builder would open with, so a test can check every setting reached it. */
public final class StorageBuilderAccess {

  private StorageBuilderAccess() {}

  /** The builder's validated configuration. */
  public static StorageConfig config(StorageBuilder builder) {
    return builder.config();
  }
}
