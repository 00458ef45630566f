package io.distillery.evaluator.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Arithmetic on small hand-made distributions: plain JUnit, nothing to start. */
class ScoresTest {

  private static float[] logOf(double... probabilities) {
    float[] out = new float[probabilities.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) Math.log(probabilities[i]);
    }
    return out;
  }

  @Test
  void accuracyErrorsAgreementKlAndNllFollowTheirDefinitions() {
    // Two images, two classes. Labels 0 and 1.
    float[] student = logOf(0.8, 0.2, 0.6, 0.4);
    float[] teacher = logOf(0.9, 0.1, 0.3, 0.7);
    Scores scores = Scores.compute(student, teacher, new int[] {0, 1}, 2);

    assertEquals(2, scores.samples());
    assertEquals(1, scores.errors()); // the second image is predicted 0, labelled 1
    assertEquals(0.5, scores.accuracy());
    assertEquals(0.5, scores.agreement()); // teacher says 0 then 1; student 0 then 0
    double kl1 = 0.9 * Math.log(0.9 / 0.8) + 0.1 * Math.log(0.1 / 0.2);
    double kl2 = 0.3 * Math.log(0.3 / 0.6) + 0.7 * Math.log(0.7 / 0.4);
    assertEquals((kl1 + kl2) / 2, scores.klTeacherStudent(), 1e-6);
    assertEquals((-Math.log(0.8) - Math.log(0.4)) / 2, scores.nll(), 1e-6);
  }

  @Test
  void theTeacherAgainstItselfAgreesFullyWithZeroKl() {
    float[] teacher = logOf(0.7, 0.2, 0.1, 0.05, 0.05, 0.9);
    Scores scores = Scores.ofTeacher(teacher, new int[] {0, 1}, 3);

    assertEquals(1.0, scores.agreement());
    assertEquals(0.0, scores.klTeacherStudent());
    assertEquals(1, scores.errors());
  }

  @Test
  void classesTheTeacherRulesOutCostNothingAndKlIsNeverNegative() {
    float[] teacher = {0f, Float.NEGATIVE_INFINITY};
    float[] student = logOf(0.5, 0.5);
    Scores scores = Scores.compute(student, teacher, new int[] {0}, 2);

    assertEquals(Math.log(2), scores.klTeacherStudent(), 1e-6);
    assertTrue(Double.isFinite(scores.klTeacherStudent()));
  }

  @Test
  void mismatchedArraysAreRefusedWithTheirSizes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Scores.compute(new float[4], new float[6], new int[] {0, 1}, 2));
    assertTrue(e.getMessage().contains("teacher 6"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Scores.compute(new float[0], new float[0], new int[0], 2));
  }
}
