package dev.cairn.spring.boot;

import dev.cairn.micrometer.CairnMetrics;
import dev.cairn.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of Cairn's Micrometer metrics, when {@code cairn-micrometer} is on the class
 * path and the context has a {@link MeterRegistry} bean: a {@link CairnMetrics} binder of the
 * context's one {@link Storage} (Spring Boot binds every {@code MeterBinder} bean to its
 * registries), its meters named {@code cairn.*} and tagged {@code store=<cairn.name>}; with
 * {@code cairn.metrics.histograms=true}, percentile histograms of read and write latency too,
 * installed on the auto-configured store's builder.
 */
@AutoConfiguration(after = CairnAutoConfiguration.class, afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, CairnMetrics.class})
@ConditionalOnBean(MeterRegistry.class)
@EnableConfigurationProperties(CairnProperties.class)
public final class CairnMetricsAutoConfiguration {

  /** Created by Spring. */
  CairnMetricsAutoConfiguration() {}

  /** The store's meters, tagged {@code store=<cairn.name>}. */
  @Bean
  @ConditionalOnSingleCandidate(Storage.class)
  @ConditionalOnMissingBean(CairnMetrics.class)
  CairnMetrics cairnMetrics(Storage storage, CairnProperties properties) {
    return new CairnMetrics(storage, properties.name(), Tags.empty());
  }

  /** {@code cairn.metrics.histograms=true}: latency histograms, on the store's builder. */
  @Bean(CairnSettings.HISTOGRAMS_BEAN)
  @ConditionalOnBooleanProperty("cairn.metrics.histograms")
  CairnStorageBuilderCustomizer cairnLatencyHistograms(MeterRegistry registry,
      CairnProperties properties) {
    return builder -> builder.listener(
        CairnMetrics.latencyHistograms(registry, properties.name(), Tags.empty()));
  }
}
