package io.distillery.trainer.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.HardTargets;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.loss.SoftTargets;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import io.distillery.models.task.TrainingBatch;
import io.distillery.models.task.classification.DenseInputs;
import io.distillery.trainer.job.OptimizerKind;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A batch whose gradient is impossible (a probability far above 1, as seen when a target array was
 * read from reclaimed memory; a NaN anywhere) must not move the student; correct batches must, also
 * right after a dropped one. Plain JUnit: one student on the PyTorch engine, no service.
 */
class StudentTrainerGuardTest {

  static final int ROWS = 16;
  static final int CLASSES = 10;

  @Test
  void anUpdateWithAnImpossibleGradientIsSkippedAndACorrectOneIsTaken() throws Exception {
    NetworkSpec network = Networks.fashionMlp(0f, 16);
    LossSettings loss = new LossSettings(Divergence.FORWARD_KL, 2f, 0.5f, Float.NaN);
    try (StudentTrainer student =
        new StudentTrainer(network, loss, OptimizerKind.ADAM, 1e-3f, 7, null, null)) {
      float[] before = outputBias(student);

      float[] corrupt = uniformProbs();
      corrupt[3] = 1e6f;
      assertFalse(student.step(batch(corrupt), 1e-3f).applied(), "reported as dropped");
      assertEquals(1, student.stepsSkipped(), "the corrupt batch's update is dropped");
      assertArrayEquals(before, outputBias(student), "and the student did not move");

      assertTrue(student.step(batch(uniformProbs()), 1e-3f).applied());
      assertEquals(1, student.stepsSkipped(), "a correct batch is trained on");
      assertFalse(Arrays.equals(before, outputBias(student)), "and moves the student");
    }
  }

  @Test
  void aNonFiniteGradientAnywhereIsDroppedAndDoesNotPoisonLaterSteps() throws Exception {
    NetworkSpec network = Networks.fashionMlp(0f, 16);
    // Reverse KL has no output-bias bound: only the finiteness check can catch this batch.
    LossSettings loss = new LossSettings(Divergence.REVERSE_KL, 2f, 0.5f, Float.NaN);
    try (StudentTrainer student =
        new StudentTrainer(network, loss, OptimizerKind.ADAM, 1e-3f, 7, null, null)) {
      LabeledBatch poisoned = batch(uniformProbs());
      ((DenseInputs) poisoned.batch().inputs()).values()[5] = Float.NaN;
      float[] before = outputBias(student);

      assertFalse(student.step(poisoned, 1e-3f).applied(), "a NaN gradient is dropped");
      assertArrayEquals(before, outputBias(student), "and the student did not move");

      // NaN - NaN is NaN: zeroing by subtraction would poison every later step.
      for (int i = 0; i < 3; i++) {
        assertTrue(student.step(batch(uniformProbs()), 1e-3f).applied(), "step " + i);
      }
      assertEquals(1, student.stepsSkipped());
      for (float b : outputBias(student)) {
        assertTrue(Float.isFinite(b), "weights stay finite");
      }
    }
  }

  private static float[] outputBias(StudentTrainer student) {
    var parameters = student.model().getBlock().getParameters();
    NDArray bias = parameters.get(parameters.size() - 1).getValue().getArray();
    return bias.toFloatArray();
  }

  private static float[] uniformProbs() {
    float[] probs = new float[ROWS * CLASSES];
    Arrays.fill(probs, 1f / CLASSES);
    return probs;
  }

  private static LabeledBatch batch(float[] probs) {
    Random random = new Random(1);
    float[] inputs = new float[ROWS * 28 * 28];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = random.nextFloat();
    }
    float[] kept = new float[ROWS * CLASSES];
    Arrays.fill(kept, 1f);
    long[] ids = new long[ROWS * CLASSES];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i % CLASSES;
    }
    SoftTargets soft =
        new SoftTargets(ROWS, CLASSES, CLASSES, ids, probs, kept, new float[ROWS], new float[ROWS]);
    HardTargets.Builder hard = HardTargets.builder(CLASSES, ROWS);
    for (int i = 0; i < ROWS; i++) {
      hard.add(i % CLASSES);
    }
    return new LabeledBatch(
        new TrainingBatch(
            new DenseInputs(inputs, ROWS, Networks.fashionMlp(0f, 16)), soft, hard.build()),
        List.of());
  }
}
