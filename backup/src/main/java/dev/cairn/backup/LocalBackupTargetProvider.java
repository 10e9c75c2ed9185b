package dev.cairn.backup;

import dev.cairn.storage.spi.BackupTarget;
import dev.cairn.storage.spi.BackupTargetProvider;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Backup targets in a local directory, for {@code file:} URIs (for example
 * {@code file:///var/backups/cairn}). Registered with {@link java.util.ServiceLoader}; also
 * usable directly: {@code new LocalBackupTargetProvider().open(dir.toUri())}.
 *
 * <p>Publication is atomic: each object is written to a hidden temporary file in its final
 * directory, forced to disk, renamed over the final name and the directory is forced. Object
 * names are {@code /}-separated relative paths; names with {@code ..} or {@code .} segments,
 * absolute names and backslashes are rejected with {@link IllegalArgumentException}.
 */
public final class LocalBackupTargetProvider implements BackupTargetProvider {

  /** For {@link java.util.ServiceLoader}. */
  public LocalBackupTargetProvider() {}

  @Override
  public String name() {
    return "local";
  }

  @Override
  public boolean supports(URI location) {
    return location != null && "file".equalsIgnoreCase(location.getScheme());
  }

  /**
   * Opens the directory at a {@code file:} URI, creating it if needed.
   *
   * @throws IllegalArgumentException if the URI is not a {@code file:} URI
   * @throws dev.cairn.storage.BackupException if the directory cannot be created
   */
  @Override
  public BackupTarget open(URI location) {
    Objects.requireNonNull(location, "location");
    if (!supports(location)) {
      throw new IllegalArgumentException("location must be a file: URI, got " + location);
    }
    return new LocalBackupTarget(Path.of(location));
  }
}
