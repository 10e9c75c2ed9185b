package dev.cairn.storage;

/**
 * How durable a commit is when the call that made it returns.
 *
 * <p>The default is {@link #SYNC}. Choose per instance with
 * {@link StorageBuilder#durability(Durability)} or per transaction with
 * {@link Storage#transaction(Durability, java.util.function.Function)}.
 */
public enum Durability {
  /**
   * The commit is forced to stable storage (fsync) before the call returns: it survives
   * {@code kill -9} and power loss as far as the operating system keeps its fsync promise.
   */
  SYNC,
  /**
   * Like {@link #SYNC} — each caller returns only after its data is durable — but concurrent
   * commits are coalesced so that many callers share one backend commit and one fsync. Highest
   * durable throughput under concurrency; a lone writer sees the latency of {@code SYNC}.
   */
  GROUP,
  /**
   * The commit is visible and atomic when the call returns, but the fsync may happen later. A
   * crash of the process or machine may lose the most recent commits (the loss window is the
   * backend's: for SQLite, commits since the last WAL checkpoint sync; for LMDB, since the last
   * environment sync; for H2, since the last store commit). Never a torn record.
   */
  ASYNC
}
