package dev.cairn.examples.cli;

import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupManifest;
import dev.cairn.storage.Storage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "restore", description = {
    "Restore a backup set into a new directory, or over the store itself.",
    "The set is verified first and the store is built beside the destination, then moved into",
    "place: a failed restore leaves the destination as it was. A logical set restores into any",
    "backend (--backend); a native set only into its own."})
final class RestoreCommand extends StoreCommand {

  @Option(names = "--from", paramLabel = "DIR", description = "Backup directory (default: <store>-backups).")
  Path from;

  @Option(names = "--set", paramLabel = "ID", description = "The set to restore (default: latest).")
  String set;

  @Option(names = "--target", paramLabel = "DIR", description = "Restore into DIR (absent or empty).")
  Path target;

  @Option(names = "--in-place", description = "Replace the store's contents (--store) with the set.")
  boolean inPlace;

  @Override
  public Integer call() {
    if ((target == null) == !inPlace) {
      throw CliException.usage("give exactly one of --target DIR (a new store) or --in-place (replace --store)");
    }
    if (from == null && cli.store == null && cli.envStore == null) {
      throw CliException.usage("give the backup directory with --from DIR");
    }
    Path backups = Backups.existing(from != null ? from : BackupCommand.defaultTarget(storeDir()), "--from");
    BackupManifest restored;
    Path dir;
    try (Progress progress = new Progress(err(), cli.terminal)) {
      BackupManager manager = Backups.manager(backups, progress);
      restored = Backups.find(manager, backups, set);
      String backend = cli.backend != null ? checkedBackend(cli.backend) : restored.backend();
      if (inPlace) {
        dir = storeDir();
        backendsOpened = Set.copyOf(List.of(backendFor(dir), backend));
        try (Storage live = openExisting()) {
          manager.restoreOver(restored.setId(), live, builder(dir, backend)).close();
        }
      } else {
        dir = target;
        manager.restoreTo(restored.setId(), target, builder(target, backend));
      }
    }
    if (cli.json) {
      Map<String, Object> j = new LinkedHashMap<>(Backups.json(restored));
      j.put("restoredTo", dir.toString());
      json(j);
    } else {
      out().printf("restored %s (%,d records) into %s%n", restored.setId(), restored.records(), dir);
    }
    return CairnCli.OK;
  }
}
