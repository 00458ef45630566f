package io.distillery.labeler.gate;

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
 */
public record LabelingPlan(
    TeacherDescription teacher,
    int topK,
    float temperature,
    int batchSize,
    boolean forbiddenTeacherOverride) {

  public LabelingPlan {
    Objects.requireNonNull(teacher, "teacher");
  }
}
