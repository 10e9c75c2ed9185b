package dev.cairn.storage;

/**
 * How reads of deduplicated (blob) values check their content hash.
 *
 * <p>Every stored value — inline payloads, blobs, headers, reference counts — carries a CRC32C
 * over all its bytes, checked on every read, and the zstd and snappy codecs check their own
 * payload checksums when decoding: corruption on disk is caught whatever this setting says.
 * The SHA-256 check on top verifies the decoded bytes end to end against the content address
 * (catching, for example, a codec that decodes wrongly). It costs about 1 µs per KiB, which is
 * comparable to an LMDB or H2 read, so by default it runs on a sample of reads; maintenance and
 * {@link StorageAdmin#verify()} always check every blob.
 */
public enum VerifyMode {
  /** Recompute SHA-256 on every blob read. */
  ALWAYS,
  /** Recompute SHA-256 on a random 1 in 16 blob reads (default). */
  SAMPLED,
  /** Never on reads; only maintenance and {@link StorageAdmin#verify()} check SHA-256. */
  NEVER
}
