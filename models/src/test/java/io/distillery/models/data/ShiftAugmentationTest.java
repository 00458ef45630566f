package io.distillery.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ShiftAugmentationTest {

  @Test
  void shiftsDownAndLeftFillingWithZeros() {
    // 3×3 image 1..9, shifted one row down and one column left.
    float[] src = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float[] dst = new float[9];
    ShiftAugmentation.shift(src, dst, 0, 1, 3, 3, 1, -1);
    assertArrayEquals(new float[] {0, 0, 0, 2, 3, 0, 5, 6, 0}, dst);
  }

  @Test
  void zeroShiftKeepsTheBatch() {
    float[] batch = {1, 2, 3, 4, 5, 6, 7, 8};
    new ShiftAugmentation(0).apply(batch, 2, 1, 2, 2, new Random(1));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, batch);
  }

  @Test
  void keepsPixelMassWhenTheImageHasABorder() {
    // A single bright pixel in the middle of a 7×7 image stays in the image under ±2 px shifts.
    float[] batch = new float[49 * 20];
    for (int i = 0; i < 20; i++) {
      batch[i * 49 + 24] = 1f;
    }
    new ShiftAugmentation(2).apply(batch, 20, 1, 7, 7, new Random(3));
    float total = 0;
    for (float v : batch) {
      total += v;
    }
    assertEquals(20f, total);
  }
}
