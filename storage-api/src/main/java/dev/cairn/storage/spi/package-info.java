/**
 * What plugins implement: backends, codecs, caches and backup targets. Providers are found by
 * {@link java.util.ServiceLoader} or registered explicitly with
 * {@link dev.cairn.storage.StorageBuilder}. The conformance kit
 * ({@code cairn-conformance-tests}) checks an implementation against the semantics documented
 * here. Plugins declare and read their options with {@link dev.cairn.storage.spi.PluginOptions},
 * which is how the engine refuses options no plugin claims.
 */
package dev.cairn.storage.spi;
