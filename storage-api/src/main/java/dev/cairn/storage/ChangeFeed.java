package dev.cairn.storage;

import java.time.Duration;
import java.util.List;

/**
 * The ordered, resumable list of every put and delete committed to a store, for readers that
 * keep something in step with it (a search index, a cache in another process, a replica).
 * Enabled per store with {@link StorageBuilder#changeFeed(ChangeFeedRetention)}; reached through
 * {@link Storage#changes()}.
 *
 * <p><b>Positions.</b> Every committed write and delete (including those of conditional writes
 * that applied, imports, and maintenance removing expired records) gets a position, assigned in
 * the transaction that commits it: positions grow in commit order, without gaps (1, 2, 3, ...),
 * and are never given to another change — not after a crash, a reopen, or by another instance
 * sharing a PostgreSQL store (all instances see one order). A change is in the feed exactly when
 * its commit is: one made with {@link Durability#SYNC} or {@link Durability#GROUP} survives a
 * crash together with its position. (An {@link Durability#ASYNC} commit that a crash loses
 * loses its changes too, and their positions go to later commits.) A conditional write that did
 * not apply, a delete of an absent key and a rolled-back transaction add nothing.
 *
 * <p><b>Reading.</b> A reader remembers the position of the last change it processed (durably,
 * if it must survive its own restart) and asks for what follows it: {@code read(0, n)} starts
 * from the beginning. After a restart of either side it simply continues. If retention or a
 * restore removed what follows its position, reading raises {@link HistoryTruncatedException}
 * rather than skipping. Reads see committed changes only and never block writers.
 *
 * <pre>{@code
 * long after = loadCheckpoint();
 * while (running) {
 *   for (Change c : storage.changes().poll(after, 500, Duration.ofSeconds(10))) {
 *     index.apply(c, storage.getValue(c.collection(), c.key()));
 *     after = c.position();
 *   }
 *   saveCheckpoint(after);
 * }
 * }</pre>
 *
 * <p>Threading: safe for any number of threads; every call reads the latest committed state.
 */
public interface ChangeFeed {

  /**
   * The changes after {@code afterPosition}, oldest first, at most {@code max}; empty when none
   * was committed after it yet.
   *
   * @param afterPosition the position of the last change the reader has; 0 for the beginning
   * @param max the most changes to return, 1 to 100,000
   * @return the changes at positions {@code afterPosition + 1}, {@code + 2}, ... in order
   * @throws HistoryTruncatedException if changes after {@code afterPosition} were removed
   * @throws IllegalArgumentException if {@code afterPosition} is negative or beyond
   *     {@link #head()} (a position this store never issued), or {@code max} is out of range
   * @throws StorageClosedException if the store is closed
   */
  List<Change> read(long afterPosition, int max);

  /**
   * Like {@link #read}, but when nothing follows {@code afterPosition} waits up to
   * {@code timeout} for a commit (of this instance, or of another instance sharing the store:
   * those are noticed within about 100 ms) and returns what it brought.
   *
   * @param afterPosition the position of the last change the reader has; 0 for the beginning
   * @param max the most changes to return, 1 to 100,000
   * @param timeout the longest to wait; zero does not wait
   * @return the changes after {@code afterPosition}, empty if none came within the timeout
   * @throws HistoryTruncatedException if changes after {@code afterPosition} were removed
   * @throws IllegalArgumentException as for {@link #read}, or if {@code timeout} is negative
   * @throws InterruptedException if the thread is interrupted while waiting
   * @throws StorageClosedException if the store is closed (also while waiting)
   */
  List<Change> poll(long afterPosition, int max, Duration timeout) throws InterruptedException;

  /**
   * The position of the newest committed change; 0 if there was none yet.
   *
   * @return the head position
   * @throws StorageClosedException if the store is closed
   */
  long head();

  /**
   * The position of the oldest change still kept; {@code head() + 1} if none is kept. Reading
   * after any position from {@code oldest() - 1} on succeeds.
   *
   * @return the oldest available position
   * @throws StorageClosedException if the store is closed
   */
  long oldest();
}
