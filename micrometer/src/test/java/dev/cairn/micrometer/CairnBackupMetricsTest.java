package dev.cairn.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backup.BackupKind;
import dev.cairn.backup.BackupManager;
import dev.cairn.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup meters after a known workload, and the module without cairn-backup. */
final class CairnBackupMetricsTest {

  @TempDir Path dir;
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private double counter(String name, String outcome) {
    return registry.get(name).tags("store", "orders", "outcome", outcome).functionCounter()
        .count();
  }

  @Test
  void backupsAndRestoresAreCountedByOutcomeWithTheAgeOfTheNewest() {
    BackupManager backups = BackupManager.builder().target(dir.resolve("backups"))
        .workDirectory(dir.resolve("work")).build();
    new CairnBackupMetrics(backups, "orders", Tags.of("app", "test")).bindTo(registry);
    assertThat(registry.get("cairn.backup.last.age").timeGauge().value(TimeUnit.SECONDS))
        .as("no backup yet").isNaN();
    Storage s = Storage.builder().directory(dir.resolve("store")).backend("sqlite")
        .noScheduledMaintenance().open();
    s.putBytes("c", "k", new byte[] {1, 2, 3});
    String set = backups.backup(s, BackupKind.LOGICAL).setId();
    backups.backup(s, BackupKind.NATIVE);
    s.close();
    assertThatThrownBy(() -> backups.backup(s)).as("a closed store")
        .isInstanceOf(RuntimeException.class);
    backups.restoreTo(set, dir.resolve("copy"));

    assertThat(counter("cairn.backups", "success")).isEqualTo(2);
    assertThat(counter("cairn.backups", "failure")).isEqualTo(1);
    assertThat(counter("cairn.restores", "success")).isEqualTo(1);
    assertThat(counter("cairn.restores", "failure")).isZero();
    assertThat(registry.get("cairn.backup.last.age").tags("store", "orders", "app", "test")
        .timeGauge().value(TimeUnit.SECONDS)).isBetween(0.0, 60.0);
  }

  /**
   * cairn-backup is an optional dependency: CairnMetrics must load, and reflect (as Spring
   * does on every bean class), without it.
   */
  @Test
  void cairnMetricsNeedsNoBackupClasses() throws Exception {
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<URL> urls = new ArrayList<>();
    for (String entry : cp.split(File.pathSeparator)) {
      if (!entry.contains("cairn-backup") && !entry.replace('\\', '/').contains("/backup/")) {
        urls.add(url(entry));
      }
    }
    try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]),
        ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> Class.forName("dev.cairn.backup.BackupManager", false, loader))
          .isInstanceOf(ClassNotFoundException.class);
      Class<?> metrics = Class.forName("dev.cairn.micrometer.CairnMetrics", true, loader);
      assertThat(metrics.getDeclaredMethods()).isNotEmpty();
      assertThat(metrics.getDeclaredConstructors()).hasSize(1);
    }
  }

  private static URL url(String path) throws MalformedURLException {
    return Path.of(path).toUri().toURL();
  }
}
