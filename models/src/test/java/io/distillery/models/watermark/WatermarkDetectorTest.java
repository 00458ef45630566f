package io.distillery.models.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The test finds a key's cosine in noisy outputs, not in outputs without it, and its p-values are
 * roughly uniform under the null.
 */
class WatermarkDetectorTest {

  private static final int D = 784;
  private static final int N = 800;

  private static float[] images(SplittableRandom random) {
    float[] x = new float[N * D];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    return x;
  }

  private static double[] outputs(
      float[] images, CosineWatermark mark, double amplitude, SplittableRandom random) {
    double[] y = new double[N];
    float[] one = new float[D];
    for (int i = 0; i < N; i++) {
      System.arraycopy(images, i * D, one, 0, D);
      double signal = mark == null ? 0 : amplitude * (1 + mark.signal(one));
      y[i] = 0.05 + signal + 0.03 * random.nextDouble();
    }
    return y;
  }

  @Test
  void findsTheKeysCosineAndNotAnotherKeys() {
    SplittableRandom random = new SplittableRandom(11);
    float[] x = images(random);
    WatermarkKey key = new WatermarkKey(5L, D, 10, 2, 30, 0.3);
    double[] marked = outputs(x, new CosineWatermark(key, 0.05), 0.01, random);
    WatermarkDetector.Result hit =
        new WatermarkDetector(key, 199, 0.01, WatermarkDetector.Scale.PROBABILITY).test(x, marked);
    assertTrue(hit.detected(), "p = " + hit.pValue());
    assertEquals(1.0 / 200, hit.pValue(), 1e-12);
    assertEquals(0.01, hit.amplitude(), 0.003);
    assertEquals(N, hit.probes());

    WatermarkKey other = new WatermarkKey(6L, D, 10, 2, 30, 0.3);
    WatermarkDetector.Result miss = new WatermarkDetector(other, 199, 0.01).test(x, marked);
    assertFalse(miss.detected(), "p = " + miss.pValue());
    // On the log scale (detect's default) the planted cosine is found too.
    assertTrue(new WatermarkDetector(key, 199, 0.01).test(x, marked).detected());
  }

  @Test
  void gridKeysAndClassWiseCentringFindTheCosineUnderClassStructure() {
    SplittableRandom random = new SplittableRandom(13);
    float[] x = images(random);
    int[] labels = new int[N];
    WatermarkKey key = new WatermarkKey(9L, D, 10, 0, 1.0, 0.7, 4);
    CosineWatermark mark = new CosineWatermark(key, 0.05);
    double[] y = new double[N];
    float[] one = new float[D];
    for (int i = 0; i < N; i++) {
      labels[i] = 1 + i % 9;
      System.arraycopy(x, i * D, one, 0, D);
      // Each class has its own level, far larger than the planted signal.
      y[i] = 0.02 * labels[i] + 0.01 * (1 + mark.signal(one)) + 0.005 * random.nextDouble();
    }
    WatermarkDetector detector =
        new WatermarkDetector(key, 199, 0.01, WatermarkDetector.Scale.PROBABILITY);
    assertTrue(detector.test(x, y, labels).detected());
    WatermarkKey other = new WatermarkKey(10L, D, 10, 0, 1.0, 0.7, 4);
    assertFalse(
        new WatermarkDetector(other, 199, 0.01, WatermarkDetector.Scale.PROBABILITY)
            .test(x, y, labels)
            .detected());
  }

  @Test
  void aReferenceRemovesWhatAnyModelWouldOutputAndUncoversAFaintMark() {
    SplittableRandom random = new SplittableRandom(14);
    float[] x = images(random);
    int[] labels = new int[N];
    WatermarkKey key = new WatermarkKey(19L, D, 10, 0, 1.0, 0.4, 4);
    CosineWatermark mark = new CosineWatermark(key, 0.05);
    double[] suspect = new double[N];
    double[] teacher = new double[N];
    float[] one = new float[D];
    for (int i = 0; i < N; i++) {
      labels[i] = 1 + i % 9;
      System.arraycopy(x, i * D, one, 0, D);
      // What any model of this data outputs: a class level and a large input-dependent part,
      // which both the unmarked teacher and the suspect show; the suspect adds a faint mark.
      double natural = 0.02 * labels[i] + 0.05 * random.nextDouble();
      teacher[i] = natural;
      suspect[i] = natural + 0.0005 * (1 + mark.signal(one));
    }
    WatermarkDetector detector =
        new WatermarkDetector(key, 199, 0.01, WatermarkDetector.Scale.PROBABILITY);
    WatermarkDetector.Result alone = detector.test(x, suspect, labels);
    WatermarkDetector.Result referenced = detector.test(x, suspect, labels, teacher);
    assertFalse(alone.detected(), "the faint mark drowns without a reference: " + alone);
    assertTrue(referenced.detected(), "found once the reference is removed: " + referenced);
    assertEquals(1.0 / 200, referenced.pValue(), 1e-12);
    // With the reference, another key is still not found, and the unmarked teacher tested against
    // itself leaves nothing to find.
    WatermarkKey other = new WatermarkKey(20L, D, 10, 0, 1.0, 0.4, 4);
    assertFalse(
        new WatermarkDetector(other, 199, 0.01, WatermarkDetector.Scale.PROBABILITY)
            .test(x, suspect, labels, teacher)
            .detected());
    assertEquals(0, detector.test(x, teacher, labels, teacher).statistic(), 1e-9);
  }

