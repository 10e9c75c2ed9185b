package dev.cairn.examples.cli;

import dev.cairn.backup.BackupKind;
import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupManager.DamagedSet;
import dev.cairn.backup.BackupManifest;
import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "backup", description = {
    "Take a backup of the store while it stays usable, or list the backups.",
    "Logical sets restore into any backend; incremental ones store only new blobs;",
    "native ones are the backend's own snapshot (fastest, same backend only).",
    "--list shows a set whose manifest is unusable as 'damaged: <reason>'."})
final class BackupCommand extends StoreCommand {

  @Option(names = "--to", paramLabel = "DIR", description = "Backup directory (default: <store>-backups).")
  Path to;

  @Option(names = "--kind", paramLabel = "KIND",
      description = "LOGICAL, INCREMENTAL or NATIVE (default: ${DEFAULT-VALUE}).")
  BackupKind kind = BackupKind.LOGICAL;

  @Option(names = {"-l", "--list"}, description = "List the sets in the backup directory instead.")
  boolean list;

  @Override
  public Integer call() {
    Path store = storeDir();
    Path target = to != null ? to : defaultTarget(store);
    if (list) {
      BackupManager manager = BackupManager.builder().target(Backups.existing(target, "--to")).build();
      List<BackupManifest> sets = manager.list();
      List<DamagedSet> damaged = manager.listDamaged();
      if (cli.json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("target", target.toString());
        j.put("sets", sets.stream().map(Backups::json).toList());
        j.put("damaged", damaged.stream().map(Backups::json).toList());
        json(j);
      } else if (sets.isEmpty() && damaged.isEmpty()) {
        out().println("(no backup sets in " + target + ")");
      } else {
        Backups.lines(sets, damaged).forEach(out()::println);
      }
      return CairnCli.OK;
    }
    BackupManifest set;
    try (Storage storage = openExisting(); Progress progress = new Progress(err(), cli.terminal)) {
      set = Backups.manager(target, progress).backup(storage, kind);
    }
    if (cli.json) {
      Map<String, Object> j = new java.util.LinkedHashMap<>(Backups.json(set));
      j.put("target", target.toString());
      json(j);
    } else {
      out().printf("backup %s in %s%n  %s%n", set.setId(), target, Backups.line(set));
    }
    return CairnCli.OK;
  }

  static Path defaultTarget(Path store) {
    Path abs = store.toAbsolutePath().normalize();
    return abs.resolveSibling(abs.getFileName() + "-backups");
  }
}
