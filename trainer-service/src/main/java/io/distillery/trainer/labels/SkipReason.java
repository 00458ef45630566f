package io.distillery.trainer.labels;

import io.distillery.models.task.InvalidExampleException;

/** Why a record of the soft-label log was not trained on. Values are metric tags. */
public enum SkipReason {
  /** The value is not a SoftLabelEvent (empty, malformed, truncated, bad JSON, unknown enum). */
  UNDECODABLE("undecodable"),
  /** No teacher card, so no lineage: never trained on. */
  MISSING_TEACHER("missing-teacher"),
  /** No dense input tensor, a tensor whose values do not match its shape, or non-finite values. */
  BAD_INPUT("bad-input"),
  /** The input's size differs from the student's input. */
  WRONG_INPUT_SIZE("wrong-input-size"),
  /**
   * The number of positions does not fit the task (a classifier has one), or the task is unknown.
   */
  WRONG_POSITIONS("wrong-positions"),
  /** The distributions cannot be decoded, or hold ids outside the card's output size. */
  BAD_DISTRIBUTION("bad-distribution"),
  /** The ground-truth label is outside the classes. */
  BAD_LABEL("bad-label"),
  /** The teacher card's output size differs from the student's. */
  WRONG_OUTPUT_SIZE("wrong-output-size"),
  /** Top-k labels at another temperature than the job's cannot be re-tempered (tail unknown). */
  TEMPERATURE_MISMATCH("temperature-mismatch"),
  /** Filtered out by {@code filter.teacher-id}. */
  FILTERED_TEACHER("filtered-teacher"),
  /** Filtered out by {@code filter.dataset}. */
  FILTERED_DATASET("filtered-dataset"),
  /** Online mode: the teacher refused to label the view (INVALID_ARGUMENT). */
  TEACHER_REJECTED("teacher-rejected"),
  /** Sequence-level KD ({@code source=seqkd}): the label holds no teacher continuation. */
  NO_CONTINUATION("no-continuation");

  private final String tag;

  /** The reason for a task's verdict on an example. */
  public static SkipReason of(InvalidExampleException.Problem problem) {
    return switch (problem) {
      case BAD_INPUT -> BAD_INPUT;
      case WRONG_POSITIONS -> WRONG_POSITIONS;
      case BAD_DISTRIBUTION -> BAD_DISTRIBUTION;
      case BAD_LABEL -> BAD_LABEL;
    };
  }

  SkipReason(String tag) {
    this.tag = tag;
  }

  /** The metric tag, e.g. {@code wrong-output-size}. */
  public String tag() {
    return tag;
  }
}
