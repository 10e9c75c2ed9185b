/**
 * Spring Boot auto-configuration for Cairn: {@link dev.cairn.spring.boot.CairnAutoConfiguration}
 * (a {@code Storage} bean from the {@code cairn.*} properties, {@link
 * dev.cairn.spring.boot.CairnProperties}, and a {@code BackupManager} bean),
 * {@link dev.cairn.spring.boot.CairnHealthContributorAutoConfiguration} (the {@code cairn}
 * health indicator), {@link dev.cairn.spring.boot.CairnMetricsAutoConfiguration} (the
 * {@code cairn.*} meters) and {@link dev.cairn.spring.boot.CairnStorageBuilderCustomizer} for the
 * settings without a property. Everything else in this package is internal.
 */
package dev.cairn.spring.boot;
