package dev.cairn.spring.boot;

import dev.cairn.backup.BackupManager;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of Cairn: a {@link Storage} bean opened from the {@code cairn.*}
 * properties ({@link CairnProperties}) and closed when the context closes, and, with
 * {@code cairn.backup.target}, a {@link BackupManager} bean whose scheduled backups
 * ({@code cairn.backup.schedule}) run in the store's maintenance.
 *
 * <p>Each bean backs off when the application defines one of its type. Before any bean is
 * created the properties are checked against the beans that will exist, and every problem is
 * reported in one exception (see {@link CairnProperties}). {@code cairn.enabled=false} turns
 * this off.
 *
 * <p>The store closes when the context closes: {@code close()} stops scheduled maintenance
 * (waiting up to 30 seconds for a run, a scheduled backup included, to finish), waits for the
 * operations in flight and releases the directory's lock.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "cairn.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CairnProperties.class)
public final class CairnAutoConfiguration {

  /** Created by Spring. */
  CairnAutoConfiguration() {}

  /**
   * Checks the {@code cairn.*} properties against the bean definitions before any bean is
   * created.
   */
  @Bean
  static BeanFactoryPostProcessor cairnPropertiesCheck(Environment environment) {
    return beans -> CairnSettings.throwIfAny(CairnSettings.check(
        Binder.get(environment).bindOrCreate("cairn", CairnProperties.class), beans));
  }

  /** The store, opened from the properties, then every customizer in order. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Storage cairnStorage(CairnProperties properties, ObjectProvider<BackupManager> backups,
      ObjectProvider<CairnStorageBuilderCustomizer> customizers) {
    List<String> problems = new ArrayList<>();
    StorageBuilder builder = CairnSettings.storageBuilder(properties, problems);
    CairnSettings.throwIfAny(problems);
    if (properties.backup().schedule() != null) {
      builder.maintenanceTask(backups.getObject().maintenanceTask());
    }
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return builder.open();
  }

  /** The backup manager of {@code cairn.backup.target}. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty("cairn.backup.target")
  BackupManager cairnBackupManager(CairnProperties properties) {
    List<String> problems = new ArrayList<>();
    BackupManager.Builder builder = CairnSettings.backupBuilder(properties, problems, true);
    CairnSettings.throwIfAny(problems);
    return builder.build();
  }
}
