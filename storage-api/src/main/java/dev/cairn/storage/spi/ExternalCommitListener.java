package dev.cairn.storage.spi;

import java.util.List;

/**
 * Told which keys commits of <em>other</em> instances changed in a store shared by several
 * processes, so that the engine can drop cached values. Registered with
 * {@link Backend#watchExternalCommits}. Called from a backend thread; implementations must be
 * thread-safe and quick.
 */
public interface ExternalCommitListener {

  /**
   * Another instance's commit changed (put or deleted) {@code keys} of {@code keyspace}.
   *
   * @param keyspace the keyspace of the keys
   * @param keys the keys changed; the arrays are the listener's
   */
  void changed(String keyspace, List<byte[]> keys);

  /** Changes may have been missed (connection lost, too many keys): forget everything cached. */
  void unknownChanges();
}
