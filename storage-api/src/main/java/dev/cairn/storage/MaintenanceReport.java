package dev.cairn.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one maintenance run did: every step with its outcome, what it freed and its error. A
 * failed step does not stop the steps after it.
 *
 * @param startedAt when the run started
 * @param duration how long the whole run took
 * @param steps each step in the order it ran
 */
public record MaintenanceReport(Instant startedAt, Duration duration, List<Step> steps) {

  /**
   * Copies {@code steps}, so that the report cannot change.
   *
   * @param startedAt when the run started
   * @param duration how long the whole run took
   * @param steps each step in the order it ran
   */
  public MaintenanceReport {
    steps = List.copyOf(steps);
  }

  /** The outcome of one step. */
  public enum Outcome {
    /** The step ran and succeeded. */
    OK,
    /** The step ran and failed; {@link Step#error()} says why. */
    FAILED,
    /** The step did not apply (for example: no cache configured). */
    SKIPPED
  }

  /**
   * One step of a maintenance run.
   *
   * @param name the step's name ({@code flush-access-stats}, {@code cache-cleanup},
   *     {@code purge-expired}, {@code deduplicate}, {@code trim-change-feed}, {@code verify}, {@code optimize}, or a plugged-in task's name such as {@code backup})
   * @param outcome whether it succeeded
   * @param duration how long it took
   * @param detail a one-line human-readable account of what it did
   * @param bytesFreed bytes it released (disk or memory), 0 if none or unknown
   * @param error the error message of a failed step
   */
  public record Step(
      String name, Outcome outcome, Duration duration, String detail, long bytesFreed,
      Optional<String> error) {}

  /** {@return whether no step failed} */
  public boolean successful() {
    return steps.stream().noneMatch(s -> s.outcome() == Outcome.FAILED);
  }

  /** {@return the failed steps, in the order they ran} */
  public List<Step> failures() {
    return steps.stream().filter(s -> s.outcome() == Outcome.FAILED).toList();
  }

  /**
   * The step with the given name, if it ran.
   *
   * @param name the step's name, e.g. {@code verify}
   * @return the step, or empty if no step of that name ran
   */
  public Optional<Step> step(String name) {
    return steps.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
