package dev.cairn.spring.boot;

import dev.cairn.storage.StorageBuilder;

/**
 * A bean that adjusts the {@link StorageBuilder} of the auto-configured {@code Storage} after
 * the {@code cairn.*} properties are applied and before the store opens: for the settings that
 * have no property (a value mapper, the inline threshold, explicit plugin providers, an extra
 * maintenance task, ...).
 *
 * <pre>{@code
 * @Bean
 * CairnStorageBuilderCustomizer strictReads() {
 *   return builder -> builder.verifyMode(VerifyMode.ALWAYS);
 * }
 * }</pre>
 *
 * <p>Customizers run in their {@code @Order}; they do not apply to a {@code Storage} bean the
 * application defines itself.
 */
@FunctionalInterface
public interface CairnStorageBuilderCustomizer {

  /**
   * Adjusts the builder.
   *
   * @param builder the builder, with every {@code cairn.*} property applied
   */
  void customize(StorageBuilder builder);
}
