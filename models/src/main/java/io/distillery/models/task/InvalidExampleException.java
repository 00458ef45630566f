package io.distillery.models.task;

/** A soft label a student cannot learn from, with the kind of problem and the facts. */
public final class InvalidExampleException extends Exception {

  /** What is wrong; services map these to their metric tags. */
  public enum Problem {
    /** The input is of the wrong kind, inconsistent with its shape, or not finite. */
    BAD_INPUT,
    /** The number of positions does not fit the task or the input. */
    WRONG_POSITIONS,
    /** A distribution cannot be decoded or holds ids outside the output size. */
    BAD_DISTRIBUTION,
    /** A ground truth is outside the classes. */
    BAD_LABEL
  }

  private final Problem problem;

  public InvalidExampleException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
