package io.distillery.labeler.gate;

import io.distillery.proto.v1.GenerationSettings;
import io.distillery.teacherclient.TeacherDescription;
import java.util.Objects;

/**
 * How the labeler labels, settled by the start-up gate once the teacher described itself.
 *
 * @param teacher the teacher whose card every label carries
 * @param topK entries kept per position
 * @param temperature temperature of the log-probabilities
 * @param batchSize largest number of prompts per Label request
 * @param forbiddenTeacherOverride whether the teacher's licence forbids (or does not permit)
 *     distillation and an operator allowed it explicitly
 * @param generation how the teacher continues each prompt before labelling, or {@code null} to
 *     label the prompt only
 */
public record LabelingPlan(
    TeacherDescription teacher,
    int topK,
    float temperature,
    int batchSize,
    boolean forbiddenTeacherOverride,
    GenerationSettings generation) {

  public LabelingPlan {
    Objects.requireNonNull(teacher, "teacher");
  }

  /** A plan without generation. */
  public LabelingPlan(
      TeacherDescription teacher,
      int topK,
      float temperature,
      int batchSize,
      boolean forbiddenTeacherOverride) {
    this(teacher, topK, temperature, batchSize, forbiddenTeacherOverride, null);
  }

  /**
   * Longest window of a text prompt in tokens: the teacher's context, less the tokens it may
   * generate after it; unbounded when the teacher states no context.
   */
  public int windowTokens() {
    int context = teacher.contextLength();
    if (context <= 0) {
      return Integer.MAX_VALUE;
    }
    int generated = generation == null ? 0 : generation.getMaxNewTokens();
    return Math.max(1, context - generated);
  }
}
