package io.distillery.trainer.labels;

import io.distillery.models.loss.HardLabel;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherCard;

/**
 * A decoded, structurally valid soft label of a classification teacher, as the training loop uses
 * it.
 *
 * @param partition partition it was read from
 * @param offset its offset
 * @param promptId the prompt's id
 * @param dataset the prompt's dataset
 * @param input the prompt's input values, row-major
 * @param inputShape the input's shape
 * @param truth the ground truth: a class, a mixup of two, or none
 * @param teacher the teacher card
 * @param temperature temperature of the log-probabilities
 * @param distribution the teacher's top-k distribution (ids within the card's output size)
 */
public record SoftLabel(
    int partition,
    long offset,
    String promptId,
    String dataset,
    float[] input,
    long[] inputShape,
    HardLabel truth,
    TeacherCard teacher,
    float temperature,
    SparseDistribution distribution) {

  /** Whether the prompt carried a ground-truth class. */
  public boolean hasLabel() {
    return truth.present();
  }

  /** The (first) ground-truth class, or -1. */
  public int label() {
    return truth.label();
  }
}
