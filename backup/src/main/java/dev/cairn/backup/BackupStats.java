package dev.cairn.backup;

import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of a {@link BackupManager}'s counters since it was built, from
 * {@link BackupManager#stats()}: for metrics and health checks.
 *
 * @param backups backups taken and published (on demand and by the maintenance task)
 * @param backupFailures backups that failed (nothing of them stays published)
 * @param restores restores finished ({@code restoreTo} and {@code restoreOver})
 * @param restoreFailures restores that failed
 * @param lastBackup when the newest backup began (its data is at least this old): the newest
 *     set this manager took, or, before it took one, the newest complete set in the target as
 *     listed on the first call of {@code stats()}; empty if there is none (or the target could
 *     not be listed then)
 */
public record BackupStats(
    long backups, long backupFailures, long restores, long restoreFailures,
    Optional<Instant> lastBackup) {}
