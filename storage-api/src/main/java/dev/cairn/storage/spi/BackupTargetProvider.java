package dev.cairn.storage.spi;

import java.net.URI;

/**
 * Creates {@link BackupTarget}s for locations it understands (the backup module provides
 * {@code file:} directories). Found by {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.cairn.storage.spi.BackupTargetProvider}).
 */
public interface BackupTargetProvider {

  /** {@return a stable name, e.g. {@code local}} */
  String name();

  /**
   * Whether this provider handles {@code location} (for example by its URI scheme).
   *
   * @param location where the backups are to be kept
   * @return {@code true} if {@link #open} can open {@code location}
   */
  boolean supports(URI location);

  /**
   * Opens the target at {@code location}, creating it if needed.
   *
   * @param location where the backups are to be kept
   * @return the target
   */
  BackupTarget open(URI location);
}
