package io.distillery.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogSoftmaxTest {

  @Test
  void rowsAreNormalisedAndStableForLargeLogits() {
    float[] logits = {1, 2, 3, 1000, 1000, 0};
    float[] logProbs = LogSoftmax.apply(logits, 3, 1f);
    for (int row = 0; row < 2; row++) {
      double sum = 0;
      for (int c = 0; c < 3; c++) {
        sum += Math.exp(logProbs[row * 3 + c]);
      }
      assertEquals(1.0, sum, 1e-6);
    }
    assertEquals(Math.log(0.5), logProbs[3], 1e-6);
    assertArrayEquals(new int[] {2, 0}, LogSoftmax.argMax(logits, 3));
  }

  @Test
  void temperatureFlattensTheDistribution() {
    float[] logits = {0, 4};
    float[] t1 = LogSoftmax.apply(logits, 2, 1f);
    float[] t4 = LogSoftmax.apply(logits, 2, 4f);
    assertEquals(-Math.log1p(Math.exp(1)), t4[0], 1e-6);
    assertEquals(true, t4[0] > t1[0]);
  }
}
