package dev.cairn.storage.guice;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.cairn.storage.Storage;
import dev.cairn.storage.internal.MemoryBackendProvider;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.Capability;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CairnModuleTest {

  @TempDir Path dir;

  /** Counts how often the module opens a store, delegating to the in-memory test backend. */
  private static final class CountingProvider implements BackendProvider {
    final AtomicInteger opens = new AtomicInteger();
    final BackendProvider delegate = new MemoryBackendProvider();

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public Set<Capability> capabilities() {
      return delegate.capabilities();
    }

    @Override
    public Backend open(BackendConfig config) {
      opens.incrementAndGet();
      return delegate.open(config);
    }
  }

  @Test
  void bindsStorageAsASingletonFromTheBuilder() {
    CountingProvider backend = new CountingProvider();
    Injector injector = Guice.createInjector(new CairnModule(
        Storage.builder().directory(dir).backend(backend).noScheduledMaintenance()));
    Storage a = injector.getInstance(Storage.class);
    Storage b = injector.getInstance(Storage.class);
    try {
      assertThat(a).isSameAs(b);
      assertThat(backend.opens).hasValue(1);
      a.putBytes("c", "k", new byte[] {1, 2, 3});
      assertThat(b.getBytes("c", "k")).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3));
      assertThat(a.admin().backendName()).isEqualTo("counting");
    } finally {
      a.close();
    }
  }
}