  @Test
  void theRelativeScaleCancelsHowConfidentTheSuspectIs() {
    SplittableRandom random = new SplittableRandom(15);
    float[] x = images(random);
    int[] labels = new int[N];
    WatermarkKey key = new WatermarkKey(21L, D, 10, 0, 1.0, 1.1, 4);
    CosineWatermark mark = new CosineWatermark(key, 0.002);
    float[] marked = new float[N * 10];
    float[] clean = new float[N * 10];
    float[] one = new float[D];
    for (int i = 0; i < N; i++) {
      labels[i] = 1 + i % 9;
      System.arraycopy(x, i * D, one, 0, D);
      // A confident or unsure answer moves every unlikely class together, by far more than the
      // mark moves any of them.
      float[] logits = new float[10];
      double confidence = 2 + 6 * random.nextDouble();
      for (int c = 0; c < 10; c++) {
        logits[c] = (float) (-confidence + 0.05 * random.nextDouble());
      }
      logits[labels[i]] = 0;
      double[] q = CosineWatermark.softmax(logits);
      double[] qMarked = q.clone();
      mark.markProbabilities(one, qMarked);
      for (int c = 0; c < 10; c++) {
        clean[i * 10 + c] = (float) q[c];
        marked[i * 10 + c] = (float) qMarked[c];
      }
    }
    WatermarkDetector relative =
        new WatermarkDetector(key, 199, 0.01, WatermarkDetector.Scale.RELATIVE_LOG_PROBABILITY);
    WatermarkDetector.Result hit = relative.testDistributions(x, marked, labels, null);
    assertTrue(hit.detected(), "relative scale: " + hit);
    assertEquals(1.0 / 200, hit.pValue(), 1e-12);
    assertFalse(relative.testDistributions(x, clean, labels, null).detected());
    WatermarkKey other = new WatermarkKey(22L, D, 10, 0, 1.0, 1.1, 4);
    assertFalse(
        new WatermarkDetector(other, 199, 0.01, WatermarkDetector.Scale.RELATIVE_LOG_PROBABILITY)
            .testDistributions(x, marked, labels, null)
            .detected());
    // The log scale sees the same mark through the confidence noise far less clearly.
    WatermarkDetector.Result logScale =
        new WatermarkDetector(key, 199, 0.01).testDistributions(x, marked, labels, null);
    assertTrue(logScale.statistic() < hit.statistic() / 2, logScale + " vs " + hit);
    assertThrows(IllegalStateException.class, () -> relative.test(x, new double[N], labels, null));
  }

  @Test
  void pValuesWithoutTheMarkAreRarelySmall() {
    SplittableRandom random = new SplittableRandom(12);
    float[] x = images(random);
    double[] clean = outputs(x, null, 0, random);
    int below5 = 0;
    int below1 = 0;
    int keys = 40;
    for (int k = 0; k < keys; k++) {
      WatermarkKey key = new WatermarkKey(100L + k, D, 10, k % 10, 30, 0);
      double p = new WatermarkDetector(key, 99, 0.01).test(x, clean).pValue();
      below5 += p <= 0.05 ? 1 : 0;
      below1 += p < 0.01 ? 1 : 0;
    }
    // Uniform p-values: about 2 of 40 at or below 0.05; 7 or more would be very unlikely (< 1%).
    assertTrue(below5 <= 6, below5 + " of " + keys + " clean outputs had p ≤ 0.05");
    assertTrue(below1 <= 2, below1 + " of " + keys + " clean outputs had p < 0.01");
  }
}
