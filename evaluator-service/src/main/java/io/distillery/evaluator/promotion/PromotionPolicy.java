package io.distillery.evaluator.promotion;

import io.distillery.evaluator.scoring.Scores;
import java.util.Optional;

/**
 * When a newly scored checkpoint replaces a job's promoted one.
 *
 * @param metric the ranking metric
 * @param minImprovement smallest gain, in the metric's units, that promotes
 */
public record PromotionPolicy(PromotionMetric metric, double minImprovement) {

  // Differences of sums of 1/n are not exact in binary: 0.801 - 0.8 < 0.001.
  private static final double ROUNDING = 1e-9;

  /** Checks the minimum improvement. */
  public PromotionPolicy {
    if (!(minImprovement >= 0) || Double.isInfinite(minImprovement)) {
      throw new IllegalArgumentException(
          "distillery.evaluator.promotion.min-improvement must be a number >= 0, got "
              + minImprovement);
    }
  }

  /**
   * Whether {@code candidate} should become the job's promoted checkpoint.
   *
   * @param current the promoted checkpoint, if any
   * @param candidate the new checkpoint's scores
   * @param evalSetId the eval set the candidate was scored on
   * @return true for a job's first checkpoint, for one that improves on the promoted one by at
   *     least {@link #minImprovement()} (and by more than nothing), and when the promoted one was
   *     ranked by another metric or eval set (the values are not comparable, so ranking starts
   *     afresh)
   */
  public boolean promotes(Optional<PromotedPointer> current, Scores candidate, String evalSetId) {
    return promotes(current, ranking(candidate), evalSetId);
  }

  /** A classifier's ranking by this policy's metric. */
  public Ranking ranking(Scores scores) {
    return new Ranking(metric.id(), metric.of(scores), metric.higherIsBetter());
  }

  /**
   * Whether a checkpoint ranked by {@code candidate} should become the job's promoted one; see
   * {@link #promotes(Optional, Scores, String)}. Other tasks (a language model's bits per byte)
   * bring their own metric.
   */
  public boolean promotes(Optional<PromotedPointer> current, Ranking candidate, String evalSetId) {
    if (current.isEmpty()
        || !current.get().metric().equals(candidate.metricId())
        || !current.get().evalSetId().equals(evalSetId)) {
      return true;
    }
    double value = candidate.value();
    double best = current.get().value();
    double gain = candidate.higherIsBetter() ? value - best : best - value;
    return gain > ROUNDING && gain >= minImprovement - ROUNDING;
  }
}
