package io.distillery.trainer.job;

/**
 * What a job is doing.
 *
 * @param state the phase
 * @param message details for people (why it failed, what it waits for)
 */
public record JobStatus(State state, String message) {

  /** Phases of a job. */
  public enum State {
    STARTING,
    WAITING_FOR_LABELS,
    WAITING_FOR_TEACHER,
    TRAINING,
    FINISHED,
    STOPPED,
    FAILED
  }

  public static JobStatus of(State state, String message) {
    return new JobStatus(state, message);
  }
}
