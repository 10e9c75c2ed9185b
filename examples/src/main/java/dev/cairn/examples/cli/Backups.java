package dev.cairn.examples.cli;

import dev.cairn.backup.BackupListener;
import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupManager.DamagedSet;
import dev.cairn.backup.BackupManifest;
import dev.cairn.backup.BackupProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The CLI's use of the backup module: managers with a progress bar, set lookup, output. */
final class Backups {

  private Backups() {}

  /** A manager on a local directory whose progress events drive {@code progress}. */
  static BackupManager manager(Path target, Progress progress) {
    return BackupManager.builder().target(target).listener(listener(progress)).build();
  }

  static BackupListener listener(Progress progress) {
    return event -> {
      String label = event.operation().name().toLowerCase(Locale.ROOT) + " "
          + event.phase().name().toLowerCase(Locale.ROOT);
      if (event.phase() == BackupProgress.Phase.DONE) {
        progress.update(label, 1, 1);
      } else if (event.bytesTotal() > 0) {
        progress.update(label, event.bytesDone(), event.bytesTotal());
      } else {
        progress.update(label, event.recordsDone(), event.recordsTotal());
      }
    };
  }

  /** A backup directory that must exist for reading. */
  static Path existing(Path target, String option) {
    if (!Files.isDirectory(target)) {
      throw CliException.usage("no backups at " + target + " (" + option + "): the directory does not exist");
    }
    return target;
  }

  /** The set {@code id}, or the newest one when {@code id} is null or {@code latest}. */
  static BackupManifest find(BackupManager manager, Path target, String id) {
    if (id == null || id.equals("latest")) {
      List<BackupManifest> sets = manager.list();
      if (sets.isEmpty()) {
        throw CliException.usage("no backup sets in " + target);
      }
      return sets.get(sets.size() - 1);
    }
    return manager.manifest(id).orElseThrow(
        () -> CliException.usage("no usable backup set '" + id + "' in " + target));
  }

  /**
   * The set {@code verify} checks: {@code id}, or the newest one when {@code id} is null or
   * {@code latest}, damaged sets included (verify reports their damage; skipping a damaged newest
   * set would verify an older one and say "ok").
   */
  static String toVerify(BackupManager manager, Path target, String id) {
    if (id == null || id.equals("latest")) {
      TreeSet<String> ids = new TreeSet<>();
      manager.list().forEach(m -> ids.add(m.setId()));
      manager.listDamaged().forEach(d -> ids.add(d.setId()));
      if (ids.isEmpty()) {
        throw CliException.usage("no backup sets in " + target);
      }
      return ids.last();
    }
    if (manager.listDamaged().stream().anyMatch(d -> d.setId().equals(id))) {
      return id;
    }
    return find(manager, target, id).setId();
  }

  /** One line per set, complete and damaged ones together, by id (creation time). */
  static List<String> lines(List<BackupManifest> sets, List<DamagedSet> damaged) {
    TreeMap<String, String> all = new TreeMap<>();
    sets.forEach(m -> all.put(m.setId(), line(m)));
    damaged.forEach(d -> all.put(d.setId(), line(d)));
    return List.copyOf(all.values());
  }

  static Map<String, Object> json(DamagedSet d) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("setId", d.setId());
    j.put("reason", d.reason());
    return j;
  }

  static String line(DamagedSet d) {
    return d.setId() + "  damaged: " + d.reason();
  }

  static Map<String, Object> json(BackupManifest m) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("setId", m.setId());
    j.put("kind", m.kind().name());
    j.put("storeId", m.storeId());
    j.put("backend", m.backend());
    j.put("createdAt", m.createdAt().toString());
    j.put("durationMillis", m.durationMillis());
    j.put("records", m.records());
    j.put("blobs", m.blobs());
    j.put("rawBytes", m.rawBytes());
    j.put("storedBytes", m.storedBytes());
    j.put("parents", m.parents());
    return j;
  }

  static String line(BackupManifest m) {
    return String.format(Locale.ROOT, "%s  %-11s %s  %,d records, %s (%s raw)", m.setId(),
        m.kind().name().toLowerCase(Locale.ROOT), m.backend(), m.records(), Fmt.bytes(m.storedBytes()),
        Fmt.bytes(m.rawBytes()));
  }
}
