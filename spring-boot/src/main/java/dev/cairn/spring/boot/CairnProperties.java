package dev.cairn.spring.boot;

import dev.cairn.backup.BackupKind;
import dev.cairn.storage.DedupMode;
import dev.cairn.storage.DedupScope;
import dev.cairn.storage.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The {@code cairn.*} properties: what the auto-configured {@code Storage} and
 * {@code BackupManager} are built from. Each maps to one setter of {@code StorageBuilder} or
 * {@code BackupManager.Builder}; a property left unset keeps that builder's default. Settings
 * without a property here (value mapper, inline threshold, explicit plugin providers, ...) are
 * set with a {@link CairnStorageBuilderCustomizer} bean.
 *
 * <p>Nothing is silently ignored: at startup, before any bean is created, every problem is
 * reported at once in one exception, one a line — a missing {@code cairn.directory}, a setting
 * that needs another one ({@code cairn.backup.schedule} without {@code cairn.backup.target}), an
 * invalid value, and a property that configures a bean the application defines itself.
 *
 * <p>Plugin options are maps keyed by the option's full key, case kept:
 * {@code cairn.backend-options.sqlite.readers=8}, {@code cairn.cache.options.tiered.blockBytes=256}
 * (or {@code cairn.cache.options[tiered.blockBytes]=256}). Environment variables cannot carry
 * capitals: a key that arrives in the wrong case is refused by the builder with a "did you
 * mean".
 *
 * @param enabled Whether Cairn is auto-configured at all (default true); false creates no Cairn
 *     bean and ignores every other cairn.* property.
 * @param name The store's name: the store tag of its metrics and the name in its
 *     health details (default cairn).
 * @param directory The store's directory, created if absent (required, unless the application
 *     defines its own Storage bean).
 * @param backend The backend by name: sqlite, lmdb, h2,
 *     postgres (default: the only backend on the class path, else sqlite).
 * @param backendOptions Backend options by their full key, e.g. sqlite.readers=8 or
 *     postgres.url=jdbc:postgresql://db/app; see the backend's README.
 * @param codec The codec of new writes by name: identity, snappy, zstd
 *     (default identity); every installed codec stays readable.
 * @param codecOptions Codec options by their full key, e.g. zstd.level=6.
 * @param cache The read cache.
 * @param durability The default durability of commits: SYNC (fsync before returning),
 *     GROUP (same promise, concurrent commits share fsyncs) or ASYNC (fsync
 *     later); default SYNC.
 * @param defaultTtl Time to live by collection, for each write to it that gives none, e.g.
 *     sessions=30m: the record expires that long after each write (default: no collection has
 *     one, records never expire).
 * @param dedupScope Which records may share stored content: GLOBAL (default) or PER_COLLECTION
 *     (keeps collections' data apart).
 * @param dedupMode When equal values start sharing one stored copy, for every collection
 *     without a mode of its own: DEFERRED (default; by maintenance, or at write time if the
 *     content is already shared), ON_WRITE (at write time) or OFF (never).
 * @param dedupModes Dedup mode by collection, overriding cairn.dedup-mode for it, e.g.
 *     media=on-write.
 * @param changeFeed The change feed: every committed put and delete, in commit order.
 * @param accessStatistics Per-record access counts (RecordMetadata.accessCount and
 *     lastAccessedAt), off by default.
 * @param maintenance Scheduled maintenance (access statistics, cache cleanup, verification and
 *     scheduled backups).
 * @param backup Backups to a local directory.
 * @param metrics Micrometer metrics (bound when a MeterRegistry bean and
 *     cairn-micrometer are present).
 * @param health The cairn health indicator.
 */
@ConfigurationProperties("cairn")
public record CairnProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("cairn") String name,
    Path directory,
    String backend,
    @DefaultValue Map<String, String> backendOptions,
    String codec,
    @DefaultValue Map<String, String> codecOptions,
    @DefaultValue Cache cache,
    Durability durability,
    @DefaultValue Map<String, Duration> defaultTtl,
    DedupScope dedupScope,
    DedupMode dedupMode,
    @DefaultValue Map<String, DedupMode> dedupModes,
    @DefaultValue ChangeFeed changeFeed,
    @DefaultValue AccessStatistics accessStatistics,
    @DefaultValue Maintenance maintenance,
    @DefaultValue Backup backup,
    @DefaultValue Metrics metrics,
    @DefaultValue Health health) {

  /**
   * The read cache ({@code cairn.cache.*}). Every setting but {@code name} needs a
   * {@code name}.
   *
   * @param name The cache by name, e.g. tiered (needs cairn-cache-tiered);
   *     default: no cache.
   * @param maxHeapBytes Bound of the on-heap tier, e.g. 64MB or a number of bytes
   *     (default 32MB; 0 disables the tier).
   * @param maxOffHeapBytes Bound of the off-heap tier (default 128MB; 0 disables the tier).
   * @param expireAfterWrite Drops entries this long after they were written (default: never).
   * @param expireAfterAccess Drops entries not read for this long (default: never).
   * @param options Cache options by their full key, e.g. tiered.blockBytes=256.
   */
  public record Cache(
      String name,
      DataSize maxHeapBytes,
      DataSize maxOffHeapBytes,
      Duration expireAfterWrite,
      Duration expireAfterAccess,
      @DefaultValue Map<String, String> options) {}

  /**
   * The change feed ({@code cairn.change-feed.*}). The retention settings need
   * {@code enabled=true}.
   *
   * @param enabled Whether to turn the store's change feed on (default false). A store records
   *     it: once on, its feed stays on at every later open whatever this says (there is no
   *     switch to turn it off).
   * @param maxChanges The most changes kept; 0 for no limit by count (default 1000000; needs
   *     enabled=true).
   * @param maxAge The longest a change is kept, e.g. 7d; 0 for no limit by age (default 7d;
   *     needs enabled=true). Maintenance removes what either limit no longer keeps.
   */
  public record ChangeFeed(Boolean enabled, Long maxChanges, Duration maxAge) {}

  /**
   * Access statistics ({@code cairn.access-statistics.*}). The flush settings need
   * {@code enabled=true}.
   *
   * @param enabled Whether each read by key is counted per record (default false). On, reads
   *     are counted in memory and written to the store in the background, so a store that is
   *     only read is written to; about 200 ns of CPU per read from the backend.
   * @param flushInterval How often the counts are written to the store (default 10s; needs
   *     enabled=true).
   * @param maxPending Counted records that trigger an early write (default 100000; needs
   *     enabled=true).
   */
  public record AccessStatistics(Boolean enabled, Duration flushInterval, Integer maxPending) {}

  /**
   * Scheduled maintenance ({@code cairn.maintenance.*}).
   *
   * @param enabled Whether maintenance runs on a schedule (default true); false leaves only
   *     storage.maintenance() on demand, and then scheduled backups cannot run.
   * @param interval Time between scheduled runs, the first one interval after startup
   *     (default 1h).
   * @param verify Whether a run verifies every record and blob (default true).
   */
  public record Maintenance(Boolean enabled, Duration interval, Boolean verify) {}

  /**
   * Backups ({@code cairn.backup.*}). With a {@code target}, a {@code BackupManager} bean is
   * created for backups on demand, restores and the health indicator; with a {@code schedule}
   * too, maintenance runs take backups. Every setting but {@code target} needs a
   * {@code target}.
   *
   * @param target A local directory the backup sets are written to (created if absent).
   * @param schedule The least time between two scheduled backups, e.g. 6h: each
   *     maintenance run takes a backup when the store's newest set is at least this old, so it
   *     must not be shorter than cairn.maintenance.interval; default: no scheduled
   *     backups.
   * @param kind LOGICAL (default), NATIVE or INCREMENTAL.
   * @param retainLast Retention keeps the newest this many sets (default: no count rule).
   * @param retainMaxAge Retention keeps the sets younger than this (default: no age rule);
   *     without a retention rule every set is kept.
   */
  public record Backup(
      Path target, Duration schedule, BackupKind kind, Integer retainLast,
      Duration retainMaxAge) {}

  /**
   * Micrometer metrics ({@code cairn.metrics.*}).
   *
   * @param histograms Whether read and write latencies are also recorded as percentile
   *     histograms (default false; needs a MeterRegistry bean and
   *     cairn-micrometer).
   */
  public record Metrics(@DefaultValue("false") boolean histograms) {}

  /**
   * The {@code cairn} health indicator ({@code cairn.health.*}).
   *
   * @param maxBackupAge When set, health is DOWN once the store's newest backup set is
   *     older than this, or when there is none this long after startup (needs a
   *     BackupManager, e.g. from cairn.backup.target); default: backups do not
   *     affect health.
   */
  public record Health(Duration maxBackupAge) {}
}
