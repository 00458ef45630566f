package io.distillery.trainer.training;

/**
 * The loss of one step.
 *
 * @param total the loss optimised
 * @param hard mean hard-label cross-entropy of the labelled samples
 * @param soft mean divergence at T (without the T² factor)
 */
public record StepResult(float total, float hard, float soft) {}
