package io.distillery.trainer.training;

import io.distillery.models.loss.HardTargets;
import io.distillery.models.loss.SoftTargets;
import io.distillery.proto.v1.TeacherCard;
import java.util.List;

/**
 * One training step's data.
 *
 * @param inputs row-major (size, sample shape...) inputs
 * @param size samples
 * @param soft the teacher's distributions (null when alpha is 1)
 * @param hard ground truth
 * @param teachers the cards of the teachers that produced {@code soft}
 */
public record LabeledBatch(
    float[] inputs, int size, SoftTargets soft, HardTargets hard, List<TeacherCard> teachers) {}
