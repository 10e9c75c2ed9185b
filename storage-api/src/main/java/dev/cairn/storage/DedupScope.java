package dev.cairn.storage;

/** Which records may share one stored copy of equal content. */
public enum DedupScope {
  /** Equal values anywhere in the store are stored once (default; best savings). */
  GLOBAL,
  /**
   * Equal values are shared only within one collection. Use it when collections belong to
   * different owners: content-hash dedup across owners can reveal that another owner stores the
   * same bytes (for example through timing or storage accounting).
   */
  PER_COLLECTION
}
