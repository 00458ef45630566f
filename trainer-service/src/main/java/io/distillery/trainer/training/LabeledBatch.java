package io.distillery.trainer.training;

import io.distillery.models.task.TrainingBatch;
import io.distillery.proto.v1.TeacherCard;
import java.util.List;

/**
 * One training step's data.
 *
 * @param batch inputs and per-position targets, built by the job's task
 * @param teachers the cards of the teachers that produced the soft targets
 */
public record LabeledBatch(TrainingBatch batch, List<TeacherCard> teachers) {

  /** A batch with nothing to train on (every label of it was skipped). */
  public static LabeledBatch empty() {
    return new LabeledBatch(null, List.of());
  }

  /** Output positions (rows of the loss: samples, or tokens of a language model). */
  public int positions() {
    return batch == null ? 0 : batch.hard().rows();
  }

  /** Examples (samples, sequences) in the batch. */
  public int size() {
    return batch == null ? 0 : batch.inputs().examples();
  }
}
