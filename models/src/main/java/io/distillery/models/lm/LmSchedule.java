package io.distillery.models.lm;

import ai.djl.training.tracker.Tracker;

/**
 * Learning rate with a linear warm-up over the first steps, then a cosine decay from the peak to a
 * final rate over the run's progress. Progress is set by the training loop before each update, as
 * the larger of steps done / step budget and time spent / time budget, so the same schedule serves
 * {@code --steps N} and {@code --minutes N}.
 */
public final class LmSchedule implements Tracker {
  private final float peak;
  private final float last;
  private final int warmupSteps;
  private volatile double progress;
  private volatile int step;

  /**
   * Creates a schedule.
   *
   * @param peak learning rate after the warm-up
   * @param last learning rate at the end of the run
   * @param warmupSteps steps of linear warm-up from peak / warmupSteps
   */
  public LmSchedule(float peak, float last, int warmupSteps) {
    if (!(peak > 0) || !(last > 0) || last > peak || warmupSteps < 0) {
      throw new IllegalArgumentException(
          "schedule needs 0 < final <= peak and warm-up >= 0, got peak "
              + peak
              + ", final "
              + last
              + ", warm-up "
              + warmupSteps);
    }
    this.peak = peak;
    this.last = last;
    this.warmupSteps = warmupSteps;
  }

  /**
   * Where the run is: set before each update.
   *
   * @param stepIndex 0-based index of the coming update
   * @param runProgress fraction of the run done, in [0, 1]
   */
  public void set(int stepIndex, double runProgress) {
    this.step = stepIndex;
    this.progress = Math.max(0, Math.min(1, runProgress));
  }

  /** The rate for the current position. */
  public float current() {
    double cosine = last + (peak - last) * 0.5 * (1 + Math.cos(Math.PI * progress));
    if (step < warmupSteps) {
      return (float) (cosine * (step + 1) / warmupSteps);
    }
    return (float) cosine;
  }

  /** DJL's optimisers ask with their own update count; the loop's position decides. */
  @Override
  public float getNewValue(int numUpdate) {
    return current();
  }
}
