package dev.cairn.storage.internal;

import dev.cairn.storage.Storage;

/**
 * What cairn-backup does to a restored store's change feed: it starts again above every
 * position issued before ({@link FeedLog#restart}), so that a reader that resumes never gets a
 * position twice and a reader behind the restore gets
 * {@link dev.cairn.storage.HistoryTruncatedException}. Public only for that module.
 */
public final class ChangeFeedRestart {

  private ChangeFeedRestart() {}

  /**
   * The head of {@code storage}'s change feed, or 0 if it has none.
   *
   * @param storage an open store of this engine
   * @return the last position issued, or 0
   */
  public static long head(Storage storage) {
    FeedLog feed = engine(storage).feed();
    return feed == null ? 0 : feed.head();
  }

  /**
   * Empties the restored store's feed (if it has one) and moves its head above {@code above},
   * above its own head and above the current time in microseconds since the epoch.
   *
   * @param storage the restored store, open and not yet used
   * @param above the head of the store it replaces, or 0
   * @return the new head, or 0 if the store has no feed
   */
  public static long afterRestore(Storage storage, long above) {
    FeedLog feed = engine(storage).feed();
    return feed == null ? 0 : feed.restart(above);
  }

  private static Engine engine(Storage storage) {
    if (storage instanceof Engine e) {
      return e;
    }
    throw new IllegalArgumentException("not a store of this engine: " + storage.getClass());
  }
}
