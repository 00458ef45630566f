package io.distillery.models.watermark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The mark keeps a distribution, is bounded by 2ε/(1+2ε), and depends only on key and input. */
class CosineWatermarkTest {

  private static final int D = 784;
  private static final int C = 10;
  private static final double EPSILON = 0.05;

  private static final WatermarkKey KEY = new WatermarkKey(42L, D, C, 3, 30.0, 1.0);

  private static float[] image(SplittableRandom random) {
    float[] x = new float[D];
    for (int i = 0; i < D; i++) {
      x[i] = (float) random.nextDouble();
    }
    return x;
  }

  private static float[] logits(SplittableRandom random) {
    float[] z = new float[C];
    for (int i = 0; i < C; i++) {
      z[i] = (float) (random.nextDouble() * 20 - 10);
    }
    return z;
  }

  @Test
  void markedOutputsAreDistributionsMovedAtMostTwoEpsilon() {
    CosineWatermark mark = new CosineWatermark(KEY, EPSILON);
    SplittableRandom random = new SplittableRandom(1);
    double bound = 2 * EPSILON / (1 + 2 * EPSILON);
    double largestSeen = 0;
    for (int trial = 0; trial < 500; trial++) {
      float[] x = image(random);
      double[] q = CosineWatermark.softmax(logits(random));
      double[] marked = q.clone();
      double reported = mark.markProbabilities(x, marked);
      double sum = 0;
      double largest = 0;
      for (int c = 0; c < C; c++) {
        assertTrue(marked[c] >= 0 && marked[c] <= 1, "probability out of [0, 1]: " + marked[c]);
        sum += marked[c];
        largest = Math.max(largest, Math.abs(marked[c] - q[c]));
      }
      assertEquals(1.0, sum, 1e-12);
      assertEquals(largest, reported, 1e-12);
      assertTrue(reported <= bound + 1e-12, reported + " > " + bound);
      // The target class carries exactly ε(1 + s(x)) / (1 + 2ε) on top of its scaled probability.
      double s = mark.signal(x);
      assertEquals(
          EPSILON * (1 + s) / (1 + 2 * EPSILON),
          marked[KEY.targetClass()] - q[KEY.targetClass()] / (1 + 2 * EPSILON),
          1e-12);
      largestSeen = Math.max(largestSeen, reported);
    }
    assertTrue(largestSeen > bound / 2, "the mark should move outputs noticeably: " + largestSeen);
  }

  @Test
  void markedLogitsSoftmaxToTheMarkedDistribution() {
    CosineWatermark mark = new CosineWatermark(KEY, EPSILON);
    SplittableRandom random = new SplittableRandom(2);
    float[] x = image(random);
    float[] z = logits(random);
    float[] before = z.clone();
    CosineWatermark.Marked marked = mark.markLogits(x, z);
    assertArrayEquals(before, z, "the input logits must not change");
    double[] expected = CosineWatermark.softmax(z);
    double size = mark.markProbabilities(x, expected);
    double[] actual = CosineWatermark.softmax(marked.logits());
    for (int c = 0; c < C; c++) {
      assertEquals(expected[c], actual[c], 1e-6);
    }
    assertEquals(size, marked.perturbation(), 1e-12);
  }

  @Test
  void deterministicPerKeyAndDifferentAcrossKeys() {
    SplittableRandom random = new SplittableRandom(3);
    float[] x = image(random);
    float[] z = logits(random);
    float[] once = new CosineWatermark(KEY, EPSILON).markLogits(x, z).logits();
    float[] again = new CosineWatermark(KEY, EPSILON).markLogits(x, z).logits();
    assertArrayEquals(once, again);
    WatermarkKey other = new WatermarkKey(43L, D, C, 3, 30.0, 1.0);
    float[] otherMarked = new CosineWatermark(other, EPSILON).markLogits(x, z).logits();
    assertFalse(Arrays.equals(once, otherMarked));
  }

  @Test
  void rejectsMismatchedShapesAndStrengths() {
    assertThrows(IllegalArgumentException.class, () -> new CosineWatermark(KEY, 0));
    assertThrows(IllegalArgumentException.class, () -> new CosineWatermark(KEY, 0.6));
    CosineWatermark mark = new CosineWatermark(KEY, EPSILON);
    IllegalArgumentException wrongInput =
        assertThrows(
            IllegalArgumentException.class, () -> mark.markLogits(new float[10], new float[C]));
    assertTrue(wrongInput.getMessage().contains("784"), wrongInput.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> mark.markLogits(new float[D], new float[C + 1]));
  }
}
