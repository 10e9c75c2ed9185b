/**
 * The engine behind {@link dev.cairn.storage.Storage}. Not API: everything here may change at
 * any time without notice. Public types in this package are public only so that the API
 * package can reach them, or, for {@link dev.cairn.storage.internal.RestoreSwap} and
 * {@link dev.cairn.storage.internal.Directories}, cairn-backup.
 */
package dev.cairn.storage.internal;
