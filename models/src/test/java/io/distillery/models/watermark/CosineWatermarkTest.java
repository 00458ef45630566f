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
    int fullStrength = 0;
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
      // The target class carries exactly ε'(1 + s(x)) / (1 + 2ε') on top of its scaled
      // probability, with ε' = ε unless ε would change the top-1 class.
      double s = mark.signal(x);
      double e = mark.strength(s, q);
      assertTrue(e >= 0 && e <= EPSILON, "strength " + e);
      assertEquals(
          e * (1 + s) / (1 + 2 * e),
          marked[KEY.targetClass()] - q[KEY.targetClass()] / (1 + 2 * e),
          1e-12);
      fullStrength += e == EPSILON ? 1 : 0;
      largestSeen = Math.max(largestSeen, reported);
    }
    assertTrue(largestSeen > bound / 2, "the mark should move outputs noticeably: " + largestSeen);
    assertTrue(fullStrength > 400, "most samples should get the full ε: " + fullStrength);
  }

  @Test
  void theTopClassNeverChangesEvenAtTheLargestStrength() {
    CosineWatermark mark = new CosineWatermark(KEY, 0.5);
    SplittableRandom random = new SplittableRandom(4);
    int shrunk = 0;
    int targetOnTop = 0;
    for (int trial = 0; trial < 20_000; trial++) {
      float[] x = image(random);
      // Close calls: logits within ±1, and often the key's class on top or right behind it.
      float[] z = new float[C];
      for (int c = 0; c < C; c++) {
        z[c] = (float) (random.nextDouble() * 2 - 1);
      }
      int leader = random.nextInt(C);
      z[leader] += 1.5f;
      if (random.nextBoolean()) {
        z[KEY.targetClass()] = z[leader] + (float) (random.nextDouble() * 0.4 - 0.2);
      }
      double[] q = CosineWatermark.softmax(z);
      int before = argMax(q);
      double[] marked = q.clone();
      double size = mark.markProbabilities(x, marked);
      assertEquals(before, argMax(marked), "top-1 changed at trial " + trial);
      double sum = Arrays.stream(marked).sum();
      assertEquals(1.0, sum, 1e-12);
      assertTrue(size <= 2 * 0.5 / (1 + 2 * 0.5) + 1e-12);
      // What teacher-service encodes: float log-probabilities keep the top-1 class too.
      float[] logits = mark.markLogits(x, z).logits();
      assertEquals(before, argMax(CosineWatermark.softmax(logits)), "logits at trial " + trial);
      shrunk += mark.strength(mark.signal(x), q) < 0.5 ? 1 : 0;
      targetOnTop += before == KEY.targetClass() ? 1 : 0;
    }
    // The cases the guard exists for did occur, both ways.
    assertTrue(shrunk > 1000, "samples marked with a smaller ε: " + shrunk);
    assertTrue(targetOnTop > 1000, "samples with the key's class on top: " + targetOnTop);
  }

  @Test
  void withoutAConflictTheFullStrengthApplies() {
    CosineWatermark mark = new CosineWatermark(KEY, 0.3);
    double[] confident = new double[C];
    Arrays.fill(confident, 0.01);
    confident[(KEY.targetClass() + 1) % C] = 0.91;
    for (double s = -1; s <= 1; s += 0.25) {
      assertEquals(0.3, mark.strength(s, confident), 1e-15);
    }
    // The key's class 0.05 behind the top one at the cosine's peak: ε' = 0.9 · 0.05 / 2.
    double[] close = new double[C];
    Arrays.fill(close, 0.05625);
    close[(KEY.targetClass() + 1) % C] = 0.3;
    close[KEY.targetClass()] = 0.25;
    assertEquals(0.9 * 0.05 / 2, mark.strength(1, close), 1e-12);
  }

  private static int argMax(double[] p) {
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return best;
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
