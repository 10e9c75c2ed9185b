package dev.cairn.storage;

/**
 * A {@link ChangeFeed} reader asked for changes after a position whose successors are no longer
 * kept: retention trimmed them, or a restore started the feed again above every earlier
 * position. The feed never skips changes silently; this is how it says that it cannot continue
 * from there. The reader has to rebuild what it derives from the store: note
 * {@link ChangeFeed#head()}, read the store (e.g. {@link Storage#entries}), then follow the feed
 * after the noted head (a change read again is harmless when the reader reads current values).
 */
public class HistoryTruncatedException extends StorageException {
  private static final long serialVersionUID = 1L;

  /** The position the reader asked to continue after. */
  private final long requestedAfter;
  /** The position of the oldest change still kept. */
  private final long oldestAvailable;

  /**
   * An exception for a read after {@code requestedAfter} when the oldest change kept is at
   * {@code oldestAvailable}.
   *
   * @param requestedAfter the position the reader asked to continue after
   * @param oldestAvailable the position of the oldest change still kept (the head plus one when
   *     none is kept)
   */
  public HistoryTruncatedException(long requestedAfter, long oldestAvailable) {
    super("the change feed no longer holds the changes after position " + requestedAfter
        + ": the oldest one kept is at position " + oldestAvailable
        + "; rebuild from the store's current state and follow the feed from its head");
    this.requestedAfter = requestedAfter;
    this.oldestAvailable = oldestAvailable;
  }

  /**
   * The position the reader asked to continue after.
   *
   * @return the requested position
   */
  public long requestedAfter() {
    return requestedAfter;
  }

  /**
   * The position of the oldest change still kept; the head plus one when none is kept.
   *
   * @return the oldest available position
   */
  public long oldestAvailable() {
    return oldestAvailable;
  }
}
