package io.distillery.models.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The defect behind the corrupt kd gradients (issue 12), shown on the engine itself and guarded on
 * the real loss.
 *
 * <p>DJL 0.33's PyTorch engine wraps a Java number operand ({@code x.div(2f)}) in a scalar tensor
 * over a direct buffer <i>without copying</i>, and closes that scalar as soon as the op returns.
 * PyTorch's autograd keeps the operand to compute the backward pass, so backward reads whatever the
 * buffer's memory holds by then. The first test shows the mechanism deterministically: the
 * operand's memory is rewritten between forward and backward and the gradient follows it. The
 * second runs the real loss with garbage collections and fresh direct buffers between forward and
 * backward — what a Kafka reader thread does to a trainer mid-step — and compares its gradient with
 * finite differences. Plain JUnit: engine behaviour, no service involved.
 */
class NumberOperandHazardTest {

  private static NDManager manager;

  @BeforeAll
  static void engine() {
    manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void backwardReadsAnOperandsMemoryAtBackwardTimeNotAtForwardTime() {
    try (NDManager step = manager.newSubManager()) {
      NDArray x = step.create(new float[] {1f, 2f, 3f});
      x.setRequiresGradient(true);
      // A scalar over a direct buffer we own: what DJL builds for x.div(4f), minus the close.
      ByteBuffer four = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
      four.putFloat(0, 4f);
      NDArray operand = step.create(four, new Shape(), DataType.FLOAT32);
      try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray y = x.div(operand).sum();
        assertEquals(1.5f, y.getFloat(), 1e-6f, "forward read the operand as 4");
        four.putFloat(0, 1e-20f); // what a reused, freed buffer may hold by the time backward runs
        collector.backward(y);
      }
      float gradient = x.getGradient().toFloatArray()[0];
      assertNotEquals(0.25f, gradient, "backward used the operand's value at forward time");
      assertEquals(1e20f, gradient, 1e14f, "backward used the operand's memory as it is now");
    }
  }

  @ParameterizedTest
  @EnumSource(Divergence.class)
  void lossGradientSurvivesGarbageCollectionsBetweenForwardAndBackward(Divergence divergence) {
    Random random = new Random(5);
    int rows = 8;
    int classes = 10;
    double[] logits = new double[rows * classes];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = random.nextGaussian() * 2;
    }
    SoftTargets.Builder soft = SoftTargets.builder(classes, rows);
    HardTargets.Builder hard = HardTargets.builder(classes, rows);
    for (int r = 0; r < rows; r++) {
      soft.add(DistillationLossTest.topK(DistillationLossTest.randomDistribution(random), 3));
      hard.add(random.nextInt(classes));
    }
    DistillationLoss loss = new DistillationLoss(LossSettings.of(divergence, 2f, 0.5f));

    SoftTargets softTargets = soft.build();
    HardTargets hardTargets = hard.build();
    double[] numeric = finiteDifferences(loss, logits, softTargets, hardTargets);
    for (int trial = 0; trial < 20; trial++) {
      double[] analytic;
      try (NDManager step = manager.newSubManager()) {
        NDArray z = step.create(logits, new Shape(rows, classes));
        z.setRequiresGradient(true);
        NDList labels = loss.labels(step, softTargets, hardTargets, DataType.FLOAT64);
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
          NDArray total = loss.evaluate(labels, new NDList(z));
          List<ByteBuffer> garbage = reclaimAndReuseDirectMemory();
          collector.backward(total);
          Reference.reachabilityFence(garbage);
        }
        analytic = z.getGradient().toDoubleArray();
      }
      for (int i = 0; i < logits.length; i++) {
        assertEquals(
            numeric[i],
            analytic[i],
            1e-6,
            divergence + ", trial " + trial + ": d loss / d logit " + i);
      }
    }
  }

  /**
   * Lets the JVM free the direct buffers of closed arrays, then allocates many small ones holding
   * garbage: malloc hands freed chunks out again, so a dangling operand now reads 1e-20 or 1e20.
   */
  private static List<ByteBuffer> reclaimAndReuseDirectMemory() {
    System.gc();
    try {
      Thread.sleep(5); // the Cleaner thread frees the buffers' memory after the collection
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<ByteBuffer> garbage = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(i % 2 == 0 ? 4 : 8).order(ByteOrder.nativeOrder());
      if (b.capacity() == 4) {
        b.putFloat(0, 1e-20f);
      } else {
        b.putDouble(0, 1e20);
      }
      garbage.add(b);
    }
    return garbage;
  }

  /** Central differences of the loss (float64, forward passes only: no autograd involved). */
  private static double[] finiteDifferences(
      DistillationLoss loss, double[] logits, SoftTargets soft, HardTargets hard) {
    double h = 1e-6;
    double[] gradient = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      double[] plus = logits.clone();
      double[] minus = logits.clone();
      plus[i] += h;
      minus[i] -= h;
      gradient[i] = (value(loss, plus, soft, hard) - value(loss, minus, soft, hard)) / (2 * h);
    }
    return gradient;
  }

  private static double value(
      DistillationLoss loss, double[] logits, SoftTargets soft, HardTargets hard) {
    try (NDManager step = manager.newSubManager()) {
      NDArray z = step.create(logits, new Shape(hard.rows(), hard.classes()));
      return loss.evaluate(loss.labels(step, soft, hard, DataType.FLOAT64), new NDList(z))
          .getDouble();
    }
  }
}
