package dev.cairn.storage.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.util.Objects;

/**
 * Binds {@link Storage} as a singleton opened from a {@link StorageBuilder}, the same
 * configuration plain-Java users pass to {@link StorageBuilder#open()}.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new CairnModule(
 *     Storage.builder().directory(Path.of("data")).codec("zstd")));
 * Storage storage = injector.getInstance(Storage.class);
 * }</pre>
 *
 * <p>The store opens when first injected. Guice has no shutdown hook: close the instance when
 * the application stops ({@code injector.getInstance(Storage.class).close()}).
 */
public final class CairnModule extends AbstractModule {

  private final StorageBuilder builder;

  /**
   * A module that opens its store with {@code builder}.
   *
   * @param builder the configured builder; the module opens it once, when first injected
   */
  public CairnModule(StorageBuilder builder) {
    this.builder = Objects.requireNonNull(builder, "builder");
  }

  @Provides
  @Singleton
  Storage storage() {
    return builder.open();
  }
}
