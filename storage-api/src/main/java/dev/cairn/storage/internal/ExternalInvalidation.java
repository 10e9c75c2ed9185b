package dev.cairn.storage.internal;

import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Capability;
import dev.cairn.storage.spi.ExternalCommitListener;
import dev.cairn.storage.spi.RecordCache;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's cache from serving values that commits of other instances (other
 * processes sharing the backend, {@link Capability#MULTI_PROCESS}) have changed: registers with
 * {@link Backend#watchExternalCommits} at open (which also publishes this instance's own
 * commits), drops the keys the backend reports through the same {@link CacheCoherence} protocol
 * as local commits, and makes the cache current on demand ({@link #catchUp}, for
 * {@code Storage.catchUp()}).
 *
 * <p>Threading: the listener is called from a backend thread, {@link #catchUp} from any;
 * both only invalidate under the coherence protocol.
 */
final class ExternalInvalidation implements ExternalCommitListener {

  private static final Logger LOG = LoggerFactory.getLogger(ExternalInvalidation.class);

  private final Backend backend;
  private final BackendProvider backendProvider;
  private final RecordCache cache;
  private final CacheCoherence coherence;
  /**
   * Whether the backend reports other instances' commits to this listener; set once by
   * {@link #watch} before the engine that holds this is published.
   */
  private boolean watched;

  private ExternalInvalidation(Backend backend, BackendProvider backendProvider,
      RecordCache cache, CacheCoherence coherence) {
    this.backend = backend;
    this.backendProvider = backendProvider;
    this.cache = cache;
    this.coherence = coherence;
  }

  /**
   * Registers with the backend, which from then on publishes this instance's commits; listens
   * only when there is a cache to invalidate ({@code cache} may be null).
   */
  static ExternalInvalidation watch(Backend backend, BackendProvider backendProvider,
      RecordCache cache, CacheCoherence coherence) {
    ExternalInvalidation listener =
        new ExternalInvalidation(backend, backendProvider, cache, coherence);
    boolean watching = backend.watchExternalCommits(
        Set.of(RecordStore.RECORDS), cache == null ? null : listener);
    listener.watched = watching && cache != null;
    if (cache != null) {
      if (!watching && backendProvider.capabilities().contains(Capability.MULTI_PROCESS)) {
        LOG.warn("backend {} is shared by several processes but cannot report their commits:"
            + " this instance's cache may serve values other instances have since changed",
            backendProvider.name());
      }
    }
    return listener;
  }

  @Override
  public void changed(String keyspace, List<byte[]> keys) {
    for (byte[] rk : keys) {
      String collection;
      String key;
      try {
        collection = Keys.collectionOf(rk);
        key = Keys.keyOf(rk);
      } catch (RuntimeException e) {
        unknownChanges();
        return;
      }
      coherence.afterCommit(CacheCoherence.stripe(collection, key),
          () -> cache.invalidate(collection, key));
    }
  }

  @Override
  public void unknownChanges() {
    coherence.afterUnknownCommits(cache::invalidateAll);
  }

  /**
   * Returns once the cache holds nothing older than the commits other instances had completed
   * when it was called. The caller holds the engine's {@link Lifecycle}.
   */
  void catchUp() {
    if (cache == null || !backendProvider.capabilities().contains(Capability.MULTI_PROCESS)) {
      return; // no cache: every read is current; one process: its commits invalidate as they go
    }
    if (!watched) {
      // nothing reports the other instances' commits: forget everything they may have changed
      coherence.afterUnknownCommits(cache::invalidateAll);
    } else if (!backend.catchUpExternalCommits()) {
      try (BackendTransaction rtx = backend.beginRead()) {
        // its end reports every external commit its snapshot saw
        rtx.get(RecordStore.META, StoreOpener.FORMAT_KEY);
      }
    }
  }
}
