package io.distillery.trainer.labels;

import io.distillery.models.task.Example;
import io.distillery.proto.v1.TeacherCard;

/**
 * A decoded, structurally valid soft label, as the training loop uses it.
 *
 * @param partition partition it was read from
 * @param offset its offset
 * @param promptId the prompt's id
 * @param dataset the prompt's dataset
 * @param example input, per-position distributions and ground truth, decoded by the label's task
 * @param teacher the teacher card
 * @param temperature temperature of the log-probabilities
 */
public record SoftLabel(
    int partition,
    long offset,
    String promptId,
    String dataset,
    Example example,
    TeacherCard teacher,
    float temperature) {

  /** The same label with another example (e.g. re-tempered) at another temperature. */
  public SoftLabel with(Example newExample, float newTemperature) {
    return new SoftLabel(partition, offset, promptId, dataset, newExample, teacher, newTemperature);
  }
}
