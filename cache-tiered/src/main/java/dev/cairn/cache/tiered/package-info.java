/**
 * The tiered read cache: an on-heap Caffeine tier (L1) in front of a compressed off-heap tier
 * (L2). The only public type is {@link dev.cairn.cache.tiered.TieredCacheProvider}.
 */
package dev.cairn.cache.tiered;
