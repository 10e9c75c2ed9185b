package dev.cairn.storage;

/**
 * Counters of one cache tier (for the tiered cache: {@code L1} on heap, {@code L2} off heap).
 *
 * @param tier the tier's name
 * @param hits lookups answered by this tier
 * @param misses lookups this tier could not answer
 * @param evictions entries removed to honour the bound (not counting invalidations)
 * @param entries entries held now
 * @param bytesUsed bytes held now, as weighed by the tier
 * @param maxBytes the tier's bound in bytes
 */
public record CacheTierStats(
    String tier, long hits, long misses, long evictions, long entries, long bytesUsed, long maxBytes) {

  /** {@return hits divided by lookups, or 0 when there were none} */
  public double hitRate() {
    long lookups = hits + misses;
    return lookups == 0 ? 0.0 : (double) hits / lookups;
  }
}
