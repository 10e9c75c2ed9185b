package dev.cairn.cache.tiered;

/** (collection, key) as one map key. */
record CacheKey(String collection, String key) {}
