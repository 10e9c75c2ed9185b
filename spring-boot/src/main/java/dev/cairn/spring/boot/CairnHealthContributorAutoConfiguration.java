package dev.cairn.spring.boot;

import dev.cairn.backup.BackupManager;
import dev.cairn.storage.Storage;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code cairn} health indicator, when Spring Boot's health support
 * ({@code spring-boot-health}, part of the actuator) is on the class path and the context has
 * one {@link Storage} bean (the auto-configured one or the application's own). Turned off with
 * {@code management.health.cairn.enabled=false}; replaced by a bean named
 * {@code cairnHealthIndicator}.
 *
 * <p>{@code UP} while the store is open and answers; {@code DOWN} when it is closed or fails, or
 * when {@code cairn.health.max-backup-age} is exceeded. Details: name, backend, directory, free
 * disk space and, with a {@link BackupManager} bean, the newest backup set and its age.
 */
@AutoConfiguration(after = CairnAutoConfiguration.class, beforeName =
    "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnSingleCandidate(Storage.class)
@ConditionalOnEnabledHealthIndicator("cairn")
@EnableConfigurationProperties(CairnProperties.class)
public final class CairnHealthContributorAutoConfiguration {

  /** Created by Spring. */
  CairnHealthContributorAutoConfiguration() {}

  /** The indicator, named {@code cairn} in the health endpoint. */
  @Bean(CairnSettings.HEALTH_BEAN)
  @ConditionalOnMissingBean(name = CairnSettings.HEALTH_BEAN)
  HealthIndicator cairnHealthIndicator(Storage storage, CairnProperties properties,
      ObjectProvider<BackupManager> backups) {
    return new CairnHealthIndicator(storage, properties.name(), backups.getIfUnique(),
        properties.health().maxBackupAge(), Clock.systemUTC());
  }
}
