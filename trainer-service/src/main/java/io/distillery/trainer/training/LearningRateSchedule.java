package io.distillery.trainer.training;

import java.util.Locale;

/**
 * The learning rate of each optimizer step, a pure function of the job's global step: a resumed job
 * (whose step comes back from its checkpoint) continues with exactly the rates an uninterrupted one
 * would have used.
 *
 * <pre>
 *   warm-up (step &lt; warmupSteps):  lr · (step + 1) / warmupSteps
 *   constant:                        lr
 *   cosine:                          final + (lr − final) · (1 + cos(π · p)) / 2,
 *                                    p = (step − warmupSteps) / (totalSteps − warmupSteps), ≤ 1
 * </pre>
 *
 * where {@code step} counts the steps taken before this one (0 for the first). After {@code
 * totalSteps} a cosine schedule stays at its final rate.
 *
 * @param kind constant or cosine
 * @param learningRate the peak rate (after warm-up), &gt; 0
 * @param finalLearningRate where cosine ends, in [0, learningRate]; unused by constant
 * @param warmupSteps steps of linear warm-up, ≥ 0
 * @param totalSteps steps of the whole schedule (warm-up included) for cosine; 0 = not known yet
 *     ({@link #withTotalSteps}); unused by constant
 */
public record LearningRateSchedule(
    Kind kind, float learningRate, float finalLearningRate, long warmupSteps, long totalSteps) {

  /** The shape of the schedule after warm-up. */
  public enum Kind {
    /** The learning rate throughout. */
    CONSTANT,
    /** Half a cosine from the learning rate down to the final learning rate. */
    COSINE;

    /** The configuration name: {@code constant} or {@code cosine}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Validates the values, naming the configuration key. */
  public LearningRateSchedule {
    if (kind == null) {
      throw new IllegalArgumentException("distillery.trainer.lr-schedule is required");
    }
    check(learningRate > 0 && Float.isFinite(learningRate), "learning-rate", learningRate, "> 0");
    check(
        finalLearningRate >= 0 && finalLearningRate <= learningRate,
        "final-learning-rate",
        finalLearningRate,
        "in [0, learning-rate " + learningRate + "]");
    check(warmupSteps >= 0, "lr-warmup-steps", warmupSteps, ">= 0");
    check(totalSteps >= 0, "lr-total-steps", totalSteps, ">= 0 (0 = passes × steps per pass)");
    check(
        totalSteps == 0 || kind == Kind.CONSTANT || totalSteps > warmupSteps,
        "lr-total-steps",
        totalSteps,
        "> lr-warmup-steps " + warmupSteps);
  }

  /** A constant rate without warm-up (final rate 0 and total 0, as the configuration defaults). */
  public static LearningRateSchedule constant(float learningRate) {
    return new LearningRateSchedule(Kind.CONSTANT, learningRate, 0f, 0, 0);
  }

  /** A cosine decay over {@code totalSteps} without warm-up. */
  public static LearningRateSchedule cosine(
      float learningRate, float finalLearningRate, long totalSteps) {
    return new LearningRateSchedule(Kind.COSINE, learningRate, finalLearningRate, 0, totalSteps);
  }

  /** Whether the rates depend on {@link #totalSteps}, which must then be known before step 0. */
  public boolean needsTotalSteps() {
    return kind == Kind.COSINE;
  }

  /** The same schedule over {@code steps} steps. */
  public LearningRateSchedule withTotalSteps(long steps) {
    return new LearningRateSchedule(kind, learningRate, finalLearningRate, warmupSteps, steps);
  }

  /**
   * The rate of the step taken after {@code step} steps.
   *
   * @throws IllegalStateException for a cosine schedule whose total is not known
   */
  public float at(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    if (step < warmupSteps) {
      return (float) ((double) learningRate * (step + 1) / warmupSteps);
    }
    if (kind == Kind.CONSTANT) {
      return learningRate;
    }
    if (totalSteps == 0) {
      throw new IllegalStateException("the cosine schedule's total steps are not known yet");
    }
    double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
    double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
    return (float) (finalLearningRate + ((double) learningRate - finalLearningRate) * cosine);
  }

  /** E.g. {@code cosine 0.001→0 over 14070 steps, warm-up 0}. */
  public String describe() {
    return kind == Kind.CONSTANT
        ? String.format(Locale.ROOT, "constant %s, warm-up %d", learningRate, warmupSteps)
        : String.format(
            Locale.ROOT,
            "cosine %s→%s over %d steps, warm-up %d",
            learningRate,
            finalLearningRate,
            totalSteps,
            warmupSteps);
  }

  private static void check(boolean ok, String key, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(
          "distillery.trainer." + key + " must be " + expected + ", got " + value);
    }
  }
}
