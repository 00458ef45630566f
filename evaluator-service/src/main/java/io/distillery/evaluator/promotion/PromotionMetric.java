package io.distillery.evaluator.promotion;

import io.distillery.evaluator.scoring.Scores;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** A score that ranks checkpoints, and which direction is better. */
public enum PromotionMetric {
  /** Top-1 accuracy against the ground truth; higher is better. */
  ACCURACY(Scores::accuracy, true),
  /** Top-1 agreement with the teacher; higher is better. */
  AGREEMENT(Scores::agreement, true),
  /** Mean KL(teacher ‖ student) at T = 1; lower is better. */
  KL_TEACHER_STUDENT(Scores::klTeacherStudent, false),
  /** Mean negative log-likelihood of the ground truth; lower is better. */
  NLL(Scores::nll, false);

  private final ToDoubleFunction<Scores> value;
  private final boolean higherIsBetter;

  PromotionMetric(ToDoubleFunction<Scores> value, boolean higherIsBetter) {
    this.value = value;
    this.higherIsBetter = higherIsBetter;
  }

  /** This metric's value in a set of scores. */
  public double of(Scores scores) {
    return value.applyAsDouble(scores);
  }

  /** Whether larger values are better. */
  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /** The configuration spelling, e.g. {@code kl-teacher-student}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
