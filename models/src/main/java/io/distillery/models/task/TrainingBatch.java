package io.distillery.models.task;

import io.distillery.models.loss.HardTargets;
import io.distillery.models.loss.SoftTargets;

/**
 * What one training step needs: the inputs and, per output position, the targets.
 *
 * @param inputs the student's inputs
 * @param soft the teacher's distributions, null when the loss uses the ground truth only
 * @param hard the ground truth
 */
public record TrainingBatch(StudentInputs inputs, SoftTargets soft, HardTargets hard) {}
