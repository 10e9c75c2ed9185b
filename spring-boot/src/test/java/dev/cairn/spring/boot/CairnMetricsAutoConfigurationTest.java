package dev.cairn.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.micrometer.CairnMetrics;
import dev.cairn.storage.Storage;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

final class CairnMetricsAutoConfigurationTest {

  @TempDir
  Path tmp;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
            CairnAutoConfiguration.class, CairnMetricsAutoConfiguration.class))
        .withPropertyValues("cairn.directory=" + tmp.resolve("store"));
  }

  private static List<Meter> cairnMeters(MeterRegistry registry) {
    return registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("cairn."))
        .toList();
  }

  @Test
  void theStoresMetersAreBoundToTheRegistryTaggedWithItsName() {
    runner().withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("cairn.name=orders")
        .run(context -> {
          assertThat(context).hasSingleBean(CairnMetrics.class);
          List<Meter> meters = cairnMeters(context.getBean(MeterRegistry.class));
          assertThat(meters).isNotEmpty()
              .allSatisfy(m -> assertThat(m.getId().getTag("store")).isEqualTo("orders"));
        });
  }

  @Test
  void withoutARegistryThereIsNoBinder() {
    runner().run(context -> assertThat(context).hasNotFailed().hasSingleBean(Storage.class)
        .doesNotHaveBean(CairnMetrics.class));
  }

  @Test
  void histogramsTimeEveryWriteWhenAskedFor() {
    runner().withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("cairn.metrics.histograms=true")
        .run(context -> {
          Storage storage = context.getBean(Storage.class);
          for (int i = 0; i < 3; i++) {
            storage.putBytes("c", "k" + i, new byte[] {(byte) i});
          }
          // the opt-in histogram timer (not the stats()-based cairn.write.latency) counted 3
          Timer histogram = context.getBean(MeterRegistry.class)
              .get("cairn.write.latency.histogram").timer();
          assertThat(histogram.count()).isEqualTo(3);
        });
  }

  @Test
  void withoutHistogramsNoListenerIsInstalled() {
    runner().withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .run(context -> assertThat(context).doesNotHaveBean(CairnSettings.HISTOGRAMS_BEAN));
  }
}
