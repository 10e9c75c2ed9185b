package dev.cairn.storage;

/**
 * An extra step of {@link Storage#maintenance()}, registered with
 * {@link StorageBuilder#maintenanceTask(MaintenanceTask)}. The backup module uses it to create
 * scheduled backups and apply retention. Tasks run after the built-in steps, in registration
 * order; an exception fails only this step.
 */
public interface MaintenanceTask {

  /** {@return the step's name in {@link MaintenanceReport}} */
  String name();

  /**
   * Runs the step.
   *
   * @param storage the instance being maintained
   * @return a one-line account of what was done (for example the backup's size)
   * @throws Exception any failure; it is recorded in the report
   */
  String run(Storage storage) throws Exception;
}
