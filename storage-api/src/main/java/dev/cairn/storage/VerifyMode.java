package dev.cairn.storage;

/**
 * How reads of deduplicated (blob) values check the content hash. Inline values and the stored
 * bytes of every blob are always checked with CRC32C, which is cheap; this setting adds the
 * end-to-end SHA-256 check of the decoded bytes.
 */
public enum VerifyMode {
  /** Recompute SHA-256 of every blob read (default: never return wrong bytes). */
  ALWAYS,
  /** Recompute SHA-256 on a random 1 in 16 blob reads, plus always during maintenance. */
  SAMPLED,
  /** Only the CRC32C check on stored bytes; SHA-256 is checked during maintenance only. */
  NEVER
}
