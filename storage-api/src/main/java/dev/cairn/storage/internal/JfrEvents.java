package dev.cairn.storage.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * The engine's Java Flight Recorder events, category "Cairn" (README, "Observing Cairn"). They
 * cost nothing while no recording enables them: each {@code begin...} method first asks a
 * shared probe instance whether its event type is enabled (a read of a static field JFR
 * instruments) and returns null without allocating anything if not; {@link Observers} then
 * skips the event. The cache-hit path has no event at all.
 *
 * <p>Enable them with {@code -XX:StartFlightRecording}, {@code jcmd <pid> JFR.start}, or a
 * {@code Recording}/{@code RecordingStream} enabling {@code dev.cairn.*}. Every event carries
 * {@code store}, the store's directory, to tell several stores of one JVM apart.
 */
final class JfrEvents {

  private JfrEvents() {}

  /** A transaction committed. */
  @Name("dev.cairn.Commit")
  @Label("Cairn Commit")
  @Category("Cairn")
  @Description("A transaction (or single write call) committed; its duration runs from the call"
      + " to the commit being durable, retries and the wait for a group included")
  @StackTrace(false)
  static final class Commit extends Event {
    @Label("Store")
    @Description("The store's directory")
    String store;

    @Label("Durability")
    @Description("The durability the transaction asked for: SYNC, GROUP or ASYNC")
    String durability;

    @Label("Records Written")
    long recordsWritten;

    @Label("Records Deleted")
    long recordsDeleted;

    @Label("Group Size")
    @Description("Transactions carried by the backend commit that held this one (1 unless GROUP)")
    int groupSize;

    @Label("Attempts")
    @Description("1, plus one per retry after a conflict")
    int attempts;
  }

  /** One backend commit of a group of GROUP transactions. */
  @Name("dev.cairn.GroupCommit")
  @Label("Cairn Group Commit")
  @Category("Cairn")
  @Description("One backend commit, synced, of the GROUP transactions that queued together;"
      + " its duration runs from the group's backend transaction beginning to the sync")
  @StackTrace(false)
  static final class GroupCommit extends Event {
    @Label("Store")
    String store;

    @Label("Durability")
    @Description("Always GROUP: the durability of the transactions in the group")
    String durability;

    @Label("Group Size")
    @Description("Transactions committed by this one commit")
    int groupSize;

    @Label("Records Written")
    long recordsWritten;

    @Label("Records Deleted")
    long recordsDeleted;
  }

  /** A single-key read the backend answered that took at least the threshold. */
  @Name("dev.cairn.SlowRead")
  @Label("Cairn Slow Read")
  @Category("Cairn")
  @Description("A single-key read answered by the backend (not the cache) that took at least"
      + " the threshold (default 10 ms; set it with the recording's dev.cairn.SlowRead#threshold)")
  @Threshold("10 ms")
  @StackTrace(true)
  static final class SlowRead extends Event {
    @Label("Store")
    String store;

    @Label("Collection")
    String collection;

    @Label("Key")
    String key;

    @Label("Found")
    @Description("Whether the record existed")
    boolean found;
  }

  /** One step of a maintenance run. */
  @Name("dev.cairn.MaintenanceStep")
  @Label("Cairn Maintenance Step")
  @Category("Cairn")
  @Description("One step of a maintenance run (flush-access-stats, cache-cleanup,"
      + " purge-expired, deduplicate, trim-change-feed, verify,"
      + " optimize, or a plugged-in task such as backup)")
  @StackTrace(false)
  static final class MaintenanceStep extends Event {
    @Label("Store")
    String store;

    @Label("Step")
    String step;

    @Label("Outcome")
    @Description("OK, FAILED or SKIPPED")
    String outcome;

    @Label("Detail")
    String detail;

    @Label("Bytes Freed")
    @DataAmount
    long bytesFreed;

    @Label("Error")
    @Description("The error message of a failed step, else null")
    String error;
  }

  /** A run of {@code admin().verify()}. */
  @Name("dev.cairn.Verify")
  @Label("Cairn Verify")
  @Category("Cairn")
  @Description("A full verification of the store: every record, blob and reference count")
  @StackTrace(false)
  static final class Verify extends Event {
    @Label("Store")
    String store;

    @Label("Records")
    @Description("Records checked")
    long records;

    @Label("Blobs")
    @Description("Blobs checked")
    long blobs;

    @Label("Problems")
    @Description("Problems found (0: the store is intact)")
    int problems;

    @Label("First Problem")
    String firstProblem;
  }

  /** Damaged stored bytes were found. */
  @Name("dev.cairn.Corruption")
  @Label("Cairn Corruption")
  @Category("Cairn")
  @Description("A read or write found stored bytes damaged (DataCorruptionException)")
  @StackTrace(true)
  static final class Corruption extends Event {
    @Label("Store")
    String store;

    @Label("Message")
    @Description("The exception's message, naming the record or blob")
    String message;
  }

  // Probes: never committed, used only for isEnabled(), which reads the event class's static
  // JFR state, so one shared instance per type answers for every thread.
  private static final Commit COMMIT = new Commit();
  private static final GroupCommit GROUP_COMMIT = new GroupCommit();
  private static final SlowRead SLOW_READ = new SlowRead();
  private static final MaintenanceStep MAINTENANCE_STEP = new MaintenanceStep();
  private static final Verify VERIFY = new Verify();
  private static final Corruption CORRUPTION = new Corruption();

  /** A begun Commit event, or null if no recording enables it. */
  static Commit beginCommit() {
    if (!COMMIT.isEnabled()) {
      return null;
    }
    Commit e = new Commit();
    e.begin();
    return e;
  }

  /** A begun GroupCommit event, or null if no recording enables it. */
  static GroupCommit beginGroupCommit() {
    if (!GROUP_COMMIT.isEnabled()) {
      return null;
    }
    GroupCommit e = new GroupCommit();
    e.begin();
    return e;
  }

  /** A begun SlowRead event, or null if no recording enables it. */
  static SlowRead beginSlowRead() {
    if (!SLOW_READ.isEnabled()) {
      return null;
    }
    SlowRead e = new SlowRead();
    e.begin();
    return e;
  }

  /** A begun MaintenanceStep event, or null if no recording enables it. */
  static MaintenanceStep beginMaintenanceStep() {
    if (!MAINTENANCE_STEP.isEnabled()) {
      return null;
    }
    MaintenanceStep e = new MaintenanceStep();
    e.begin();
    return e;
  }

  /** A begun Verify event, or null if no recording enables it. */
  static Verify beginVerify() {
    if (!VERIFY.isEnabled()) {
      return null;
    }
    Verify e = new Verify();
    e.begin();
    return e;
  }

  /** Whether a recording enables the Corruption event. */
  static boolean corruptionEnabled() {
    return CORRUPTION.isEnabled();
  }
}
