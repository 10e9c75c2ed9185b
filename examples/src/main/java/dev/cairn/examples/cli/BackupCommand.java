package dev.cairn.examples.cli;

import dev.cairn.backup.BackupKind;
import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupManifest;
import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "backup", description = {
    "Take a backup of the store while it stays usable, or list the backups.",
    "Logical sets restore into any backend; incremental ones store only new blobs;",
    "native ones are the backend's own snapshot (fastest, same backend only)."})
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
      List<BackupManifest> sets = BackupManager.builder().target(Backups.existing(target, "--to"))
          .build().list();
      if (cli.json) {
        json(Map.of("target", target.toString(), "sets", sets.stream().map(Backups::json).toList()));
      } else if (sets.isEmpty()) {
        out().println("(no backup sets in " + target + ")");
      } else {
        sets.forEach(m -> out().println(Backups.line(m)));
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
