package dev.cairn.storage;

/**
 * When a store finds values that are equal and keeps one copy of them (per collection with
 * {@link StorageBuilder#dedupMode(String, DedupMode)}, for the whole store with
 * {@link StorageBuilder#dedupMode(DedupMode)}). Values shorter than the
 * {@linkplain StorageBuilder#inlineThreshold(int) inline threshold} are never deduplicated.
 *
 * <p>Whatever the mode, a value is never lost and every reference is counted exactly; a mode
 * only decides when equal values start to share one stored copy, and what a read and a write
 * cost. Modes can be changed between opens: a store holds records written under any of them.
 */
public enum DedupMode {
  /**
   * The default. A value is stored in its record, with its SHA-256, so a read of it is one
   * backend lookup and a write of new content touches only its record. A value equal to one
   * that is already shared is shared at once (one lookup in the small index of shared
   * content). {@link Storage#maintenance()} finds the values that are equal but not yet shared
   * and moves each such content into one shared copy; a read of a shared value is two lookups.
   * Until maintenance runs, equal values written since cost their full size.
   */
  DEFERRED,
  /**
   * Every value of at least the inline threshold is stored once per distinct content at write
   * time: the write looks up the content's hash and stores new content apart from its record,
   * so equal values share storage at once, and every read of such a value is two backend
   * lookups. Writes of new content cost two extra writes (the content and its index entry, at
   * a random place in the index).
   */
  ON_WRITE,
  /**
   * Values are stored in their records and never shared: the cheapest writes (no SHA-256) and
   * one lookup per read. Equal values cost their full size each.
   */
  OFF
}
