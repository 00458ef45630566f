package io.distillery.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.trainer.training.LearningRateSchedule.Kind;
import org.junit.jupiter.api.Test;

/** The rate of each step. Plain JUnit: pure arithmetic. */
class LearningRateScheduleTest {

  @Test
  void constantIsTheLearningRateAtEveryStep() {
    LearningRateSchedule constant = LearningRateSchedule.constant(1e-3f);
    assertFalse(constant.needsTotalSteps());
    for (long step : new long[] {0, 1, 468, 14_069, 1_000_000}) {
      assertEquals(1e-3f, constant.at(step));
    }
  }

  @Test
  void cosineFallsFromTheLearningRateToTheFinalRateOverTheTotalSteps() {
    LearningRateSchedule cosine = LearningRateSchedule.cosine(1e-3f, 1e-5f, 100);
    assertTrue(cosine.needsTotalSteps());
    assertEquals(1e-3f, cosine.at(0));
    assertEquals(1e-5 + (1e-3 - 1e-5) * 0.5 * (1 + Math.cos(Math.PI * 0.25)), cosine.at(25), 1e-9);
    assertEquals((1e-3 + 1e-5) / 2, cosine.at(50), 1e-9);
    assertEquals(1e-5 + (1e-3 - 1e-5) * 0.5 * (1 + Math.cos(Math.PI * 0.99)), cosine.at(99), 1e-9);
    // The last step (99) is still above the final rate; after the total the rate stays there.
    assertTrue(cosine.at(99) > 1e-5f);
    assertEquals(1e-5f, cosine.at(100));
    assertEquals(1e-5f, cosine.at(250));
    for (long step = 1; step < 100; step++) {
      assertTrue(cosine.at(step) < cosine.at(step - 1), "strictly decreasing at step " + step);
    }
  }

  @Test
  void warmUpRisesLinearlyThenTheScheduleStarts() {
    LearningRateSchedule cosine = new LearningRateSchedule(Kind.COSINE, 2e-3f, 0f, 4, 104);
    assertEquals(0.5e-3f, cosine.at(0), 1e-10f);
    assertEquals(1e-3f, cosine.at(1), 1e-10f);
    assertEquals(1.5e-3f, cosine.at(2), 1e-10f);
    assertEquals(2e-3f, cosine.at(3));
    assertEquals(2e-3f, cosine.at(4), "the cosine starts at the peak after the warm-up");
    assertEquals(1e-3f, cosine.at(54), 1e-9f);
    assertEquals(0f, cosine.at(104));

    LearningRateSchedule constant = new LearningRateSchedule(Kind.CONSTANT, 1e-3f, 0f, 2, 0);
    assertEquals(0.5e-3f, constant.at(0), 1e-10f);
    assertEquals(1e-3f, constant.at(1), 1e-10f);
    assertEquals(1e-3f, constant.at(2));
  }

  @Test
  void theRateIsAFunctionOfTheStepAlone() {
    // What resuming relies on: no state, the same step gives the same rate, in any order.
    LearningRateSchedule a = LearningRateSchedule.cosine(3e-3f, 0f, 14_070);
    LearningRateSchedule b = LearningRateSchedule.cosine(3e-3f, 0f, 14_070);
    float late = b.at(9_999);
    for (long step = 0; step < 14_070; step += 7) {
      assertEquals(Float.floatToIntBits(a.at(step)), Float.floatToIntBits(b.at(step)));
    }
    assertEquals(Float.floatToIntBits(late), Float.floatToIntBits(a.at(9_999)));
  }

  @Test
  void aCosineWithoutItsTotalIsCompletedLater() {
    LearningRateSchedule unknown = new LearningRateSchedule(Kind.COSINE, 1e-3f, 0f, 0, 0);
    assertThrows(IllegalStateException.class, () -> unknown.at(0));
    assertEquals(1e-3f, unknown.withTotalSteps(10).at(0));
    assertEquals(10, unknown.withTotalSteps(10).totalSteps());
  }

  @Test
  void invalidSettingsNameTheirKey() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new LearningRateSchedule(Kind.COSINE, 1e-3f, 2e-3f, 0, 10))
            .getMessage()
            .contains("distillery.trainer.final-learning-rate"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new LearningRateSchedule(Kind.COSINE, 1e-3f, 0f, 10, 10))
            .getMessage()
            .contains("distillery.trainer.lr-total-steps must be > lr-warmup-steps 10"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new LearningRateSchedule(Kind.CONSTANT, 0f, 0f, 0, 0))
            .getMessage()
            .contains("distillery.trainer.learning-rate"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new LearningRateSchedule(Kind.CONSTANT, 1e-3f, 0f, -1, 0))
            .getMessage()
            .contains("distillery.trainer.lr-warmup-steps"));
  }
}
