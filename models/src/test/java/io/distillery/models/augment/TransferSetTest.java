package io.distillery.models.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.data.LabeledImages;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The views of a transfer set: pure functions of (seed, image, view). Plain JUnit: no engine. */
class TransferSetTest {

  private static final LabeledImages IMAGES = images(20);

  @Test
  void viewZeroIsTheImageItselfWithItsLabel() {
    TransferSet set = new TransferSet(5, 2, true, 0.5f, 1f, 3);
    TransferSet.View view = set.view(IMAGES, 7, 0);
    assertArrayEquals(pixels(7), view.pixels());
    assertEquals(IMAGES.labels()[7], view.label());
    assertFalse(view.mixed());
    assertEquals("train-7", view.id("train-"));
  }

  @Test
  void aViewDependsOnlyOnSeedImageAndViewNumber() {
    TransferSet set = new TransferSet(5, 2, true, 0.5f, 1f, 3);
    TransferSet.View a = set.view(IMAGES, 4, 3);
    TransferSet.View b = set.view(IMAGES, 4, 3);
    assertArrayEquals(a.pixels(), b.pixels());
    assertEquals(a.transform(), b.transform());
    assertEquals("train-4-v3", a.id("train-"));
    TransferSet other = new TransferSet(5, 2, true, 0.5f, 1f, 4);
    boolean differs = false;
    for (int v = 1; v < 5; v++) {
      differs |= !other.view(IMAGES, 4, v).transform().equals(set.view(IMAGES, 4, v).transform());
    }
    assertTrue(differs, "another seed gives other views");
  }

  @Test
  void shiftsAndFlipsMoveThePixelsTheTransformSays() {
    TransferSet set = new TransferSet(40, 2, true, 0f, 1f, 9);
    int flips = 0;
    for (int v = 1; v < 40; v++) {
      TransferSet.View view = set.view(IMAGES, 2, v);
      String[] parts = view.transform().replace("shift(", "").replace(")", "").split("[,+]");
      int dy = Integer.parseInt(parts[0]);
      int dx = Integer.parseInt(parts[1]);
      boolean flip = view.transform().endsWith("+flip");
      flips += flip ? 1 : 0;
      assertTrue(Math.abs(dy) <= 2 && Math.abs(dx) <= 2, view.transform());
      float[] source = pixels(2);
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          int xs = flip ? 27 - x : x; // flip after the shift
          int sy = y - dy;
          int sx = xs - dx;
          float expected = sy < 0 || sy >= 28 || sx < 0 || sx >= 28 ? 0f : source[sy * 28 + sx];
          assertEquals(
              expected, view.pixels()[y * 28 + x], view.transform() + " at " + y + "," + x);
        }
      }
    }
    assertTrue(flips > 5 && flips < 34, "about half are mirrored: " + flips);
  }

  @Test
  void mixupViewsMixTwoImagesAndTheirLabelsWithTheSameWeight() {
    TransferSet set = new TransferSet(30, 0, false, 1f, 1f, 5);
    for (int v = 1; v < 30; v++) {
      TransferSet.View view = set.view(IMAGES, 11, v);
      assertTrue(view.mixed());
      assertTrue(view.secondImage() != 11);
      assertEquals(IMAGES.labels()[view.secondImage()], view.secondLabel());
      float w = view.weight();
      assertTrue(w >= 0 && w <= 1);
      float[] a = pixels(11);
      float[] b = pixels(view.secondImage());
      for (int p = 0; p < a.length; p++) {
        assertEquals(w * a[p] + (1 - w) * b[p], view.pixels()[p], 1e-6f);
      }
    }
  }

  @Test
  void badSettingsAreNamed() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new TransferSet(0, 2, false, 0, 1, 1))
            .getMessage()
            .contains("views"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new TransferSet(3, 2, false, 2, 1, 1))
            .getMessage()
            .contains("mixup fraction"));
    assertThrows(IndexOutOfBoundsException.class, () -> TransferSet.plain().view(IMAGES, 0, 1));
  }

  private static float[] pixels(int image) {
    float[] out = new float[784];
    System.arraycopy(IMAGES.images(), image * 784, out, 0, 784);
    return out;
  }

  private static LabeledImages images(int n) {
    Random random = new Random(1);
    float[] pixels = new float[n * 784];
    int[] labels = new int[n];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat();
    }
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
    }
    return new LabeledImages(pixels, labels, 1, 28, 28);
  }
}
