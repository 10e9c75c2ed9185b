package dev.cairn.backup;

import static dev.cairn.backup.SetCatalog.MANIFEST;
import static dev.cairn.backup.SetCatalog.OWN_FILES;

import dev.cairn.storage.spi.BackupTarget;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which sets retention keeps and deletes the others. Kept, per store: the newest set;
 * the newest {@code retainLast} sets; the sets younger than {@code retainMaxAge}; and every
 * parent of a kept incremental set (the rules are a union). Without a rule no complete set is
 * deleted. Only sets with a readable manifest of this module are deleted, manifest first, so a
 * half-deleted set is merely incomplete; a damaged set is never deleted. Incomplete sets (no
 * manifest, only this module's file names) go once their id is older than
 * {@code incompleteGrace}.
 */
final class Retention {

  // logs as the manager: operators configure and search for its category
  private static final Logger LOG = LoggerFactory.getLogger(BackupManager.class);

  private final SetCatalog catalog;
  private final BackupTarget target;
  private final Clock clock;
  private final int retainLast;
  private final Duration retainMaxAge;
  private final Duration incompleteGrace;

  /**
   * @param retainLast 0 for no count rule
   * @param retainMaxAge null for no age rule
   */
  Retention(SetCatalog catalog, Clock clock, int retainLast, Duration retainMaxAge,
      Duration incompleteGrace) {
    this.catalog = catalog;
    this.target = catalog.target();
    this.clock = clock;
    this.retainLast = retainLast;
    this.retainMaxAge = retainMaxAge;
    this.incompleteGrace = incompleteGrace;
  }

  /**
   * Applies the rules to the sets of {@code onlyStore}, or of every store if null, and deletes
   * old incomplete sets of any store; returns the ids of the deleted sets.
   */
  List<String> apply(String onlyStore) {
    Instant now = clock.instant();
    TreeMap<String, List<String>> objects = catalog.objectsBySet();
    Map<String, BackupManifest> complete = new HashMap<>();
    for (BackupManifest m : catalog.list()) {
      complete.put(m.setId(), m);
    }
    Set<String> delete = new TreeSet<>();
    if (retainLast > 0 || retainMaxAge != null) {
      Map<String, List<BackupManifest>> byStore = new HashMap<>();
      complete.values().forEach(m -> byStore.computeIfAbsent(m.storeId(), k -> new ArrayList<>()).add(m));
      for (Map.Entry<String, List<BackupManifest>> e : byStore.entrySet()) {
        if (onlyStore != null && !onlyStore.equals(e.getKey())) {
          continue;
        }
        List<BackupManifest> sets = e.getValue();
        sets.sort(Comparator.comparing(BackupManifest::createdAt)
            .thenComparing(BackupManifest::setId).reversed());
        Set<String> keep = new HashSet<>();
        for (int i = 0; i < sets.size(); i++) {
          BackupManifest m = sets.get(i);
          boolean byCount = i == 0 || (retainLast > 0 && i < retainLast);
          boolean byAge = retainMaxAge != null
              && Duration.between(m.createdAt(), now).compareTo(retainMaxAge) <= 0;
          if (byCount || byAge) {
            keep.add(m.setId());
          }
        }
        for (BackupManifest m : sets) {
          if (keep.contains(m.setId())) {
            keep.addAll(m.parents());
          }
        }
        for (BackupManifest m : sets) {
          if (!keep.contains(m.setId())) {
            delete.add(m.setId());
          }
        }
      }
    }
    List<String> deleted = new ArrayList<>();
    for (String id : delete) {
      if (deleteSet(id, objects.getOrDefault(id, List.of()), true)) {
        deleted.add(id);
      }
    }
    // incomplete sets: no manifest, only our file names, older than the grace period
    for (Map.Entry<String, List<String>> e : objects.entrySet()) {
      String id = e.getKey();
      if (complete.containsKey(id) || e.getValue().contains(id + "/" + MANIFEST)) {
        continue;
      }
      boolean ours = e.getValue().stream().allMatch(n -> OWN_FILES.contains(n.substring(id.length() + 1)));
      boolean old = now.toEpochMilli() - SetIds.millis(id) > incompleteGrace.toMillis();
      if (ours && old && deleteSet(id, e.getValue(), false)) {
        deleted.add(id);
      }
    }
    return deleted;
  }

  private boolean deleteSet(String id, List<String> names, boolean hasManifest) {
    try {
      if (hasManifest) {
        target.delete(id + "/" + MANIFEST); // first: the set is incomplete from now on
      }
      for (String n : names) {
        if (!n.equals(id + "/" + MANIFEST)) {
          target.delete(n);
        }
      }
      LOG.info("retention deleted backup set {} from {}", id, target);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.warn("retention could not delete set {}: {}", id, e.toString());
      return false;
    }
  }
}
