package io.distillery.trainer.training;

/**
 * The loss of one step.
 *
 * @param total the loss optimised
 * @param hard mean hard-label cross-entropy of the labelled samples
 * @param soft mean divergence at T (without the T² factor)
 * @param applied false when the update was dropped: its gradient was impossible for a correct batch
 */
public record StepResult(float total, float hard, float soft, boolean applied) {

  /** The loss of an applied step. */
  public StepResult(float total, float hard, float soft) {
    this(total, hard, soft, true);
  }
}
