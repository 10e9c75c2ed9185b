/**
 * Cairn's public API: {@link dev.cairn.storage.Storage} and what it returns and throws. Plugins
 * implement {@link dev.cairn.storage.spi}; the engine lives in the non-API
 * {@code dev.cairn.storage.internal} package.
 */
package dev.cairn.storage;
